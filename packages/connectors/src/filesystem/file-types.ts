import { DOCX_MEDIA_TYPE } from "../transforms/docx-to-html.js";
import { PDF_MEDIA_TYPE } from "../transforms/pdf-to-html.js";

/** How a file of a supported extension is read: as UTF-8 text of a body kind, or as binary bytes. */
export type FileFormat =
  | { kind: "markdown" }
  | { kind: "html" }
  | { kind: "text" }
  | { kind: "binary"; mediaType: string };

const FORMATS: ReadonlyMap<string, FileFormat> = new Map<string, FileFormat>([
  ["md", { kind: "markdown" }],
  ["markdown", { kind: "markdown" }],
  ["html", { kind: "html" }],
  ["htm", { kind: "html" }],
  ["txt", { kind: "text" }],
  ["docx", { kind: "binary", mediaType: DOCX_MEDIA_TYPE }],
  ["pdf", { kind: "binary", mediaType: PDF_MEDIA_TYPE }],
]);

/** Extensions (lower case, no dot) the connector can read. */
export const SUPPORTED_EXTENSIONS: readonly string[] = [...FORMATS.keys()];

/** The lower-cased extension of a file name without its dot; "" when it has none. */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot <= 0 ? "" : fileName.slice(dot + 1).toLowerCase();
}

export function formatOf(fileName: string): FileFormat | undefined {
  return FORMATS.get(extensionOf(fileName));
}
