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
import { pick, prng, soup, text } from "../../test/transforms/html-soup.js";

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
