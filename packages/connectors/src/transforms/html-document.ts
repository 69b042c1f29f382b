import type { AnyNode, Document } from "domhandler";
import { textContent } from "domutils";
import { parse, parseFragment, serializeOuter } from "parse5";
import { adapter } from "parse5-htmlparser2-tree-adapter";
import { serialiseOuter } from "./html-serialiser.js";

/**
 * The HTML toolchain of the transforms, without cheerio's wrapper objects: parse5 (the HTML standard's
 * tree construction) builds a domhandler tree through the htmlparser2 tree adapter, and parse5's
 * serialiser writes it back. These are exactly the calls cheerio's `load` and `$.html(node)` make
 * with their default options, so the output bytes are the same; going direct skips cheerio's
 * selection objects, which cost more than the parse itself on every document.
 */

/** Parses a whole HTML document, as `cheerio.load(html)` does (scripting on: `<noscript>` is raw text). */
export function parseHtmlDocument(html: string): Document {
  return parse(html, { treeAdapter: adapter, scriptingEnabled: true });
}

/** Parses an HTML fragment (a title with entities and inline tags), as `cheerio.load(html, null, false)`. */
export function parseHtmlFragment(html: string): Document {
  return parseFragment(html, { treeAdapter: adapter, scriptingEnabled: true });
}

const serialiseOptions = { treeAdapter: adapter };

/** The node's outer HTML, as `$.html(node)` renders it (parse5's bytes; see html-serialiser.ts). */
export function serialiseNode(node: AnyNode): string {
  return serialiseOuter(node) ?? serializeOuter(node, serialiseOptions);
}

/** parse5's own serialiser, always: what the quick one is held against. */
export function serialiseNodeWithParse5(node: AnyNode): string {
  return serializeOuter(node, serialiseOptions);
}

/** The text of the node and everything inside it (comments excluded), as cheerio's `.text()`. */
export function textOf(node: AnyNode): string {
  return textContent(node);
}
