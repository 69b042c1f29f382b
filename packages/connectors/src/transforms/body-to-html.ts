import type { DocumentBody } from "../contract.js";
import type { ConvertedHtml } from "./converted-html.js";
import { DOCX_MEDIA_TYPE, docxToHtml } from "./docx-to-html.js";
import { markdownToHtml } from "./markdown-to-html.js";
import { PDF_MEDIA_TYPE, pdfToHtml } from "./pdf-to-html.js";
import { textToHtml } from "./text-to-html.js";
import { TransformError } from "./transform-error.js";

/**
 * Any body kind → raw (uncleaned) HTML. Binary bodies are dispatched on their media type; textual
 * media types that arrive as bytes (an attachment served as text/markdown) are decoded as UTF-8.
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
  // Parameters (`; charset=utf-8`) and case do not change which converter applies.
  const essence = mediaType.split(";")[0]?.trim().toLowerCase() ?? "";
  switch (essence) {
    case DOCX_MEDIA_TYPE:
      return docxToHtml(data, url);
    case PDF_MEDIA_TYPE:
      return pdfToHtml(data, url);
    case "text/html":
    case "application/xhtml+xml":
      return { html: decodeUtf8(data), warnings: [] };
    case "text/markdown":
    case "text/x-markdown":
      return { html: markdownToHtml(decodeUtf8(data)), warnings: [] };
    case "text/plain":
      return { html: textToHtml(decodeUtf8(data)), warnings: [] };
    default:
      throw new TransformError(
        "unsupported",
        `unsupported media type "${mediaType}": only HTML, Markdown, plain text, DOCX and PDF can be converted`,
        { url, mediaType },
      );
  }
}

/** UTF-8 without the byte-order mark; invalid sequences become U+FFFD rather than failing. */
function decodeUtf8(data: Uint8Array): string {
  return new TextDecoder("utf-8", { ignoreBOM: false }).decode(data);
}
