import type { DocumentBody } from "../contract.js";
import {
  bodyKindOf,
  canonicalMediaType,
  DOCX_MEDIA_TYPE,
  PDF_MEDIA_TYPE,
} from "../toolkit/media-types/media-types.js";
import type { ConvertedHtml } from "./converted-html.js";
import { markdownToHtml } from "./markdown-to-html.js";
import { textToHtml } from "./text-to-html.js";
import { TransformError } from "./transform-error.js";

/**
 * Most HTML a DOCX or PDF converter may hand on to cleaning: 20 MB. A document that extracts to more
 * is a data dump, and cleaning it would only burn CPU to be truncated to the output cap anyway.
 */
export const MAX_EXTRACTED_HTML_BYTES = 20_000_000;

/**
 * Any body kind → raw (uncleaned) HTML. Binary bodies are dispatched on their media type; textual
 * media types that arrive as bytes (an attachment served as text/markdown) are decoded as UTF-8.
 * The DOCX and PDF converters are imported here on first use: toCleanHtml sends those bodies to a
 * conversion thread, so mammoth and pdf.js only ever load (and patch globals) there.
 */
export async function bodyToHtml(body: DocumentBody, url: string | undefined): Promise<ConvertedHtml> {
  switch (body.kind) {
    case "html":
      return { html: body.html, warnings: [] };
    case "markdown":
      return { html: markdownToHtml(body.markdown), warnings: [] };
    case "text":
      return { html: textToHtml(body.text), warnings: [] };
    case "binary":
      return binaryToHtml(body.data, body.mediaType, url);
  }
}

async function binaryToHtml(
  data: Uint8Array,
  mediaType: string,
  url: string | undefined,
): Promise<ConvertedHtml> {
  const canonical = canonicalMediaType(mediaType);
  if (canonical === DOCX_MEDIA_TYPE) {
    const { docxToHtml } = await import("./docx-to-html.js");
    return capExtracted(await docxToHtml(data, url), canonical, url);
  }
  if (canonical === PDF_MEDIA_TYPE) {
    const { pdfToHtml } = await import("./pdf-to-html.js");
    return capExtracted(await pdfToHtml(data, url), canonical, url);
  }
  switch (canonical === undefined ? undefined : bodyKindOf(canonical)) {
    case "html":
      return { html: decodeUtf8(data), warnings: [] };
    case "markdown":
      return { html: markdownToHtml(decodeUtf8(data)), warnings: [] };
    case "text":
      return { html: textToHtml(decodeUtf8(data)), warnings: [] };
    default:
      throw new TransformError(
        "unsupported",
        `unsupported media type "${mediaType}": only HTML, Markdown, plain text, DOCX and PDF can be converted`,
        { url, mediaType },
      );
  }
}

function capExtracted(converted: ConvertedHtml, mediaType: string, url: string | undefined): ConvertedHtml {
  const bytes = Buffer.byteLength(converted.html, "utf8");
  if (bytes > MAX_EXTRACTED_HTML_BYTES) {
    throw new TransformError(
      "too_large",
      `the document extracts to ${bytes} bytes of HTML, over the limit of ${MAX_EXTRACTED_HTML_BYTES} bytes`,
      { url, mediaType, bytes, maxBytes: MAX_EXTRACTED_HTML_BYTES },
    );
  }
  return converted;
}

/** UTF-8 without the byte-order mark; invalid sequences become U+FFFD rather than failing. */
function decodeUtf8(data: Uint8Array): string {
  return new TextDecoder("utf-8", { ignoreBOM: false }).decode(data);
}
