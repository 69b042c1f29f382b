import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type AnyNode, type Document, isComment, isTag, isText } from "domhandler";
import { describe, expect, it } from "vitest";
import { cleanDocument } from "./clean-html.js";
import { parseHtmlDocument } from "./html-document.js";
import { markdownToHtml } from "./markdown-to-html.js";
import { parsePlainHtml } from "./plain-html.js";
import { formatBlocks, serialiseRoot } from "./serialise-html.js";
import { textToHtml } from "./text-to-html.js";

// The quick parser may refuse any input, but what it accepts it must build exactly as parse5 does.
// These tests hold the two trees against each other node by node (names, namespaces, attributes in
// order and their map's prototype, text, comments) over real documents (every Markdown file of the
// repository through marked, the transform fixtures) and over seeded generated input: Markdown with
// embedded HTML, and HTML soup that is mostly plainly nested but mutated with every repair the HTML
// standard knows (misnesting, implied ends, table parts out of place, raw-text elements, odd
// comments and tag syntax, character references where decoders differ). Each suite also asserts
// how much it accepted, so a parser that refused everything could not pass.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const fixtures = path.resolve(repoRoot, "packages/connectors/test/transforms/fixtures");

function dump(node: AnyNode, depth = 0, lines: string[] = []): string[] {
  const indent = " ".repeat(depth);
  if (isTag(node)) {
    const attributes = Object.entries(node.attribs).map(
      ([name, value]) => `${name}=${JSON.stringify(value)}`,
    );
    const prototype = Object.getPrototypeOf(node.attribs) === null ? "null-proto" : "object-proto";
    lines.push(`${indent}<${node.name} ${node.namespace ?? "-"} ${prototype} ${attributes.join(" ")}>`);
    for (const child of node.children) dump(child, depth + 1, lines);
  } else if (isText(node)) {
    lines.push(`${indent}#text ${JSON.stringify(node.data)}`);
  } else if (isComment(node)) {
    lines.push(`${indent}#comment ${JSON.stringify(node.data)}`);
  } else {
    lines.push(`${indent}#${node.type}`);
    if ("children" in node) for (const child of node.children as AnyNode[]) dump(child, depth + 1, lines);
  }
  return lines;
}

function checkLinks(node: AnyNode): void {
  if (!("children" in node)) return;
  const children = node.children as AnyNode[];
  children.forEach((child, index) => {
    expect(child.parent).toBe(node);
    expect(child.prev).toBe(children[index - 1] ?? null);
    expect(child.next).toBe(children[index + 1] ?? null);
    checkLinks(child);
  });
}

/** Whether the quick parser accepted `html`; when it did, its tree must be parse5's. */
function agrees(html: string, label: string): boolean {
  const quick = parsePlainHtml(html);
  if (quick === undefined) return false;
  const standard = parseHtmlDocument(html);
  expect(dump(quick).join("\n"), `${label}\n--- input ---\n${html}`).toBe(dump(standard).join("\n"));
  expect(quick["x-mode"]).toBe(standard["x-mode"]);
  checkLinks(quick);
  return true;
}

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Character references where decoders differ: legacy names without `;`, names that prefix others,
// numeric references to NUL, C1 controls, surrogates and beyond Unicode, unknown names, bare `&`.
const REFERENCES = [
  ..."&amp; &lt; &gt; &quot; &apos; &nbsp; &nbsp &copy &copy; &not &notin; &notit; &ampx &AMP; &eacute;".split(
    " ",
  ),
  ..."&Eacute &#0; &#x80; &#x9F; &#150; &#xD800; &#x10FFFF; &#1114112; &#x110000; &#65; &#x41 &# &#x;".split(
    " ",
  ),
  ..."&unknownname; & &&; &lang; &rang; &frac12; &fjlig; &NotNestedGreaterGreater; &#10; &#13; &#32;".split(
    " ",
  ),
  "&copy=",
  "&amp=x",
];
const WORDS = [
  "invoice",
  "tab\there",
  "a < b",
  "x > y",
  '"quoted"',
  "it's",
  "ünïcödé",
  "日本語",
  "🎉",
  "back\\slash",
  "line\nbreak",
  "  spaced  ",
  "\n",
  "=",
  "/",
];

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

function text(random: Random): string {
  const parts: string[] = [];
  const count = 1 + Math.floor(random() * 4);
  for (let index = 0; index < count; index++)
    parts.push(random() < 0.3 ? pick(random, REFERENCES) : pick(random, WORDS));
  return parts.join(random() < 0.5 ? " " : "");
}

const ATTRIBUTE_NAMES = [
  "href",
  "src",
  "class",
  "id",
  "title",
  "alt",
  "data-x",
  "style",
  "CONSTRUCTOR",
  "role",
  "lang",
];

function attributes(random: Random): string {
  let out = "";
  const count = Math.floor(random() * 3);
  for (let index = 0; index < count; index++) {
    const name = pick(random, ATTRIBUTE_NAMES);
    const value =
      random() < 0.3
        ? pick(random, REFERENCES)
        : pick(random, ["x", "a b", "https://e.com/?a=1&b=2", "", "1"]);
    const form = random();
    if (form < 0.6) out += ` ${name}="${value.replace(/"/g, "&quot;")}"`;
    else if (form < 0.75) out += ` ${name}='${value.replace(/'/g, "&#39;")}'`;
    else if (form < 0.85) out += ` ${name}=${value.replace(/[\s"'=<>`]/g, "") || "v"}`;
    else if (form < 0.9) out += ` ${name}`;
    else
      out += pick(random, [
        ` ${name}="${value}"x=1`,
        ` ${name}=a"b`,
        ` ${name}  =  "spaced"`,
        ` _${name}="u"`,
        ` __proto__="p"`,
        `/`,
      ]);
  }
  return out;
}

// Plain nesting most of the time; table parts, list items and headings where they belong.
const FLOW = [
  "div",
  "p",
  "section",
  "blockquote",
  "ul",
  "ol",
  "dl",
  "table",
  "pre",
  "h2",
  "details",
  "figure",
];
const PHRASING = [
  "a",
  "b",
  "strong",
  "em",
  "i",
  "code",
  "span",
  "s",
  "u",
  "small",
  "sup",
  "kbd",
  "mark",
  "q",
];
const VOIDS = ["br", "img", "hr", "input", "wbr"];
// Elements and forms that make parse5 repair, insert or switch tokenizer state.
const TROUBLE = [
  "<p>",
  "</p>",
  "</div>",
  "<li>",
  "<td>",
  "<tr>",
  "</br>",
  "<br/>",
  "<div/>",
  "<script>x</script>",
  "<textarea>t</textarea>",
  "<title>t</title>",
  "<style>s</style>",
  "<svg><circle/></svg>",
  "<math><mi>x</mi></math>",
  "<template><p>t</p></template>",
  "<select><option>o</select>",
  "<button>b<button>c",
  "<form><form>",
  "<nobr>n<nobr>",
  "<image src=x>",
  "<a>in<a>nested",
  "<b><i>mis</b></i>",
  "<table>stray text<tr><td>c</table>",
  "<h1><h2>h</h2></h1>",
  "<pre>\nnewline</pre>",
  "<listing>l</listing>",
  "<!DOCTYPE html>",
  "<?pi x?>",
  "<![CDATA[c]]>",
  "<!-->",
  "<!--->",
  "<!-- a --!>",
  "<!-- a -- b -->",
  "<!--<!-- x -->",
  "<!-- ok -->",
  "</ b>",
  "<3",
  "</3",
  "<!x>",
  "<html lang=en>",
  "<body class=x>",
  "<head>",
  "<frameset>",
  "<caption>c",
  "<colgroup><col>",
  "<tbody>",
  "<dd>",
  "<dt>",
  "<center>",
  "<plaintext>p",
  "<xmp>x</xmp>",
  "<noscript>n</noscript>",
  "<iframe>i</iframe>",
  "<object>o</object>",
  "<marquee>m</marquee>",
  "<ruby>r<rt>t</ruby>",
  "<font>f",
  "\0",
  "\r\n",
  "<",
  "</unknown>",
  "<custom-el>c</custom-el>",
  "<A HREF=x>up</A>",
  "<P>upper</p>",
  "< p>",
  "<p\n class=x\n>",
  "<p class=x class=y>",
];

function soup(random: Random, depth: number, mutation: number): string {
  let out = "";
  const count = 1 + Math.floor(random() * 4);
  for (let index = 0; index < count; index++) {
    const roll = random();
    if (roll < mutation) {
      out += pick(random, TROUBLE);
    } else if (roll < 0.35 || depth > 4) {
      out += text(random);
    } else if (roll < 0.45) {
      out += `<${pick(random, VOIDS)}${attributes(random)}>`;
    } else if (roll < 0.7) {
      const name = pick(random, PHRASING);
      out += `<${name}${attributes(random)}>${soup(random, depth + 1, mutation)}</${name}>`;
    } else {
      out += block(random, pick(random, FLOW), depth, mutation);
    }
  }
  return out;
}

function phrasing(random: Random, depth: number, mutation: number): string {
  let out = "";
  const count = 1 + Math.floor(random() * 3);
  for (let index = 0; index < count; index++) {
    const roll = random();
    if (roll < mutation) out += pick(random, TROUBLE);
    else if (roll < 0.5 || depth > 4) out += text(random);
    else if (roll < 0.6)
      out += `<${pick(
        random,
        VOIDS.filter((name) => name !== "hr"),
      )}${attributes(random)}>`;
    else {
      const name = pick(random, PHRASING);
      out += `<${name}${attributes(random)}>${phrasing(random, depth + 1, mutation)}</${name}>`;
    }
  }
  return out;
}

function block(random: Random, name: string, depth: number, mutation: number): string {
  const ws = () => pick(random, ["", "\n", " ", "\n  "]);
  const inner = () => soup(random, depth + 1, mutation);
  switch (name) {
    case "ul":
    case "ol":
      return `<${name}>${ws()}<li>${inner()}</li>${ws()}<li>${inner()}</li>${ws()}</${name}>`;
    case "dl":
      return `<dl><dt>${inner()}</dt>${ws()}<dd>${inner()}</dd></dl>`;
    case "table": {
      const cell = (tag: string) => `<${tag}${attributes(random)}>${inner()}</${tag}>`;
      const head =
        random() < 0.5 ? `<thead>${ws()}<tr>${cell("th")}${ws()}${cell("th")}</tr>${ws()}</thead>` : "";
      return `<table>${ws()}${head}${ws()}<tbody>${ws()}<tr>${cell("td")}${ws()}${cell("td")}</tr>${ws()}</tbody>${ws()}</table>`;
    }
    case "pre":
      return `<pre>${random() < 0.5 ? "<code>" : ""}${text(random)}${random() < 0.5 ? "</code>" : ""}</pre>`;
    case "details":
      return `<details><summary>${text(random)}</summary>${inner()}</details>`;
    case "p":
    case "h2":
      // Phrasing content only: a block inside would be a repair (refused), not a test of agreement.
      return `<${name}${attributes(random)}>${phrasing(random, depth + 1, mutation)}</${name}>`;
    default:
      return `<${name}${attributes(random)}>${inner()}</${name}>`;
  }
}

function repositoryMarkdown(): { file: string; source: string }[] {
  return execFileSync("git", ["ls-files", "*.md"], { cwd: repoRoot, encoding: "utf8" })
    .split("\n")
    .filter((file) => file !== "")
    .map((file) => ({ file, source: readFileSync(path.join(repoRoot, file), "utf8") }));
}

function cleaned(document: Document): string {
  const { root } = cleanDocument(document, { url: "https://docs.example.com/a/b" });
  formatBlocks(root);
  return serialiseRoot(root);
}

describe("parsePlainHtml accepts only what it builds exactly as parse5", () => {
  it("over every Markdown file of the repository, through marked", () => {
    let accepted = 0;
    const documents = repositoryMarkdown();
    for (const { file, source } of documents) if (agrees(markdownToHtml(source), file)) accepted++;
    expect(documents.length).toBeGreaterThan(10);
    expect(accepted).toBeGreaterThan(documents.length / 2);
  });

  it("over the transform fixtures (real wiki and CMS pages: refused or identical)", () => {
    for (const fixture of [
      "cms-post.html",
      "confluence-page.html",
      "mediawiki-page.html",
      "relative-links.html",
    ]) {
      agrees(readFileSync(path.join(fixtures, fixture), "utf8"), fixture);
    }
    agrees(markdownToHtml(readFileSync(path.join(fixtures, "readme.md"), "utf8")), "readme.md");
  });

  it("over 6,000 generated HTML documents, plainly nested or mutated with what parse5 repairs", () => {
    const acceptedAt: Record<string, number> = {};
    for (const mutation of [0, 0.02, 0.1]) {
      let accepted = 0;
      for (let seed = 1; seed <= 2_000; seed++) {
        const random = prng(seed * 7 + Math.round(mutation * 1000));
        const leading = random() < 0.2 ? pick(random, [" ", "\n\t", "\f", "  x"]) : "";
        if (agrees(leading + soup(random, 0, mutation), `mutation ${mutation} seed ${seed}`)) accepted++;
      }
      acceptedAt[mutation] = accepted;
    }
    // Clean input must pass often (the generator also writes odd attributes and leading references,
    // which are refused), and
    // mutated input must be refused often: both directions of the check are exercised.
    expect(acceptedAt[0]).toBeGreaterThan(600);
    expect(acceptedAt[0.1]).toBeLessThan(acceptedAt[0] ?? 0);
    expect(acceptedAt[0.1]).toBeGreaterThan(50);
  });

  it("over Markdown with embedded HTML and plain text", () => {
    let accepted = 0;
    for (let seed = 1; seed <= 1_000; seed++) {
      const random = prng(seed);
      const markdown = [
        `# ${text(random)}`,
        `${text(random)} **${text(random)}** [link](https://e.com/${pick(random, ["a", "b?c=1&d=2"])})`,
        soup(random, 0, 0.02),
        `| a | b |\n| - | - |\n| ${text(random).replace(/\n/g, " ")} | \`${text(random).replace(/\n/g, " ")}\` |`,
        `- ${text(random).replace(/\n/g, " ")}\n- <span>${text(random).replace(/\n/g, " ")}</span>`,
        "```\ncode <b> & stuff\n```",
      ].join("\n\n");
      if (agrees(markdownToHtml(markdown), `markdown seed ${seed}`)) accepted++;
      agrees(textToHtml(text(random)), `text seed ${seed}`);
    }
    expect(accepted).toBeGreaterThan(200);
  });

  it("drops leading whitespace as parse5 does and normalises CR and refuses NUL as parse5's input stream does", () => {
    expect(agrees(" \n\t<p>a</p>\n", "leading whitespace")).toBe(true);
    expect(agrees("  text first<p>b</p>", "leading text")).toBe(true);
    expect(parsePlainHtml("<p>a\0b</p>")).toBeUndefined();
    expect(agrees("<p>a\r\nb\rc&#13;d</p>\r\n", "carriage returns")).toBe(true);
  });

  it("refuses each repair the standard would make", () => {
    for (const html of [
      "<p>a<div>b</div></p>",
      "<p><span><div>b</div></span></p>",
      "<ul><li>a<li>b</ul>",
      "<h1>a<h2>b</h2></h1>",
      "<a href=x>a<a href=y>b</a></a>",
      "<b>a<i>b</b>c</i>",
      "<table><tr><td>a</td></tr></table>",
      "<table>text<tbody></tbody></table>",
      "<pre>\ncode</pre>",
      "<div>unclosed",
      "</p>",
      "<br></br>",
      "<script>a</script>",
      "<!DOCTYPE html><p>a</p>",
      "<!--> x -->",
      "<p class=a class=b>x</p>extra</div>",
    ]) {
      expect(parsePlainHtml(html), html).toBeUndefined();
    }
  });
});

describe("the quick parser changes no output byte of the cleaner", () => {
  it("cleaning its tree gives the bytes of cleaning parse5's, over generated documents", () => {
    let compared = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const random = prng(90_000 + seed);
      const html = soup(random, 0, 0.01);
      const quick = parsePlainHtml(html);
      if (quick === undefined) continue;
      expect(cleaned(quick), html).toBe(cleaned(parseHtmlDocument(html)));
      compared++;
    }
    for (const { source } of repositoryMarkdown()) {
      const html = markdownToHtml(source);
      const quick = parsePlainHtml(html);
      if (quick === undefined) continue;
      expect(cleaned(quick)).toBe(cleaned(parseHtmlDocument(html)));
      compared++;
    }
    expect(compared).toBeGreaterThan(120);
  });
});
