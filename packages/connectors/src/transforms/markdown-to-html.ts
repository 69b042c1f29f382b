import { Marked } from "marked";

// One instance with fixed options: the global `marked` object can be reconfigured by any importer.
// GitHub-flavoured Markdown (tables, strikethrough, autolinks) is what wikis and docs repos write.
// Raw HTML inside the Markdown passes through here and is sanitised by the cleaner afterwards.
const markdown = new Marked({ gfm: true, breaks: false, async: false });

/** Markdown (front matter already stripped by the caller) → HTML. */
export function markdownToHtml(source: string): string {
  return markdown.parse(source, { async: false });
}
