import type { DocumentBody } from "../contract.js";

// What the transforms take and give, apart from `toCleanHtml` itself so the conversion workers can
// speak these types without importing the module that dispatches to them.

export interface TransformInput {
  body: DocumentBody;
  /** The document's canonical URL: relative links and images are resolved against it. */
  url?: string;
  /** The title the product knows; when absent or blank, one is derived from the content. */
  title?: string;
}

export interface TransformResult {
  /** Body content only (no html/head wrapper), one block per line. Same input ⇒ same bytes. */
  html: string;
  /** input.title, else the format's own title (PDF Title), else `<title>`, else the first `<h1>`. */
  title: string | undefined;
  /** UTF-8 size of `html`. */
  bytes: number;
  /** True when the output was cut to `maxBytes`. */
  truncated: boolean;
  /** Things worth reporting that did not stop the transform (truncation, unresolvable links…). */
  warnings: string[];
}
