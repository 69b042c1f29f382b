import type { DocumentBody } from "../../contract.js";
import { bodyKindOf } from "../../toolkit/media-types/media-types.js";

/**
 * Bodies at least this large convert in a thread even when they are text: cleaning a multi-megabyte
 * HTML export with cheerio takes seconds of CPU that would stall every other document of the run.
 * Real articles are far smaller (the default output cap is 1 MB).
 */
export const OFF_THREAD_TEXT_BYTES = 512 * 1024;

/** DOCX and PDF always; HTML, Markdown and text from OFF_THREAD_TEXT_BYTES on. */
export function runsOffThread(body: DocumentBody): boolean {
  switch (body.kind) {
    case "html":
      return body.html.length >= OFF_THREAD_TEXT_BYTES;
    case "markdown":
      return body.markdown.length >= OFF_THREAD_TEXT_BYTES;
    case "text":
      return body.text.length >= OFF_THREAD_TEXT_BYTES;
    case "binary":
      return bodyKindOf(body.mediaType) === "binary" || body.data.byteLength >= OFF_THREAD_TEXT_BYTES;
  }
}
