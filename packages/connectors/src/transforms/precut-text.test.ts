import { describe, expect, it } from "vitest";
import { precutText } from "./precut-text.js";
import { toCleanHtml, toCleanHtmlInThisThread } from "./to-clean-html.js";

/** A seeded manual: headings, paragraphs, lists and reference links defined at the very end. */
function manual(sections: number, seed = 7): string {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const words = ["invoice", "account", "export", "policy", "review", "team", "report", "settings"];
  const sentence = () =>
    Array.from({ length: 8 + Math.floor(next() * 12) }, () => words[Math.floor(next() * words.length)]).join(
      " ",
    );
  const parts: string[] = [];
  for (let index = 0; index < sections; index++) {
    parts.push(`## Section ${index}`, `${sentence()}, see the [guide][guide] and [policy][policy].`);
    parts.push(`- ${sentence()}\n- ${sentence()}`, sentence());
  }
  parts.push("[guide]: https://docs.example.com/guide", "[policy]: https://docs.example.com/policy");
  return parts.join("\n\n");
}

describe("precutText", () => {
  it("leaves bodies within twice the output cap, HTML and one giant block alone", () => {
    const small = { kind: "markdown" as const, markdown: manual(10) };
    expect(precutText(small, 100_000)).toEqual({ body: small });
    const html = { kind: "html" as const, html: `<p>${"x".repeat(300_000)}</p>` };
    expect(precutText(html, 100_000)).toEqual({ body: html });
    const wall = { kind: "markdown" as const, markdown: "no play. ".repeat(40_000) };
    expect(precutText(wall, 100_000)).toEqual({ body: wall });
  });

  it("cuts a long manual at a paragraph boundary and keeps its link definitions", () => {
    const markdown = manual(3_000);
    const cut = precutText({ kind: "markdown", markdown }, 100_000);
    if (cut.body.kind !== "markdown") throw new Error("expected Markdown");
    expect(cut.body.markdown.length).toBeLessThan(200_200);
    expect(markdown.startsWith(cut.body.markdown.split("\n\n[guide]:")[0] ?? "")).toBe(true);
    expect(cut.body.markdown).toMatch(/\n\n\[guide\]: https:\/\/docs\.example\.com\/guide\n\[policy\]: /);
    expect(cut.warning).toMatch(/^truncated before conversion: the Markdown body is \d+ characters/);
  });

  it("gives the same page as converting the whole manual and truncating after", async () => {
    const markdown = manual(3_000);
    const options = { maxBytes: 100_000 };
    const whole = await toCleanHtmlInThisThread({ body: { kind: "markdown", markdown } }, options);
    const precut = await toCleanHtml({ body: { kind: "markdown", markdown } }, options);
    expect(whole.truncated).toBe(true);
    expect(precut.html).toBe(whole.html);
    expect(precut.html).toContain('<a href="https://docs.example.com/guide">guide</a>');
    expect(precut.truncated).toBe(true);
    expect(precut.warnings[0]).toMatch(/^truncated before conversion/);
  });

  it("does not cut when oversized output is rejected: the whole body decides", async () => {
    const markdown = manual(3_000);
    await expect(
      toCleanHtml({ body: { kind: "markdown", markdown } }, { maxBytes: 100_000, oversize: "reject" }),
    ).rejects.toThrow(/over the limit of 100000 bytes/);
  });
});
