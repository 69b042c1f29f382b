import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { select } from "cheerio-select";
import { type Element, isTag, type ParentNode } from "domhandler";
import { describe, expect, it } from "vitest";
import { CHROME_SELECTORS } from "./chrome-selectors.js";
import { parseHtmlDocument } from "./html-document.js";
import { compileSimpleSelectors } from "./simple-selector-matcher.js";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/transforms/fixtures");

function elementsOf(parent: ParentNode, into: Element[] = []): Element[] {
  for (const child of parent.children) {
    if (!isTag(child)) continue;
    into.push(child);
    elementsOf(child, into);
  }
  return into;
}

/** Edge cases of the selector forms: class tokens, case, whitespace, values that only look alike. */
const TRICKY = `<!doctype html><html><head><title>t</title><link rel="x"></head><body>
<div class="toc">a</div><div class="TOC">b</div><div class="x toc y">c</div><div class="tocx">d</div>
<div class="x\ttoc">e</div><p id="toc">f</p><p id="Toc">g</p><p hidden>h</p><p hidden="">i</p>
<p aria-hidden="true">j</p><p aria-hidden="false">k</p><p aria-hidden="TRUE">l</p>
<div role="navigation">m</div><div role="Navigation">n</div><div role="navigation main">o</div>
<svg><title>p</title></svg><NAV>q</NAV><span class="breadcrumbs mw-editsection">r</span>
<form><input><button>s</button></form><div class="comments-area sharedaddy">t</div></body></html>`;

describe("compileSimpleSelectors", () => {
  it("selects exactly what css-select selects for the built-in chrome list", async () => {
    const isChrome = compileSimpleSelectors(CHROME_SELECTORS);
    const sources = [TRICKY];
    for (const file of await readdir(fixtures)) {
      if (file.endsWith(".html")) sources.push(await readFile(path.join(fixtures, file), "utf8"));
    }
    for (const html of sources) {
      const document = parseHtmlDocument(html);
      const expected = new Set(
        select(CHROME_SELECTORS.join(","), document.children.filter(isTag), {
          context: [document],
          root: document,
        }),
      );
      const all = elementsOf(document);
      if (html === TRICKY) expect(expected.size).toBeGreaterThan(10);
      for (const element of all)
        expect([element.name, isChrome(element)]).toEqual([element.name, expected.has(element)]);
    }
  });

  it("refuses a selector that is not one of the simple forms, naming it", () => {
    expect(() => compileSimpleSelectors(["nav", "div > p"])).toThrow(/"div > p" is not a simple selector/);
    expect(() => compileSimpleSelectors(["[role=main i]"])).toThrow(/role=main i/);
  });
});
