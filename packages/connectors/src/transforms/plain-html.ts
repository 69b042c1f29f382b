import { type ChildNode, Document, DomHandler, Element, type ParentNode } from "domhandler";
import { type Handler, Parser } from "htmlparser2";
import { setChildren } from "./dom-children.js";

const HTML_NAMESPACE = "http://www.w3.org/1999/xhtml";

/**
 * Builds the tree of well-formed HTML (what our converters write, and the tidy raw HTML Markdown
 * authors embed) exactly as parse5 builds it, at a fraction of parse5's cost; undefined when the
 * HTML is not plainly nested, and the caller then uses parse5 (`parseHtmlDocument`).
 *
 * parse5 runs the HTML standard's tree construction, whose rules exist to repair markup: implied end
 * tags, misnested formatting, paragraphs a block closes, tables with stray content. On HTML that
 * needs none of that, the standard's algorithm reduces to plain nesting, which htmlparser2 does, plus
 * what parse5 adds around any input: `<html>`, `<head>` and `<body>`, the whitespace it drops before
 * the body starts, and the HTML namespace on every element (parse5's serialiser writes void elements
 * without an end tag only in that namespace). So this parser accepts only HTML where no repair rule
 * can fire — see `PlainNestingCheck` — and refuses everything else. The differential tests
 * (`plain-html.differential.test.ts`) hold the two parsers' trees against each other.
 */
export function parsePlainHtml(html: string): Document | undefined {
  const checked = checkPlainHtml(html);
  return "document" in checked ? checked.document : undefined;
}

/** parsePlainHtml, saying why it refused. */
export function checkPlainHtml(html: string): { document: Document } | { refusal: string } {
  // NUL is dropped from text by parse5; bogus comments and markup declarations are states whose
  // results htmlparser2 does not reproduce.
  if (html.includes("\0")) return { refusal: "NUL character" };
  if (STRAY_MARKUP.test(html)) return { refusal: "markup that opens a bogus comment or declaration" };
  // parse5 ignores whitespace before the first tag or text of a document (initial, before html,
  // before head): the body's first text starts at the first other character. A leading character
  // reference may decode to whitespace, and a leading comment goes to the document, not the body.
  // parse5's input stream turns CR LF and lone CR into LF before tokenising (a `&#13;` reference
  // still decodes to CR), and so does this.
  const source = (html.includes("\r") ? html.replace(/\r\n?/g, "\n") : html).replace(/^[\t\n\f ]+/, "");
  if (source.startsWith("&")) return { refusal: "starts with a character reference" };
  if (source.startsWith("<!--")) return { refusal: "starts with a comment" };
  const handler = new PlainNestingCheck(source);
  new Parser(handler, { decodeEntities: true, recognizeSelfClosing: false }).end(source);
  if (handler.refused) return { refusal: handler.reason };
  // An end tag that matches no open element produces no event in htmlparser2; parse5 ignores most
  // but not all of them (`</body>` moves later comments out of the body): every end tag in the
  // source must be one the check saw close its element.
  if (handler.endTagsClosed !== countEndTags(source)) return { refusal: "an end tag that closes nothing" };
  return { document: wrapInDocument(handler.dom.root.children) };
}

/** `</` occurrences; STRAY_MARKUP has made sure each is followed by a letter (an end tag). */
function countEndTags(source: string): number {
  let count = 0;
  for (let at = source.indexOf("</"); at >= 0; at = source.indexOf("</", at + 2)) count++;
  return count;
}

// `<` before a letter opens a tag and before anything else but `/`, `!` and `?` is text in both parsers;
// `</` before a non-letter, `<!` other than a comment, `<?` and a `<` at the very end are not.
const STRAY_MARKUP = /<(?:\/(?![a-zA-Z])|!(?!--)|\?|$)/;
const RAW_START_TAG =
  /^<[a-zA-Z][a-zA-Z0-9]*(?:[\t\n\f ]+[a-zA-Z:][a-zA-Z0-9_:.-]*(?:[\t\n\f ]*=[\t\n\f ]*(?:"[^"]*"|'[^']*'|[^\t\n\f "'=<>`]+))?)*[\t\n\f ]*\/?>$/;
const RAW_END_TAG = /^<\/[a-zA-Z][a-zA-Z0-9]*[\t\n\f ]*>$/;
const WHITESPACE = /^[\t\n\f\r ]*$/;

/** Elements whose start tag needs no rule beyond nesting (in the contexts checked below). */
const PLAIN_ELEMENTS = new Set([
  ..."a abbr article aside b bdi bdo blockquote br cite code dd del details dfn div dl dt em".split(" "),
  ..."figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img input ins kbd li main mark nav ol p".split(
    " ",
  ),
  ..."pre q s samp section small span strong sub summary sup table tbody td tfoot th thead time tr u".split(
    " ",
  ),
  ..."ul var wbr".split(" "),
]);
const VOID_ELEMENTS = new Set(["br", "hr", "img", "input", "wbr"]);
/** Start tags that close an open `<p>` (parse5's "in body" rules); refused while any `<p>` is open. */
const CLOSES_PARAGRAPH = new Set([
  ..."article aside blockquote details div dl figcaption figure footer header main nav ol p section".split(
    " ",
  ),
  ..."summary ul h1 h2 h3 h4 h5 h6 pre li dd dt table hr".split(" "),
]);
const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
/** Where each table part may open: anywhere else the table algorithm would insert or foster-parent. */
const REQUIRED_PARENT: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["thead", new Set(["table"])],
  ["tbody", new Set(["table"])],
  ["tfoot", new Set(["table"])],
  ["tr", new Set(["thead", "tbody", "tfoot"])],
  ["td", new Set(["tr"])],
  ["th", new Set(["tr"])],
  ["li", new Set(["ul", "ol"])],
  ["dd", new Set(["dl"])],
  ["dt", new Set(["dl"])],
]);
/** Elements whose children are only the table parts above: text there must be whitespace. */
const TABLE_CONTEXT = new Map([
  ["table", new Set(["thead", "tbody", "tfoot"])],
  ["thead", new Set(["tr"])],
  ["tbody", new Set(["tr"])],
  ["tfoot", new Set(["tr"])],
  ["tr", new Set(["td", "th"])],
]);

/**
 * htmlparser2's handler that builds the tree (a DomHandler, which it feeds) and refuses, at the first event where parse5 could build something else than
 * plain nesting: an implied start or end tag (htmlparser2's own repairs), an end tag other than the
 * current element's, an element outside PLAIN_ELEMENTS or outside its required parent, a block start
 * tag while a `<p>` is open, a heading in a heading, a link in a link, text in a table's structure,
 * a newline right after `<pre>` (parse5 drops it), declarations, processing instructions, CDATA,
 * comments that are not plain `<!--…-->`, and tags whose raw syntax is not the plain form.
 */
class PlainNestingCheck implements Partial<Handler> {
  readonly dom = new DomHandler(undefined, undefined, markHtmlNamespace);
  refused = false;
  /** End tags that closed the element they name (the source must hold no other). */
  endTagsClosed = 0;
  private tokens: Parser | undefined;
  private readonly open: string[] = [];
  private openParagraphs = 0;
  private openHeadings = 0;
  private openLinks = 0;
  private afterPre = false;

  /** `source`: the text the parser is given, which the raw-syntax checks read tokens from. */
  constructor(private readonly source: string) {}

  /** The source text of the current token (tag, comment), from the parser's indices. */
  private raw(): string {
    if (this.tokens === undefined) return "";
    return this.source.slice(this.tokens.startIndex, this.tokens.endIndex + 1);
  }

  /** Length of the current token in the source. */
  private tokenLength(): number {
    return this.tokens === undefined ? -1 : this.tokens.endIndex - this.tokens.startIndex + 1;
  }

  onparserinit(parser: Parser): void {
    this.tokens = parser;
    this.dom.onparserinit(parser);
  }

  onreset(): void {
    this.dom.onreset();
  }

  onerror(error: Error): void {
    this.dom.onerror(error);
  }

  oncommentend(): void {
    this.dom.oncommentend();
  }

  /** Why the check refused (for tests and debugging). */
  reason = "";

  private refuse(reason: string): void {
    this.reason ||= reason;
    this.refused = true;
    this.tokens?.pause();
  }

  onopentag(name: string, attribs: Record<string, string>, isImplied?: boolean): void {
    this.afterPre = false;
    if (this.refused) return;
    const problem = this.startTagProblem(name, attribs, isImplied === true);
    if (problem !== undefined) {
      this.refuse(`<${name}>: ${problem}`);
      return;
    }
    // parse5's attribute maps have no prototype (an attribute may be named `constructor`).
    this.dom.onopentag(name, Object.assign(Object.create(null) as Record<string, string>, attribs));
    if (VOID_ELEMENTS.has(name)) return;
    this.open.push(name);
    this.countOpen(name, 1);
    this.afterPre = name === "pre";
  }

  private startTagProblem(
    name: string,
    attribs: Record<string, string>,
    isImplied: boolean,
  ): string | undefined {
    const parent = this.open.at(-1);
    const requiredParent = REQUIRED_PARENT.get(name);
    const tableChildren = parent === undefined ? undefined : TABLE_CONTEXT.get(parent);
    if (isImplied) return "implied by an end tag";
    if (!PLAIN_ELEMENTS.has(name)) return "not a plain element";
    // `<name>` exactly (no attributes, nothing else between the brackets) needs no syntax check.
    const bare = this.tokenLength() === name.length + 2 && attribsEmpty(attribs);
    if (!bare && !RAW_START_TAG.test(this.raw())) return "tag syntax is not the plain form";
    if (requiredParent !== undefined && (parent === undefined || !requiredParent.has(parent)))
      return `outside ${[...requiredParent].join("/")}`;
    if (tableChildren !== undefined && !tableChildren.has(name)) return `inside <${parent}>`;
    if (CLOSES_PARAGRAPH.has(name) && this.openParagraphs > 0) return "would close the open <p>";
    if (HEADINGS.has(name) && this.openHeadings > 0) return "inside a heading";
    if (name === "a" && this.openLinks > 0) return "inside a link";
    return undefined;
  }

  /** Keeps the counts of open `<p>`, headings and links that the start-tag rules consult. */
  private countOpen(name: string, change: 1 | -1): void {
    if (name === "p") this.openParagraphs += change;
    else if (name === "a") this.openLinks += change;
    else if (HEADINGS.has(name)) this.openHeadings += change;
  }

  onclosetag(name: string, isImplied?: boolean): void {
    this.afterPre = false;
    if (this.refused) return;
    if (VOID_ELEMENTS.has(name)) {
      // htmlparser2 closes a void element right after opening it (implied); an end tag `</br>` is refused.
      if (isImplied !== true) this.refuse(`</${name}>: end tag of a void element`);
      else this.dom.onclosetag();
      return;
    }
    // `</name>` exactly needs no syntax check.
    const bare = this.tokenLength() === name.length + 3;
    if (isImplied === true || this.open.at(-1) !== name || (!bare && !RAW_END_TAG.test(this.raw()))) {
      this.refuse(`</${name}>: ${isImplied === true ? "implied" : "not the current element's end tag"}`);
      return;
    }
    this.endTagsClosed++;
    this.open.pop();
    this.countOpen(name, -1);
    this.dom.onclosetag();
  }

  ontext(data: string): void {
    if (this.refused) return;
    const parent = this.open.at(-1);
    if (
      (this.afterPre && data.startsWith("\n")) ||
      (parent !== undefined && TABLE_CONTEXT.has(parent) && !WHITESPACE.test(data))
    ) {
      this.refuse(this.afterPre ? "newline after <pre>" : `text inside <${parent}>`);
      return;
    }
    this.afterPre = false;
    this.dom.ontext(data);
  }

  oncomment(data: string): void {
    this.afterPre = false;
    if (this.refused) return;
    // The HTML standard's valid comment: parse5 and htmlparser2 agree on exactly these.
    const plain =
      this.raw() === `<!--${data}-->` &&
      !data.startsWith(">") &&
      !data.startsWith("->") &&
      !data.includes("--!>") &&
      !data.includes("<!--") &&
      !data.endsWith("<!-");
    if (!plain) {
      this.refuse("comment is not plain");
      return;
    }
    this.dom.oncomment(data);
  }

  onprocessinginstruction(): void {
    this.refuse("declaration or processing instruction");
  }

  oncdatastart(): void {
    this.refuse("CDATA");
  }

  onend(): void {
    // Elements still open at the end would be closed by implied end tags: htmlparser2 reports those
    // through onclosetag(…, true), which refuses; this covers an input that ends inside a tag.
    if (this.open.length > 0) this.refuse("elements left open");
    this.dom.onend();
  }
}

function attribsEmpty(attribs: Record<string, string>): boolean {
  for (const _ in attribs) return false;
  return true;
}

function markHtmlNamespace(element: Element): void {
  element.namespace = HTML_NAMESPACE;
  element["x-attribsNamespace"] = {};
  element["x-attribsPrefix"] = {};
}

/** `<html><head></head><body>…</body></html>` around the content, as parse5 builds it (quirks mode: no doctype). */
function wrapInDocument(content: ChildNode[]): Document {
  const element = (name: string, children: ChildNode[]): Element => {
    const created = new Element(name, Object.create(null) as Record<string, string>);
    markHtmlNamespace(created);
    setChildren(created, children);
    return created;
  };
  const body = element("body", content);
  const root = element("html", [element("head", []), body]);
  const document = new Document([]);
  document["x-mode"] = "quirks";
  setChildren(document as ParentNode, [root]);
  return document;
}
