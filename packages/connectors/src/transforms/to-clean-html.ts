import type { Element } from "domhandler";
import type { DocumentBody } from "../contract.js";
import { cleanHtml, collapseWhitespace, findFirst } from "./clean-html.js";
import { sharedConversionPool } from "./conversion/conversion-pool.js";
import { runsOffThread } from "./conversion/off-thread.js";
import type { ConvertedHtml } from "./converted-html.js";
import { textOf } from "./html-document.js";
import { markdownToHtml } from "./markdown-to-html.js";
import { precutText } from "./precut-text.js";
import { formatBlocks, serialiseRoot } from "./serialise-html.js";
import { textToHtml } from "./text-to-html.js";
import { TransformError } from "./transform-error.js";
import {
  type ResolvedTransformOptions,
  resolveTransformOptions,
  type TransformOptions,
  transformOptionsSchema,
} from "./transform-options.js";
import { truncateHtml } from "./truncate-html.js";

import type { TransformInput, TransformResult } from "./transform-types.js";

export type { TransformInput, TransformResult };

/**
 * Turns any document body into the clean HTML Fin reads: converts Markdown, plain text, DOCX and PDF
 * to HTML, removes chrome and tracking (see cleanHtml), resolves links, and enforces the size cap.
 * Throws TransformError: `unsupported` for unknown binary media types, `parse` for unreadable DOCX or
 * PDF, `empty` when no text or image survives cleaning, `too_large` above `maxBytes` with
 * `oversize: "reject"`. Pass `consumeBody` when the caller will not read a binary body's bytes again.
 */
export async function toCleanHtml(
  input: TransformInput,
  options: TransformOptions = {},
  handOver: { consumeBody?: boolean } = {},
): Promise<TransformResult> {
  const resolved = resolveOptions(options);
  const precut = resolved.oversize === "truncate" ? precutText(input.body, resolved.maxBytes) : undefined;
  const converting = precut?.warning ? { ...input, body: precut.body } : input;
  // DOCX, PDF and large bodies convert in a bounded worker thread (see conversion-pool.ts); with
  // `consumeBody` a binary body's bytes move there instead of being copied.
  const result = runsOffThread(converting.body)
    ? await sharedConversionPool().run(converting, options, undefined, handOver)
    : await toCleanHtmlInThisThread(converting, options);
  if (!precut?.warning) return result;
  return { ...result, truncated: true, warnings: [precut.warning, ...result.warnings] };
}

/** toCleanHtml without the dispatch: what the conversion threads run. */
export async function toCleanHtmlInThisThread(
  input: TransformInput,
  options: TransformOptions = {},
): Promise<TransformResult> {
  const resolved = resolveOptions(options);
  const converted = await convert(input.body, input.url);
  const cleaned = cleanHtml(converted.html, { url: input.url, removeSelectors: resolved.removeSelectors });
  const { root } = cleaned;
  const hasText = /[^\s\u00a0]/.test(textOf(root));
  if (!hasText && findFirst(root, (element) => element.name === "img") === undefined) {
    throw new TransformError("empty", "the document has no text or images left after cleaning", {
      url: input.url,
    });
  }
  formatBlocks(root);
  let html = serialiseRoot(root);
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
    html = truncateHtml(root, resolved.maxBytes);
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
    nonBlank(firstHeadingText(root));
  return { html, title, bytes: Buffer.byteLength(html, "utf8"), truncated, warnings };
}

function nonBlank(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const collapsed = collapseWhitespace(value);
  return collapsed === "" ? undefined : collapsed;
}

function firstHeadingText(root: Element): string | undefined {
  const heading = findFirst(root, (element) => element.name === "h1");
  return heading === undefined ? undefined : textOf(heading);
}

// Options objects come from the source's config and are the same object for every document of a run:
// checking them once per object keeps zod (and the selector check) off the per-document path.
const resolvedOptions = new WeakMap<TransformOptions, ResolvedTransformOptions>();

function resolveOptions(options: TransformOptions): ResolvedTransformOptions {
  let resolved = resolvedOptions.get(options);
  if (resolved === undefined) {
    resolved = resolveTransformOptions(transformOptionsSchema.parse(options));
    resolvedOptions.set(options, resolved);
  }
  return resolved;
}

/**
 * Textual bodies are converted here; binary ones (DOCX, PDF, text sent as bytes) go through
 * bodyToHtml, imported on first use: its converters are large libraries (pdf.js, mammoth) that a
 * source of Markdown or HTML never needs, so they are not loaded at all there.
 */
async function convert(body: DocumentBody, url: string | undefined): Promise<ConvertedHtml> {
  switch (body.kind) {
    case "html":
      return { html: body.html, warnings: [] };
    case "markdown":
      return { html: markdownToHtml(body.markdown), warnings: [] };
    case "text":
      return { html: textToHtml(body.text), warnings: [] };
    case "binary": {
      const { bodyToHtml } = await import("./body-to-html.js");
      return bodyToHtml(body, url);
    }
  }
}
