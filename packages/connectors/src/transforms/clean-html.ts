import { select } from "cheerio-select";
import {
  type AnyNode,
  type ChildNode,
  type Document,
  Element,
  isTag,
  isText,
  type ParentNode,
  type Text,
} from "domhandler";
import { BEACON_PATTERNS, CHROME_SELECTORS } from "./chrome-selectors.js";
import { setChildren } from "./dom-children.js";
import { parsePlainHtml } from "./plain-html.js";
import { ALLOWED_ELEMENTS, BLOCK_TAGS, MEANINGFUL_WHEN_EMPTY, WRAPPER_TAGS } from "./html-elements.js";
import { parseHtmlDocument, textOf } from "./html-document.js";
import { compileSimpleSelectors } from "./simple-selector-matcher.js";
import { createUrlRewriter, type UrlRewriter } from "./url-rewriting.js";

export interface CleanHtmlOptions {
  /** The document's URL: relative links and images resolve against it (or against `<base href>`). */
  url?: string;
  /** Extra selectors to drop, on top of CHROME_SELECTORS. */
  removeSelectors?: readonly string[];
}

/** The cleaned document, still as a tree so the size cap can cut it at block boundaries. */
export interface CleanedDocument {
  /** The `<body>` element; its children are the output, one block per line. */
  root: Element;
  /** Text of `<title>`, whitespace collapsed; undefined when absent or blank. */
  documentTitle: string | undefined;
  warnings: string[];
}

/** Where a page keeps its content, in order: the first kind that matches exactly one element wins. */
const MAIN_CONTENT: readonly ((element: Element) => boolean)[] = [
  (element) => element.name === "main",
  (element) => element.attribs.role === "main",
  (element) => element.name === "article",
];

/** The built-in chrome list, compiled once: matched against every element of every document. */
const isChrome = compileSimpleSelectors(CHROME_SELECTORS);

/** Wrappers that are site banners or sidebars unless they sit inside the page's content. */
const CONTENT_SCOPED = new Set(["aside", "header"]);
const CONTENT_ROOTS = new Set(["main", "article"]);

const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b/i;

/**
 * Parses HTML and reduces it to the content Fin should read. In order:
 * 1. keeps only the page's main content when it has exactly one `<main>`, `[role=main]` or `<article>`;
 * 2. drops comments, chrome (CHROME_SELECTORS plus `removeSelectors`), `<aside>`/`<header>` outside the
 *    content, elements hidden by inline style, and tracking pixels (images of 1×1 or fewer pixels,
 *    images from known analytics beacons);
 * 3. resolves `href`, `src`, `srcset` and `cite` against the document URL, drops javascript:/data:
 *    URLs and strips tracking parameters (`utm_*`, `fbclid`, `gclid`…); links left without a target are
 *    unwrapped, images without a source removed;
 * 4. keeps only semantic elements and attributes (ALLOWED_ELEMENTS); `class`, `style`, `data-*`, `on*`
 *    and `id` go, except ids that an in-page `#fragment` link points at and `language-*` classes on
 *    code (syntax hints); unknown inline elements such as `span` and `font` are unwrapped;
 * 5. turns grouping wrappers (`div`, `section`…) into paragraphs when they hold only inline content
 *    next to other content, and unwraps them otherwise; loose inline content at the top becomes `<p>`;
 * 6. collapses whitespace outside `<pre>` deterministically and drops elements left empty.
 */
export function cleanHtml(html: string, options: CleanHtmlOptions = {}): CleanedDocument {
  // Plainly nested HTML (converter output, tidy CMS bodies) gets parse5's tree from the quick parser;
  // anything that needs the standard's repairs is refused there and parsed by parse5.
  return cleanDocument(parsePlainHtml(html) ?? parseHtmlDocument(html), options);
}

/** cleanHtml on a tree parse5 built (or one equal to it); the tree is changed in place. */
export function cleanDocument(document: Document, options: CleanHtmlOptions = {}): CleanedDocument {
  const warnings: string[] = [];
  const landmarks = findLandmarks(document);
  const documentTitle = (landmarks.title && collapseWhitespace(textOf(landmarks.title))) || undefined;
  const rewriter = createUrlRewriter(resolveBase(options.url, landmarks.base?.attribs.href));
  const root = landmarks.body;
  if (root === undefined) throw new Error("the HTML parser produced no <body>");

  keepMainContent(root);
  const extra = options.removeSelectors ?? [];
  const { dropped, fragmentTargets } = findDropped(
    document,
    extra.length > 0 ? selectAll(document, extra) : undefined,
  );
  sanitiseChildren(root, { dropped, fragmentTargets, rewriter, root });
  if (rewriter.leftRelative) {
    warnings.push(
      "relative links or images were left relative: the document has no URL to resolve them against",
    );
  }
  wrapLooseInline(root);
  normaliseWhitespace(root);
  pruneEmpty(root);
  return { root, documentTitle, warnings };
}

interface Landmarks {
  /** The first `<title>`. */
  title?: Element;
  /** The first `<base>` with an `href`. */
  base?: Element;
  body?: Element;
}

/** The document's first `<title>`, first `<base href>` and `<body>`, in one walk. */
function findLandmarks(document: Document): Landmarks {
  const found: Landmarks = {};
  const walk = (parent: ParentNode): void => {
    for (const child of parent.children) {
      if (!isTag(child)) continue;
      if (child.name === "title") found.title ??= child;
      else if (child.name === "base" && child.attribs.href !== undefined) found.base ??= child;
      else if (child.name === "body") found.body ??= child;
      walk(child);
    }
  };
  walk(document);
  return found;
}

/** The elements the source's extra selectors match: full CSS, queried from the document as `$.root().find()` does. */
function selectAll(document: Document, selectors: readonly string[]): ReadonlySet<AnyNode> {
  const options = { context: [document], root: document, xmlMode: false };
  return new Set(select(selectors.join(","), document.children.filter(isTag), options));
}

/**
 * In one walk: everything the cleaning drops with its content (built-in chrome, elements the extra
 * selectors matched, `<aside>`/`<header>` outside the page's content), and the ids that surviving
 * in-page links point at (a dropped table of contents does not keep its targets' ids).
 */
function findDropped(
  document: Document,
  extra: ReadonlySet<AnyNode> | undefined,
): { dropped: Set<AnyNode>; fragmentTargets: Set<string> } {
  const dropped = new Set<AnyNode>();
  const fragmentTargets = new Set<string>();
  const walk = (parent: ParentNode, insideDropped: boolean, insideContent: boolean): void => {
    for (const child of parent.children) {
      if (!isTag(child)) continue;
      const isDropped =
        isChrome(child) || extra?.has(child) === true || (CONTENT_SCOPED.has(child.name) && !insideContent);
      if (isDropped) dropped.add(child);
      const href = child.attribs.href;
      if (child.name === "a" && href?.startsWith("#") && !isDropped && !insideDropped) {
        fragmentTargets.add(safeDecode(href.slice(1)));
      }
      if (child.children.length > 0) {
        walk(
          child,
          insideDropped || isDropped,
          insideContent || CONTENT_ROOTS.has(child.name) || child.attribs.role === "main",
        );
      }
    }
  };
  walk(document, false, false);
  return { dropped, fragmentTargets };
}

/** Calls `visit` for every element under `parent`, in document order. */
function forEachElement(parent: ParentNode, visit: (element: Element) => void): void {
  for (const child of parent.children) {
    if (!isTag(child)) continue;
    visit(child);
    forEachElement(child, visit);
  }
}

/** The first element under `parent` in document order that passes `test`. */
export function findFirst(parent: ParentNode, test: (element: Element) => boolean): Element | undefined {
  for (const child of parent.children) {
    if (!isTag(child)) continue;
    if (test(child)) return child;
    const found = findFirst(child, test);
    if (found !== undefined) return found;
  }
  return undefined;
}

interface SanitiseState {
  dropped: ReadonlySet<AnyNode>;
  fragmentTargets: ReadonlySet<string>;
  rewriter: UrlRewriter;
  root: Element;
}

/**
 * One post-order pass that rebuilds each child list once (linear even on flat pages with thousands
 * of siblings): drops comments, chrome, hidden elements and tracking pixels, rewrites URLs, filters
 * attributes, unwraps unknown elements, and turns each wrapper into a paragraph (only inline content,
 * and siblings or a place at the top) or replaces it by its children.
 */
function sanitiseChildren(parent: ParentNode, state: SanitiseState): void {
  const processed: ChildNode[] = [];
  for (const child of parent.children) {
    if (isText(child)) {
      processed.push(child);
      continue;
    }
    // Comments, processing instructions and doctype nodes are not tags: they go here.
    if (!isTag(child) || state.dropped.has(child)) continue;
    if (HIDDEN_STYLE.test(child.attribs.style ?? "")) continue;
    if (child.name === "img" && isTrackingPixel(child)) continue;
    rewriteUrls(child, state.rewriter);
    sanitiseChildren(child, state);
    if (ALLOWED_ELEMENTS.has(child.name)) {
      if (child.name === "img" && child.attribs.src === undefined) continue;
      if (child.name === "a" && child.attribs.href === undefined) {
        processed.push(...child.children);
        continue;
      }
      keepAllowedAttributes(child, state.fragmentTargets);
      if (!BLOCK_TAGS.has(child.name) && child.children.some(isBlock)) processed.push(...liftBlocks(child));
      else processed.push(child);
    } else if (WRAPPER_TAGS.has(child.name)) {
      processed.push(child);
    } else {
      processed.push(...child.children);
    }
  }
  if (!processed.some((node) => isTag(node) && WRAPPER_TAGS.has(node.name))) {
    setChildren(parent, processed);
    return;
  }
  let contentCount = 0;
  // \S is exactly what String#trim keeps: a node counts unless it is whitespace-only text.
  for (const node of processed) if (!isText(node) || /\S/.test(node.data)) contentCount++;
  const result: ChildNode[] = [];
  for (const node of processed) {
    if (!isTag(node) || !WRAPPER_TAGS.has(node.name)) {
      result.push(node);
      continue;
    }
    const hasBlockChild = node.children.some((child) => isTag(child) && BLOCK_TAGS.has(child.name));
    if (!hasBlockChild && (contentCount > 1 || parent === state.root)) {
      node.name = "p";
      node.attribs = {};
      result.push(node);
    } else {
      result.push(...node.children);
    }
  }
  setChildren(parent, result);
}

const isBlock = (node: ChildNode): boolean => isTag(node) && BLOCK_TAGS.has(node.name);

/** Blocks whose content is phrasing: the formatting of an inline element around them moves inside. */
const PHRASING_BLOCKS = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "dd", "summary"]);

/**
 * `<b>lead<p>text</p></b>` → `<b>lead</b><p><b>text</b></p>`. HTML parsers leave a paragraph that
 * opens inside unclosed formatting (a `<b>` never closed, before `</div>`s) within that element, and a
 * block inside an inline element became a paragraph inside a paragraph once the loose inline content
 * around it was wrapped. The formatting moves into paragraphs and headings; other blocks (lists,
 * tables) are lifted out as they are.
 */
function liftBlocks(inline: Element): ChildNode[] {
  const out: ChildNode[] = [];
  let run: ChildNode[] = [];
  const shell = (children: ChildNode[]): Element => {
    const copy = new Element(inline.name, { ...inline.attribs });
    setChildren(copy, children);
    return copy;
  };
  const flush = (): void => {
    if (run.some((node) => !isText(node) || /\S/.test(node.data))) out.push(shell(run));
    else out.push(...run);
    run = [];
  };
  for (const child of inline.children) {
    if (!isTag(child) || !BLOCK_TAGS.has(child.name)) {
      run.push(child);
      continue;
    }
    flush();
    if (PHRASING_BLOCKS.has(child.name) && child.children.length > 0)
      setChildren(child, [shell([...child.children])]);
    out.push(child);
  }
  flush();
  return out;
}

function rewriteUrls(el: Element, rewriter: UrlRewriter): void {
  for (const name of ["href", "src", "cite"] as const) {
    const value = el.attribs[name];
    if (value === undefined) continue;
    const rewritten = rewriter.rewrite(value, name === "src" ? "resource" : "link");
    if (rewritten === undefined) delete el.attribs[name];
    else el.attribs[name] = rewritten;
  }
  const srcset = el.attribs.srcset;
  if (srcset !== undefined) {
    const rewritten = rewriter.rewriteSrcset(srcset);
    if (rewritten === undefined) delete el.attribs.srcset;
    else el.attribs.srcset = rewritten;
  }
}

/** Collapses runs of HTML whitespace to one space and trims; non-breaking spaces are kept. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[ \t\n\r\f]+/g, " ").trim();
}

function resolveBase(url: string | undefined, baseHref: string | undefined): string | undefined {
  if (baseHref === undefined) return url;
  try {
    return new URL(baseHref.trim(), url).href;
  } catch {
    return url;
  }
}

/** Keeps only the page's main content when it has exactly one `<main>`, `[role=main]` or `<article>`. */
function keepMainContent(root: Element): void {
  const matches: Element[][] = MAIN_CONTENT.map(() => []);
  forEachElement(root, (element) => {
    MAIN_CONTENT.forEach((isMain, kind) => {
      if (isMain(element)) matches[kind]?.push(element);
    });
  });
  for (const candidates of matches) {
    const [only] = candidates;
    if (candidates.length !== 1 || only === undefined) continue;
    for (const child of root.children) {
      child.parent = null;
      child.prev = null;
      child.next = null;
    }
    const oldParent = only.parent;
    if (oldParent !== null)
      setChildren(
        oldParent,
        oldParent.children.filter((child) => child !== only),
      );
    setChildren(root, [only]);
    return;
  }
}

function isTrackingPixel(img: Element): boolean {
  const src = img.attribs.src ?? "";
  if (BEACON_PATTERNS.some((pattern) => pattern.test(src))) return true;
  const style = img.attribs.style ?? "";
  const width = Number.parseFloat(
    img.attribs.width ?? /(?:^|;)\s*width\s*:\s*([\d.]+)px/i.exec(style)?.[1] ?? "",
  );
  const height = Number.parseFloat(
    img.attribs.height ?? /(?:^|;)\s*height\s*:\s*([\d.]+)px/i.exec(style)?.[1] ?? "",
  );
  return width <= 1 && height <= 1;
}

function keepAllowedAttributes(el: Element, fragmentTargets: ReadonlySet<string>): void {
  const allowed = ALLOWED_ELEMENTS.get(el.name) ?? [];
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(el.attribs)) {
    if (allowed.includes(name) || name === "lang" || name === "dir") kept[name] = value;
    else if (name === "id" && fragmentTargets.has(value)) kept[name] = value;
    else if (name === "class" && (el.name === "code" || el.name === "pre")) {
      const languages = value.split(/\s+/).filter((c) => /^(?:language|lang)-[\w+#-]+$/.test(c));
      if (languages.length > 0) kept[name] = languages.join(" ");
    }
  }
  el.attribs = kept;
}

/** Wraps runs of text and inline elements that sit directly in the root into paragraphs. */
function wrapLooseInline(root: Element): void {
  const result: ChildNode[] = [];
  let run: ChildNode[] = [];
  const flush = (): void => {
    if (run.some((node) => (isText(node) ? node.data.trim() !== "" : true))) {
      const paragraph = new Element("p", {});
      setChildren(paragraph, run);
      result.push(paragraph);
    } else {
      result.push(...run);
    }
    run = [];
  };
  for (const child of root.children) {
    if (isTag(child) && BLOCK_TAGS.has(child.name)) {
      flush();
      result.push(child);
    } else {
      run.push(child);
    }
  }
  flush();
  setChildren(root, result);
}

type InlineRunItem = Text | "atom";

/** Whitespace that collapsing would change: a tab, newline, CR, form feed, or two spaces in a row. */
const NEEDS_COLLAPSE = /[\t\n\r\f]| {2}/;

/**
 * Collapses whitespace the way a browser renders it, but in the markup: inside each block, runs of
 * whitespace become one space, and spaces at the start and end of a line (block edges, `<br>`) go.
 * `<pre>` is left untouched. The result depends only on the input, so hashes are stable.
 */
function normaliseWhitespace(block: ParentNode): void {
  let run: InlineRunItem[] = [];
  const flush = (): void => {
    let previousEndsWithSpace = true;
    for (const item of run) {
      if (item === "atom") {
        previousEndsWithSpace = false;
        continue;
      }
      // Most text is already collapsed (one space between words): skip the replace there.
      let data = NEEDS_COLLAPSE.test(item.data) ? item.data.replace(/[ \t\n\r\f]+/g, " ") : item.data;
      if (previousEndsWithSpace && data.startsWith(" ")) data = data.slice(1);
      if (data !== "") previousEndsWithSpace = data.endsWith(" ");
      item.data = data;
    }
    for (let index = run.length - 1; index >= 0; index--) {
      const item = run[index];
      if (item === undefined || item === "atom") break;
      if (item.data === "") continue;
      item.data = item.data.replace(/ $/, "");
      if (item.data !== "") break;
    }
    run = [];
  };
  const visit = (node: AnyNode): void => {
    if (isText(node)) {
      run.push(node);
    } else if (isTag(node)) {
      if (node.name === "pre" || node.name === "br") {
        flush();
      } else if (node.name === "img") {
        run.push("atom");
      } else if (BLOCK_TAGS.has(node.name)) {
        flush();
        normaliseWhitespace(node);
      } else {
        for (const child of node.children) visit(child);
      }
    }
  };
  for (const child of block.children) visit(child);
  flush();
  removeEmptyText(block);
}

function removeEmptyText(node: ParentNode): void {
  const kept = node.children.filter((child) => !(isText(child) && child.data === ""));
  if (kept.length !== node.children.length) setChildren(node, kept);
  for (const child of kept) {
    if (isTag(child) && child.name !== "pre") removeEmptyText(child);
  }
}

/** Elements that are content by themselves: their ancestors are never empty. */
const CONTENT_ELEMENTS = new Set(["img", "hr", "td", "th"]);

/**
 * Drops elements with no text and nothing meaningful inside (spacer paragraphs, emptied wrappers,
 * icon-only links) and `<br>` at the very start or end of a block. Returns whether `parent` holds
 * content. Non-breaking spaces alone do not count as text.
 */
function pruneEmpty(parent: ParentNode): boolean {
  let hasContent = false;
  const kept: ChildNode[] = [];
  for (const child of parent.children) {
    if (isText(child)) {
      kept.push(child);
      if (/[^\s\u00a0]/.test(child.data)) hasContent = true;
    } else if (isTag(child)) {
      const childHasContent = pruneEmpty(child) || CONTENT_ELEMENTS.has(child.name);
      if (childHasContent || MEANINGFUL_WHEN_EMPTY.has(child.name)) kept.push(child);
      if (childHasContent) hasContent = true;
    }
  }
  if (isTag(parent) && BLOCK_TAGS.has(parent.name)) {
    const isBlank = (node: ChildNode | undefined): boolean =>
      node !== undefined && isText(node) && node.data.trim() === "";
    const isBreak = (node: ChildNode | undefined): boolean =>
      node !== undefined && isTag(node) && node.name === "br";
    let first = 0;
    while (first < kept.length && (isBlank(kept[first]) || isBreak(kept[first]))) first++;
    let last = kept.length;
    while (last > first && (isBlank(kept[last - 1]) || isBreak(kept[last - 1]))) last--;
    setChildren(
      parent,
      kept.filter((node, index) => (index >= first && index < last) || !isBreak(node)),
    );
  } else {
    setChildren(parent, kept);
  }
  return hasContent;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
