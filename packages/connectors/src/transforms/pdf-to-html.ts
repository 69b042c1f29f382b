import { isMainThread } from "node:worker_threads";
import { getDocument, VerbosityLevel } from "pdfjs-dist/legacy/build/pdf.mjs";
import type { ConvertedHtml } from "./converted-html.js";
import { PDF_MEDIA_TYPE } from "../toolkit/media-types/media-types.js";
import { escapeHtml } from "./text-to-html.js";
import { TransformError } from "./transform-error.js";

/** The parts of a pdf.js text item this module reads (marked-content entries have no `str`). */
interface PdfTextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

interface PdfLine {
  text: string;
  /** Baseline, in PDF units (y grows upwards). */
  y: number;
  /** Font size of the line's largest run. */
  size: number;
}

interface PdfParagraph {
  text: string;
  size: number;
}

/** A baseline this far (in font sizes) below the previous one starts a new paragraph; ~1.2 is a line. */
const PARAGRAPH_GAP = 1.6;
/** Runs at least this much larger than the body text are headings. */
const HEADING_RATIO = 1.3;
const HEADING_MAX_CHARS = 200;

/** How far from its start a PDF's header may sit, and from its end its `startxref` (junk around both is tolerated). */
const HEADER_WINDOW = 1024;
const TRAILER_WINDOW = 4096;

/**
 * Why the bytes cannot be a whole PDF, judged from both ends only: a PDF starts with `%PDF-` and ends
 * with `startxref` (the offset of its cross-reference table) and `%%EOF` (ISO 32000-1, 7.5.2 and
 * 7.5.5). Without them pdf.js would rebuild the file's structure by scanning every byte, which took a
 * broken 45 MB upload 28 s and hundreds of megabytes to refuse.
 */
function framingProblem(data: Uint8Array): string | undefined {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!bytes.subarray(0, HEADER_WINDOW).toString("latin1").includes("%PDF-"))
    return "no %PDF- header: the file is not a PDF";
  if (
    !bytes
      .subarray(Math.max(0, bytes.length - TRAILER_WINDOW))
      .toString("latin1")
      .includes("startxref")
  )
    return "no startxref near its end: the file is cut off (an interrupted upload or copy) or damaged";
  return undefined;
}

/**
 * PDF → HTML from its text layer (pdf.js legacy build: the modern build needs newer Node APIs).
 * PDFs have no paragraphs, only positioned runs of text, so runs are grouped into lines by baseline,
 * lines into paragraphs by vertical gaps, and lines set clearly larger than the body text become
 * headings (largest size → h1, next → h2, the rest → h3). A page break always ends a paragraph.
 */
export async function pdfToHtml(data: Uint8Array, url: string | undefined): Promise<ConvertedHtml> {
  const fail = (cause: unknown): TransformError =>
    new TransformError("parse", `cannot read the PDF document: ${(cause as Error).message}`, {
      url,
      mediaType: PDF_MEDIA_TYPE,
      cause,
    });
  const problem = framingProblem(data);
  if (problem !== undefined) {
    throw new TransformError("parse", `cannot read the PDF document: ${problem}`, {
      url,
      mediaType: PDF_MEDIA_TYPE,
    });
  }
  // pdf.js transfers (detaches) the buffer it is given: on the main thread hand it a copy so the
  // caller's bytes survive; in a conversion thread the bytes are the thread's own and used once.
  const task = getDocument({
    data: isMainThread ? new Uint8Array(data) : data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    const pdf = await task.promise.catch((cause: unknown) => {
      throw fail(cause);
    });
    const paragraphs: PdfParagraph[] = [];
    for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber++) {
      const page = await pdf.getPage(pageNumber);
      const content = await page.getTextContent();
      const items = content.items.filter((item): item is PdfTextItem & typeof item => "str" in item);
      paragraphs.push(...groupParagraphs(groupLines(items)));
      page.cleanup();
    }
    const metadata = await pdf.getMetadata().catch(() => undefined);
    const info = metadata?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === "string" && info.Title.trim() !== "" ? info.Title.trim() : undefined;
    if (paragraphs.length === 0) {
      throw new TransformError("empty", "the PDF has no text layer (scanned pages need OCR first)", {
        url,
        mediaType: PDF_MEDIA_TYPE,
      });
    }
    const html = renderParagraphs(paragraphs);
    return title === undefined ? { html, warnings: [] } : { html, title, warnings: [] };
  } catch (error) {
    if (error instanceof TransformError) throw error;
    throw fail(error);
  } finally {
    await task.destroy();
  }
}

function groupLines(items: readonly PdfTextItem[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let current: PdfLine | undefined;
  let lastEndX = 0;
  const finish = (): void => {
    if (current !== undefined && current.text.trim() !== "") {
      lines.push({ ...current, text: current.text.replace(/\s+/g, " ").trim() });
    }
    current = undefined;
  };
  for (const item of items) {
    const [, , c = 0, d = 0, x = 0, y = 0] = item.transform;
    const size = Math.hypot(c, d) || item.height;
    if (item.str !== "") {
      if (current !== undefined && Math.abs(current.y - y) > Math.max(current.size, size) * 0.5) finish();
      if (current === undefined) {
        current = { text: item.str, y, size };
      } else {
        // pdf.js often leaves out the space between runs; a horizontal gap means there was one.
        const gap = x - lastEndX > size * 0.15 && !/\s$/.test(current.text) && !/^\s/.test(item.str);
        current.text += (gap ? " " : "") + item.str;
        current.size = Math.max(current.size, size);
      }
      lastEndX = x + item.width;
    }
    if (item.hasEOL) finish();
  }
  finish();
  return lines;
}

function groupParagraphs(lines: readonly PdfLine[]): PdfParagraph[] {
  const paragraphs: PdfParagraph[] = [];
  let previous: PdfLine | undefined;
  for (const line of lines) {
    const last = paragraphs.at(-1);
    const gap = previous === undefined ? Number.POSITIVE_INFINITY : previous.y - line.y;
    const sameSize = previous !== undefined && Math.abs(previous.size - line.size) < 0.5;
    if (last !== undefined && sameSize && gap > 0 && gap <= line.size * PARAGRAPH_GAP) {
      last.text += last.text.endsWith("-") ? line.text : ` ${line.text}`;
    } else {
      paragraphs.push({ text: line.text, size: line.size });
    }
    previous = line;
  }
  return paragraphs;
}

function renderParagraphs(paragraphs: readonly PdfParagraph[]): string {
  const bodySize = weightedMedianSize(paragraphs);
  const headingSizes = [
    ...new Set(
      paragraphs
        .filter((p) => p.size >= bodySize * HEADING_RATIO && p.text.length <= HEADING_MAX_CHARS)
        .map((p) => Math.round(p.size * 10) / 10),
    ),
  ].sort((a, b) => b - a);
  return paragraphs
    .map((paragraph) => {
      const rank = headingSizes.indexOf(Math.round(paragraph.size * 10) / 10);
      const isHeading =
        rank >= 0 && paragraph.size >= bodySize * HEADING_RATIO && paragraph.text.length <= HEADING_MAX_CHARS;
      const tag = isHeading ? `h${Math.min(rank + 1, 3)}` : "p";
      return `<${tag}>${escapeHtml(paragraph.text)}</${tag}>`;
    })
    .join("\n");
}

/** The font size most of the text is set in: median over characters, so headings do not skew it. */
function weightedMedianSize(paragraphs: readonly PdfParagraph[]): number {
  const sorted = [...paragraphs].sort((a, b) => a.size - b.size);
  const total = sorted.reduce((sum, p) => sum + p.text.length, 0);
  let seen = 0;
  for (const paragraph of sorted) {
    seen += paragraph.text.length;
    if (seen * 2 >= total) return paragraph.size;
  }
  return sorted.at(-1)?.size ?? 0;
}
