import { Marked } from "marked";
import { TransformError } from "./transform-error.js";

// One instance with fixed options: the global `marked` object can be reconfigured by any importer.
// GitHub-flavoured Markdown (tables, strikethrough, autolinks) is what wikis and docs repos write.
// Raw HTML inside the Markdown passes through here and is sanitised by the cleaner afterwards.
const markdown = new Marked({ gfm: true, breaks: false, async: false });

/**
 * Markdown (front matter already stripped by the caller) → HTML. Throws TransformError `parse` when
 * the parser overflows its stack: marked does on one block of megabytes (a 10 MB paragraph or log
 * dump), and its RangeError ("please report this to marked") would otherwise be the document's
 * failure reason, naming neither the problem nor what to do about it.
 */
export function markdownToHtml(source: string): string {
  try {
    return markdown.parse(source, { async: false });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new TransformError(
      "parse",
      `the Markdown (${source.length} characters) is too long in one block for the Markdown converter; split it into paragraphs (blank lines between them)`,
      { cause: error },
    );
  }
}
