import { describe, expect, it } from "vitest";
import { markdownToHtml } from "./markdown-to-html.js";
import { isTransformError } from "./transform-error.js";

describe("markdownToHtml", () => {
  it("converts GitHub-flavoured Markdown", () => {
    expect(markdownToHtml("# Title\n\n~~old~~ text")).toBe("<h1>Title</h1>\n<p><del>old</del> text</p>\n");
  });

  it("turns the parser's stack overflow on a 10 MB block into a parse error that says what to do", () => {
    const wall = "All work and no play. ".repeat(480_000);
    let thrown: unknown;
    try {
      markdownToHtml(wall);
    } catch (error) {
      thrown = error;
    }
    expect(isTransformError(thrown) && thrown.kind).toBe("parse");
    expect(String((thrown as Error).message)).toBe(
      `the Markdown (${wall.length} characters) is too long in one block for the Markdown converter; split it into paragraphs (blank lines between them)`,
    );
  });

  it("converts 10 MB of Markdown in paragraphs", () => {
    const long = `${"All work and no play. ".repeat(20)}\n\n`.repeat(24_000);
    expect(markdownToHtml(long).length).toBeGreaterThan(long.length);
  });
});
