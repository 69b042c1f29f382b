import { describe, expect, it } from "vitest";
import { toCleanHtml } from "./to-clean-html.js";
import { isTransformError, type TransformError } from "./transform-error.js";
import { DEFAULT_MAX_BYTES, transformOptionsSchema } from "./transform-options.js";

const html = (source: string) => ({ kind: "html", html: source }) as const;

async function transformError(promise: Promise<unknown>): Promise<TransformError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isTransformError(error)) throw new Error(`expected a TransformError, got ${String(error)}`);
  return error;
}

describe("toCleanHtml: body kinds", () => {
  it("turns plain text into escaped paragraphs with line breaks", async () => {
    const result = await toCleanHtml({
      body: { kind: "text", text: 'Dear <customer> & team,\r\nline two\n\n\n  Second "paragraph"  \n' },
    });
    expect(result.html).toBe(
      '<p>Dear &lt;customer&gt; &amp; team,<br>line two</p>\n<p>Second "paragraph"</p>',
    );
    expect(result.title).toBeUndefined();
  });

  it("rejects binary media types it cannot convert, naming the type", async () => {
    const error = await transformError(
      toCleanHtml({ body: { kind: "binary", mediaType: "image/png", data: new Uint8Array([1, 2]) } }),
    );
    expect(error.kind).toBe("unsupported");
    expect(error.mediaType).toBe("image/png");
    expect(error.message).toContain('"image/png"');
  });

  it("decodes textual media types that arrive as bytes", async () => {
    const data = new TextEncoder().encode("# Hello\n\nWorld");
    const result = await toCleanHtml({
      body: { kind: "binary", mediaType: "text/markdown; charset=utf-8", data },
    });
    expect(result.html).toBe("<h1>Hello</h1>\n<p>World</p>");
  });

  it("reports a corrupt PDF or DOCX as a parse error", async () => {
    const garbage = new TextEncoder().encode("this is not a document");
    const pdf = await transformError(
      toCleanHtml({ body: { kind: "binary", mediaType: "application/pdf", data: garbage } }),
    );
    expect(pdf.kind).toBe("parse");
    const docx = await transformError(
      toCleanHtml({
        body: {
          kind: "binary",
          mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          data: garbage,
        },
      }),
    );
    expect(docx.kind).toBe("parse");
  });

  it("fails with kind empty when nothing readable survives cleaning", async () => {
    const error = await transformError(
      toCleanHtml({
        body: html("<nav><a href='/'>Home</a></nav><script>x()</script><p>&nbsp;</p><div> </div>"),
        url: "https://example.com/a",
      }),
    );
    expect(error.kind).toBe("empty");
    expect(error.url).toBe("https://example.com/a");
  });
});

describe("toCleanHtml: title", () => {
  const page = "<html><head><title> Head  title </title></head><body><h1>Heading</h1><p>x</p></body></html>";

  it("prefers the title the product gave", async () => {
    expect((await toCleanHtml({ body: html(page), title: "  Product title " })).title).toBe("Product title");
  });

  it("falls back to <title>, then to the first <h1>", async () => {
    expect((await toCleanHtml({ body: html(page), title: " " })).title).toBe("Head title");
    expect((await toCleanHtml({ body: html("<h1>First <em>one</em></h1><h1>Second</h1>") })).title).toBe(
      "First one",
    );
    expect((await toCleanHtml({ body: html("<p>No heading</p>") })).title).toBeUndefined();
  });
});

describe("toCleanHtml: cleaning rules", () => {
  it("never puts a paragraph inside a paragraph when formatting was left open around blocks", async () => {
    const broken =
      "<body>\n<div><p>Lead <b>bold\n<div>inner</div></div></div></div>\n<script>x()</script>\n<p>tail\n</body>";
    const { html: out } = await toCleanHtml({ body: html(broken) });
    expect(out).toBe("<p>Lead <b>bold</b></p>\n<p><b>inner</b></p>\n<p><b>tail</b></p>");
  });

  it("moves a link around blocks into them, and lifts lists out of inline elements", async () => {
    const { html: out } = await toCleanHtml({
      body: html(
        '<a href="https://x.example.com/"><h2>Card</h2><p>Text</p></a><em>a<ul><li>one</li></ul>b</em>',
      ),
    });
    expect(out).toBe(
      '<h2><a href="https://x.example.com/">Card</a></h2>\n<p><a href="https://x.example.com/">Text</a></p>\n<p><em>a</em></p>\n<ul>\n<li>one</li>\n</ul>\n<p><em>b</em></p>',
    );
  });

  it("drops configured selectors on top of the built-in list", async () => {
    const source =
      "<p class='keep'>Keep</p><div class='related'><p>Related posts</p></div><p id='promo'>Buy</p>";
    const plain = await toCleanHtml({ body: html(source) });
    expect(plain.html).toContain("Related posts");
    const result = await toCleanHtml({ body: html(source) }, { removeSelectors: [".related", "#promo"] });
    expect(result.html).toBe("<p>Keep</p>");
  });

  it("keeps relative URLs when the document has no URL and says so", async () => {
    const result = await toCleanHtml({
      body: html('<p><a href="guide.html?utm_source=x&amp;a=1">Guide</a></p>'),
    });
    expect(result.html).toBe('<p><a href="guide.html?a=1">Guide</a></p>');
    expect(result.warnings).toEqual([expect.stringContaining("left relative")]);
  });

  it("honours <base href> when resolving", async () => {
    const result = await toCleanHtml({
      body: html('<head><base href="/docs/v2/"></head><body><p><a href="intro.html">Intro</a></p></body>'),
      url: "https://example.com/somewhere/else.html",
    });
    expect(result.html).toBe('<p><a href="https://example.com/docs/v2/intro.html">Intro</a></p>');
  });

  it("keeps only the main content when the page marks exactly one", async () => {
    const result = await toCleanHtml({
      body: html(
        "<div class='sidebar'><p>Sidebar links</p></div><main><p>The content</p></main><p>Legal</p>",
      ),
    });
    expect(result.html).toBe("<p>The content</p>");
  });

  it("removes tracking pixels but keeps real images", async () => {
    const result = await toCleanHtml({
      body: html(
        '<p>Text</p><img src="https://example.com/t.gif" width="1" height="1"><img src="https://example.com/s.gif" style="width:0px;height:0px"><img src="https://example.com/photo.jpg" width="640" height="1" alt="Wide">',
      ),
    });
    expect(result.html).toBe('<p>Text</p>\n<p><img src="https://example.com/photo.jpg" alt="Wide"></p>');
  });

  it("collapses whitespace the same way however the markup was indented", async () => {
    const compact = await toCleanHtml({ body: html("<ul><li>One <b>two</b></li><li>Three</li></ul>") });
    const indented = await toCleanHtml({
      body: html("<ul>\n   <li>\n  One\n\t<b>two</b>\n  </li>\n  <li>   Three </li>\n</ul>\n"),
    });
    expect(indented.html).toBe(compact.html);
    expect(compact.html).toBe("<ul>\n<li>One <b>two</b></li>\n<li>Three</li>\n</ul>");
  });
});

describe("toCleanHtml: size cap", () => {
  const paragraphs = Array.from(
    { length: 200 },
    (_, i) => `<p>Paragraph number ${i} with some filler text.</p>`,
  );

  it("defaults to 1 MB and validates options strictly", () => {
    expect(DEFAULT_MAX_BYTES).toBe(1_000_000);
    expect(transformOptionsSchema.safeParse({ maxBytes: 2048, oversize: "reject" }).success).toBe(true);
    expect(transformOptionsSchema.safeParse({ maxbytes: 2048 }).success).toBe(false);
    expect(transformOptionsSchema.safeParse({ oversize: "cut" }).success).toBe(false);
    const badSelector = transformOptionsSchema.safeParse({ removeSelectors: ["div[unclosed"] });
    expect(badSelector.success).toBe(false);
    expect(badSelector.error?.issues[0]?.message).toContain('"div[unclosed" is not a valid CSS selector');
  });

  it("truncates at a block boundary and reports it", async () => {
    const result = await toCleanHtml({ body: html(paragraphs.join("")) }, { maxBytes: 2048 });
    expect(result.truncated).toBe(true);
    expect(result.bytes).toBeLessThanOrEqual(2048);
    expect(result.bytes).toBeGreaterThan(2048 - 60);
    expect(result.bytes).toBe(Buffer.byteLength(result.html, "utf8"));
    const lines = result.html.split("\n");
    for (const [index, line] of lines.entries()) {
      expect(line).toBe(`<p>Paragraph number ${index} with some filler text.</p>`);
    }
    expect(result.warnings).toEqual([expect.stringMatching(/^truncated: .* over the limit of 2048 bytes/)]);
  });

  it("cuts long lists and tables between items, keeping the container", async () => {
    const items = Array.from({ length: 100 }, (_, i) => `<li>Item ${i} of a very long list</li>`).join("");
    const result = await toCleanHtml(
      { body: html(`<p>Intro</p><ul>${items}</ul><p>After</p>`) },
      { maxBytes: 1024 },
    );
    expect(result.truncated).toBe(true);
    expect(result.bytes).toBeLessThanOrEqual(1024);
    expect(result.html.startsWith("<p>Intro</p>\n<ul>\n<li>Item 0 of a very long list</li>\n")).toBe(true);
    expect(result.html.endsWith("</li>\n</ul>")).toBe(true);
    expect(result.html).not.toContain("After");
  });

  it("cuts a single giant paragraph at a word boundary rather than returning nothing", async () => {
    const words = Array.from({ length: 1000 }, (_, i) => `word${i}`).join(" ");
    const result = await toCleanHtml({ body: html(`<p>${words}</p>`) }, { maxBytes: 1024 });
    expect(result.bytes).toBeLessThanOrEqual(1024);
    expect(result.html).toMatch(/^<p>word0 word1 .* word\d+<\/p>$/);
  });

  it("rejects instead when asked to", async () => {
    const error = await transformError(
      toCleanHtml({ body: html(paragraphs.join("")) }, { maxBytes: 2048, oversize: "reject" }),
    );
    expect(error.kind).toBe("too_large");
    expect(error.maxBytes).toBe(2048);
    expect(error.bytes).toBeGreaterThan(2048);
  });

  it("leaves documents under the cap alone", async () => {
    const result = await toCleanHtml({ body: html(paragraphs.slice(0, 3).join("")) }, { maxBytes: 2048 });
    expect(result.truncated).toBe(false);
    expect(result.warnings).toEqual([]);
    expect(result.html.split("\n")).toHaveLength(3);
  });
});
