import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type AnyNode, Element, isDocument, isTag, Text } from "domhandler";
import { describe, expect, it } from "vitest";
import { prng, soup } from "../../test/transforms/html-soup.js";
import { cleanDocument } from "./clean-html.js";
import { parseHtmlDocument, parseHtmlFragment, serialiseNodeWithParse5 } from "./html-document.js";
import { serialiseOuter } from "./html-serialiser.js";
import { markdownToHtml } from "./markdown-to-html.js";
import { parsePlainHtml } from "./plain-html.js";
import { formatBlocks } from "./serialise-html.js";

// serialiseOuter must write parse5's bytes for every node it accepts, and accept what cleaned pages
// hold. Each tree below is serialised whole and node by node, both ways.
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/transforms/fixtures");

function compareEverywhere(node: AnyNode, label: string): number {
  let accepted = 0;
  const visit = (current: AnyNode): void => {
    const quick = serialiseOuter(current);
    if (quick !== undefined) {
      expect(quick, label).toBe(serialiseNodeWithParse5(current));
      accepted++;
    }
    if (isTag(current) || isDocument(current)) for (const child of current.children) visit(child);
  };
  visit(node);
  return accepted;
}

function cleanedRoot(html: string): Element {
  const { root } = cleanDocument(parseHtmlDocument(html), { url: "https://docs.example.com/a/b" });
  formatBlocks(root);
  return root;
}

describe("serialiseOuter writes parse5's bytes", () => {
  it("for the fixtures as parsed and as cleaned", () => {
    for (const fixture of [
      "cms-post.html",
      "confluence-page.html",
      "mediawiki-page.html",
      "relative-links.html",
    ]) {
      const html = readFileSync(path.join(fixtures, fixture), "utf8");
      compareEverywhere(parseHtmlDocument(html), fixture);
      expect(compareEverywhere(cleanedRoot(html), `${fixture} cleaned`)).toBeGreaterThan(10);
    }
    const readme = markdownToHtml(readFileSync(path.join(fixtures, "readme.md"), "utf8"));
    expect(compareEverywhere(cleanedRoot(readme), "readme.md cleaned")).toBeGreaterThan(10);
  });

  it("for 1,500 generated documents, parsed by parse5 or the quick parser, raw and cleaned", () => {
    let accepted = 0;
    for (let seed = 1; seed <= 500; seed++) {
      for (const mutation of [0, 0.05, 0.3]) {
        const html = soup(prng(seed * 13 + mutation * 100), 0, mutation);
        accepted += compareEverywhere(parseHtmlDocument(html), `parse5 seed ${seed}`);
        const quick = parsePlainHtml(html);
        if (quick !== undefined) accepted += compareEverywhere(quick, `quick seed ${seed}`);
        // A generated `<frameset>` leaves no body to clean; everything else is cleaned and compared.
        const document = parseHtmlDocument(html);
        if (
          document.children.some(
            (node) => isTag(node) && node.children.some((child) => isTag(child) && child.name === "body"),
          )
        )
          accepted += compareEverywhere(cleanedRoot(html), `cleaned seed ${seed}`);
      }
    }
    expect(accepted).toBeGreaterThan(20_000);
  });

  it("escapes text and attributes as parse5 does, raw-text elements included", () => {
    const html =
      '<p title="a &quot;b&quot; &amp; c\u00a0d <e>">x &amp; y &lt;z&gt; \u00a0</p><script>if (a < b && c) {}</script>' +
      "<style>p > a { }</style><noscript><b>n</b></noscript><textarea>t &amp; u</textarea><xmp>x < y</xmp>";
    expect(compareEverywhere(parseHtmlDocument(html), "escapes")).toBeGreaterThan(8);
  });

  it("writes elements created outside a parser (no namespace) as parse5 does: an end tag even for br", () => {
    const made = new Element("p", {});
    const br = new Element("br", {});
    made.children = [new Text("a < b"), br];
    for (const child of made.children) child.parent = made;
    expect(serialiseOuter(made)).toBe(serialiseNodeWithParse5(made));
    expect(serialiseOuter(made)).toBe("<p>a &lt; b<br></br></p>");
  });

  it("hands parse5 what it does not write itself: templates, namespaced attributes, doctypes", () => {
    const document = parseHtmlDocument(
      '<!DOCTYPE html><template><p>t</p></template><svg><use xlink:href="#a"></use></svg>',
    );
    expect(serialiseOuter(document)).toBeUndefined();
    const [template] = parseHtmlFragment("<template><p>t</p></template>").children;
    expect(template && serialiseOuter(template)).toBeUndefined();
  });
});
