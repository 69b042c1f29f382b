import type { CheerioAPI } from "cheerio";
import { type Element, isTag, type ParentNode } from "domhandler";
import type { DocumentBody } from "../contract.js";
import { bodyToHtml } from "./body-to-html.js";
import { cleanHtml, collapseWhitespace } from "./clean-html.js";
import { runsOffThread } from "./conversion/off-thread.js";
import { sharedConversionPool } from "./conversion/conversion-pool.js";
import { formatBlocks, serialiseRoot } from "./serialise-html.js";
import { TransformError } from "./transform-error.js";
import {
  resolveTransformOptions,
  type TransformOptions,
  transformOptionsSchema,
} from "./transform-options.js";
import { truncateHtml } from "./truncate-html.js";

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

/**
 * Turns any document body into the clean HTML Fin reads: converts Markdown, plain text, DOCX and PDF
 * to HTML, removes chrome and tracking (see cleanHtml), resolves links, and enforces the size cap.
 * Throws TransformError: `unsupported` for unknown binary media types, `parse` for unreadable DOCX or
 * PDF, `empty` when no text or image survives cleaning, `too_large` above `maxBytes` with
 * `oversize: "reject"`.
 */
export async function toCleanHtml(
  input: TransformInput,
  options: TransformOptions = {},
): Promise<TransformResult> {
  // DOCX, PDF and large bodies convert in a bounded worker thread (see conversion-pool.ts).
  if (runsOffThread(input.body)) return sharedConversionPool().run(input, options);
  return toCleanHtmlInThisThread(input, options);
}

/** toCleanHtml without the dispatch: what the conversion threads run. */
export async function toCleanHtmlInThisThread(
  input: TransformInput,
  options: TransformOptions = {},
): Promise<TransformResult> {
  const resolved = resolveTransformOptions(transformOptionsSchema.parse(options));
  const converted = await bodyToHtml(input.body, input.url);
  const cleaned = cleanHtml(converted.html, { url: input.url, removeSelectors: resolved.removeSelectors });
  const { $, root } = cleaned;
  const hasText = /[^\s\u00a0]/.test($(root).text());
  if (!hasText && findFirstElement(root, "img") === undefined) {
    throw new TransformError("empty", "the document has no text or images left after cleaning", {
      url: input.url,
    });
  }
  formatBlocks(root);
  let html = serialiseRoot($, root);
  const warnings = [...converted.warnings, ...cleaned.warnings];
  let truncated = false;
  const fullBytes = Buffer.byteLength(html, "utf8");
  if (fullBytes > resolved.maxBytes) {
    if (resolved.oversize === "reject") {
      throw new TransformError(
        "too_large",
        `the cleaned HTML is ${fullBytes} bytes, over the limit of ${resolved.maxBytes} bytes`,
        { url: input.url, bytes: fullBytes, maxBytes: resolved.maxBytes },
      );
    }
    html = truncateHtml($, root, resolved.maxBytes);
    truncated = true;
    warnings.push(
      `truncated: the cleaned HTML was ${fullBytes} bytes, over the limit of ${resolved.maxBytes} bytes; ` +
        `kept the first ${Buffer.byteLength(html, "utf8")} bytes`,
    );
  }
  const title =
    nonBlank(input.title) ??
    nonBlank(converted.title) ??
    cleaned.documentTitle ??
    nonBlank(textOf($, findFirstElement(root, "h1")));
  return { html, title, bytes: Buffer.byteLength(html, "utf8"), truncated, warnings };
}

function nonBlank(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const collapsed = collapseWhitespace(value);
  return collapsed === "" ? undefined : collapsed;
}

/** Depth-first search without cheerio's query engine, which is slow on very flat documents. */
function findFirstElement(parent: ParentNode, name: string): Element | undefined {
  for (const child of parent.children) {
    if (!isTag(child)) continue;
    if (child.name === name) return child;
    const found = findFirstElement(child, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function textOf($: CheerioAPI, element: Element | undefined): string | undefined {
  return element === undefined ? undefined : $(element).text();
}
