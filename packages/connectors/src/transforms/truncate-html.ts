import { type AnyNode, cloneNode, type Element, isTag } from "domhandler";
import { collapseWhitespace } from "./clean-html.js";
import { serialiseNode, textOf } from "./html-document.js";
import { topLevelNodes } from "./serialise-html.js";
import { escapeHtml } from "./text-to-html.js";

/** Containers worth cutting inside (keep the first items or rows) rather than dropping whole. */
const SPLITTABLE = new Set([
  "ul",
  "ol",
  "dl",
  "dd",
  "li",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "blockquote",
  "details",
]);

const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * The longest prefix of the document that fits `maxBytes`, cut between blocks: top-level blocks are
 * kept while they fit, and the first one that does not is entered when it is a list, table or quote,
 * so long lists keep their first items. When not even the first block fits, its text is cut at a
 * word boundary into one paragraph, so the result is never empty.
 */
export function truncateHtml(root: Element, maxBytes: number): string {
  const parts = fitNodes(topLevelNodes(root), maxBytes, "\n");
  if (parts.length > 0) return parts.join("\n");
  const first = topLevelNodes(root)[0];
  return first === undefined ? "" : cutText(collapseWhitespace(textOf(first)), maxBytes);
}

function fitNodes(nodes: readonly AnyNode[], budget: number, separator: string): string[] {
  const parts: string[] = [];
  let used = 0;
  for (const node of nodes) {
    const separatorBytes = parts.length > 0 ? byteLength(separator) : 0;
    const html = serialiseNode(node);
    const cost = separatorBytes + byteLength(html);
    if (used + cost <= budget) {
      parts.push(html);
      used += cost;
      continue;
    }
    if (isTag(node) && SPLITTABLE.has(node.name)) {
      const partial = fitInside(node, budget - used - separatorBytes);
      if (partial !== undefined) parts.push(partial);
    }
    break;
  }
  return parts;
}

function fitInside(el: Element, budget: number): string | undefined {
  // The element's own tags: a shallow clone has its name and attributes and no children.
  const shell = serialiseNode(cloneNode(el, false));
  const closeAt = shell.lastIndexOf("</");
  const open = shell.slice(0, closeAt);
  const close = shell.slice(closeAt);
  const inner = fitNodes(el.children, budget - byteLength(open) - byteLength(close), "");
  // Keep the container only when at least one element of it fits, not just whitespace between them.
  if (!inner.some((part) => part.trim().startsWith("<"))) return undefined;
  return `${open}${inner.join("").replace(/\n+$/, "\n")}${close}`;
}

function cutText(text: string, maxBytes: number): string {
  const budget = maxBytes - byteLength("<p></p>");
  let kept = "";
  for (const word of text.split(" ")) {
    const candidate = kept === "" ? word : `${kept} ${word}`;
    if (byteLength(escapeHtml(candidate)) > budget) break;
    kept = candidate;
  }
  return kept === "" ? "" : `<p>${escapeHtml(kept)}</p>`;
}
