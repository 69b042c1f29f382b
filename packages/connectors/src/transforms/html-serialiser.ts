import { type AnyNode, type Element, isComment, isTag, isText } from "domhandler";

const HTML_NAMESPACE = "http://www.w3.org/1999/xhtml";

/** Elements parse5's serialiser writes without children or end tag (in the HTML namespace). */
const VOID_ELEMENTS = new Set(
  "area base basefont bgsound br col embed frame hr img input keygen link meta param source track wbr".split(
    " ",
  ),
);
/** Elements whose text parse5 writes unescaped (scripting on, as our parses are). */
const RAW_TEXT_ELEMENTS = new Set("style script xmp iframe noembed noframes plaintext noscript".split(" "));

const TEXT_SPECIAL = /[&<>\u00a0]/;
const ATTRIBUTE_SPECIAL = /["&\u00a0]/;

/**
 * The outer HTML of a domhandler node exactly as parse5's serialiser writes it, for the nodes the
 * cleaned trees hold (elements, text, comments); undefined for anything else (a doctype, a
 * `<template>`, a namespaced attribute), which the caller hands to parse5. A plain recursive string
 * build: parse5's version goes through its tree adapter for every node and attribute, which made it
 * the largest part of writing a page. `html-serialiser.test.ts` holds the two against each other.
 */
export function serialiseOuter(node: AnyNode): string | undefined {
  const out: string[] = [];
  return write(node, out) ? out.join("") : undefined;
}

function write(node: AnyNode, out: string[]): boolean {
  if (isText(node)) {
    const parent = node.parent;
    const raw =
      parent !== null &&
      isTag(parent) &&
      parent.namespace === HTML_NAMESPACE &&
      RAW_TEXT_ELEMENTS.has(parent.name);
    out.push(raw ? node.data : escapeText(node.data));
    return true;
  }
  if (isTag(node)) return writeElement(node, out);
  if (isComment(node)) {
    out.push(`<!--${node.data}-->`);
    return true;
  }
  return false;
}

function writeElement(element: Element, out: string[]): boolean {
  const html = element.namespace === HTML_NAMESPACE;
  if (html && element.name === "template") return false;
  const namespaces = element["x-attribsNamespace"];
  let tag = `<${element.name}`;
  for (const name in element.attribs) {
    if (namespaces?.[name]) return false;
    tag += ` ${name}="${escapeAttribute(element.attribs[name] ?? "")}"`;
  }
  out.push(`${tag}>`);
  if (html && VOID_ELEMENTS.has(element.name)) return true;
  for (const child of element.children) if (!write(child, out)) return false;
  out.push(`</${element.name}>`);
  return true;
}

function escapeText(text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text;
  return text.replace(/[&<>\u00a0]/g, (char) =>
    char === "&" ? "&amp;" : char === "<" ? "&lt;" : char === ">" ? "&gt;" : "&nbsp;",
  );
}

function escapeAttribute(value: string): string {
  if (!ATTRIBUTE_SPECIAL.test(value)) return value;
  return value.replace(/["&\u00a0]/g, (char) =>
    char === '"' ? "&quot;" : char === "&" ? "&amp;" : "&nbsp;",
  );
}
