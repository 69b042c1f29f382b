import type { DocumentBody } from "../../contract.js";

export const DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
export const PDF_MEDIA_TYPE = "application/pdf";

/** How a body of a media type is read: as UTF-8 text of a body kind, or as bytes for a converter. */
export type BodyKind = "markdown" | "html" | "text" | "binary";

interface MediaTypeEntry {
  mediaType: string;
  kind: BodyKind;
  /** File extensions (lower case, no dot) of this type; the first is the usual one. */
  extensions: readonly string[];
  /** Other spellings servers send for the same type. */
  aliases?: readonly string[];
}

/**
 * The one table of document types every file-like connector (filesystem, WebDAV, S3, Drive,
 * SharePoint) and the transforms share: what can become a page, and how its bytes are read.
 */
const TABLE: readonly MediaTypeEntry[] = [
  {
    mediaType: "text/markdown",
    kind: "markdown",
    extensions: ["md", "markdown"],
    aliases: ["text/x-markdown"],
  },
  { mediaType: "text/html", kind: "html", extensions: ["html", "htm"], aliases: ["application/xhtml+xml"] },
  { mediaType: "text/plain", kind: "text", extensions: ["txt"] },
  { mediaType: DOCX_MEDIA_TYPE, kind: "binary", extensions: ["docx"] },
  { mediaType: PDF_MEDIA_TYPE, kind: "binary", extensions: ["pdf"] },
];

const BY_EXTENSION = new Map(TABLE.flatMap((entry) => entry.extensions.map((ext) => [ext, entry] as const)));
const BY_MEDIA_TYPE = new Map(
  TABLE.flatMap((entry) => [entry.mediaType, ...(entry.aliases ?? [])].map((type) => [type, entry] as const)),
);

/** Extensions (lower case, no dot) that can become pages. */
export const SUPPORTED_EXTENSIONS: readonly string[] = TABLE.flatMap((entry) => entry.extensions);

/** The lower-cased extension of a file name without its dot; "" when it has none (or only a leading dot). */
export function extensionOf(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot + 1).toLowerCase();
}

/** A media type without parameters, lower case: `Text/HTML; charset=utf-8` → `text/html`. */
export function essenceOf(mediaType: string): string {
  return mediaType.split(";")[0]?.trim().toLowerCase() ?? "";
}

/** How a file of a supported type is read, from its name. */
export interface FileFormat {
  kind: BodyKind;
  mediaType: string;
}

/** The format of a supported file name, from its extension; undefined when it is not supported. */
export function formatOfName(fileName: string): FileFormat | undefined {
  const entry = BY_EXTENSION.get(extensionOf(fileName));
  return entry === undefined ? undefined : { kind: entry.kind, mediaType: entry.mediaType };
}

/** The canonical media type of a supported file name, from its extension. */
export function mediaTypeOfName(fileName: string): string | undefined {
  return BY_EXTENSION.get(extensionOf(fileName))?.mediaType;
}

/** How a body of this media type is read; undefined for types no transform handles. */
export function bodyKindOf(mediaType: string): BodyKind | undefined {
  return BY_MEDIA_TYPE.get(essenceOf(mediaType))?.kind;
}

/** The canonical spelling of a supported media type (`text/x-markdown` → `text/markdown`). */
export function canonicalMediaType(mediaType: string): string | undefined {
  return BY_MEDIA_TYPE.get(essenceOf(mediaType))?.mediaType;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const DOCX_PART = new TextEncoder().encode("word/document.xml");
const HTML_START = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]/i;

function startsWith(data: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => data[index] === byte);
}

function contains(data: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= data.length; i++) {
    for (let j = 0; j < needle.length; j++) if (data[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Valid UTF-8 without NUL or other control characters than tab, line breaks and form feed. */
function isText(data: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    return false;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what binary data is recognised by.
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

/**
 * The media type of content whose name says nothing (no or an unknown extension), from its bytes:
 * `%PDF-` is PDF; a zip holding `word/document.xml` is DOCX; text that starts like an HTML document
 * is HTML; other valid UTF-8 text is `text/plain`; anything else is `application/octet-stream`.
 */
export function sniffMediaType(data: Uint8Array): string {
  if (startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d])) return PDF_MEDIA_TYPE;
  if (startsWith(data, ZIP_MAGIC)) return contains(data, DOCX_PART) ? DOCX_MEDIA_TYPE : "application/zip";
  if (!isText(data)) return "application/octet-stream";
  const head = new TextDecoder().decode(data.subarray(0, 1024)).replace(/^\uFEFF/, "");
  return HTML_START.test(head) ? "text/html" : "text/plain";
}

/**
 * A document body from bytes: the type is the declared one when supported, else the one the name's
 * extension gives, else what the bytes look like. Undefined when none of them is a supported type.
 */
export function bodyFromBytes(
  data: Uint8Array,
  hints: { fileName?: string; declaredMediaType?: string } = {},
): DocumentBody | undefined {
  const mediaType =
    (hints.declaredMediaType && canonicalMediaType(hints.declaredMediaType)) ||
    (hints.fileName && mediaTypeOfName(hints.fileName)) ||
    canonicalMediaType(sniffMediaType(data));
  if (mediaType === undefined) return undefined;
  const kind = bodyKindOf(mediaType);
  if (kind === undefined) return undefined;
  if (kind === "binary") return { kind, mediaType, data };
  const text = new TextDecoder("utf-8").decode(data).replace(/^\uFEFF/, "");
  if (kind === "markdown") return { kind, markdown: text };
  if (kind === "html") return { kind, html: text };
  return { kind, text };
}
