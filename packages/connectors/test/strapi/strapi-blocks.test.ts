import { describe, expect, it } from "vitest";
import { renderStrapiBlocks } from "../../src/strapi/strapi-blocks.js";

const text = (value: string, marks: Record<string, boolean> = {}) => ({
  type: "text",
  text: value,
  ...marks,
});

describe("renderStrapiBlocks", () => {
  it("renders every block type Strapi's editor produces", () => {
    const html = renderStrapiBlocks(
      [
        { type: "heading", level: 3, children: [text("Title <1>")] },
        {
          type: "paragraph",
          children: [
            text("plain "),
            text("b", { bold: true }),
            text("i", { italic: true }),
            text("u", { underline: true }),
            text("s", { strikethrough: true }),
            text("c", { code: true }),
            { type: "link", url: "/docs?a=1&b=2", children: [text("docs")] },
            text("line\nbreak"),
          ],
        },
        {
          type: "list",
          format: "ordered",
          children: [
            { type: "list-item", children: [text("one")] },
            {
              type: "list",
              format: "unordered",
              children: [{ type: "list-item", children: [text("nested")] }],
            },
            { type: "list-item", children: [text("two")] },
          ],
        },
        { type: "quote", children: [text("wise")] },
        { type: "code", language: "ts", children: [text("const a = 1 < 2;")] },
        {
          type: "image",
          image: {
            url: "/uploads/shot.png",
            alternativeText: 'A "shot"',
            width: 640,
            height: 480,
            caption: "Figure 1",
          },
          children: [text("")],
        },
        { type: "callout", children: [text("kept")] },
      ],
      "https://cms.example.com",
    );
    expect(html.split("\n")).toEqual([
      "<h3>Title &lt;1&gt;</h3>",
      '<p>plain <strong>b</strong><em>i</em><u>u</u><s>s</s><code>c</code><a href="https://cms.example.com/docs?a=1&amp;b=2">docs</a>line<br>break</p>',
      "<ol><li>one<ul><li>nested</li></ul></li><li>two</li></ol>",
      "<blockquote>wise</blockquote>",
      '<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre>',
      '<figure><img src="https://cms.example.com/uploads/shot.png" alt="A &quot;shot&quot;" width="640" height="480"><figcaption>Figure 1</figcaption></figure>',
      "<p>kept</p>",
    ]);
  });

  it("rejects a value that is not a list of blocks", () => {
    expect(() => renderStrapiBlocks("# markdown", "https://cms.example.com")).toThrow(/must be an array/);
  });
});
