import { describe, expect, it } from "vitest";
import { DocumentRules } from "../src/index.js";

const everywhere = { aiAgent: true, aiCopilot: true };

describe("DocumentRules", () => {
  it("includes everything by default with the source's availability", () => {
    expect(new DocumentRules({}, everywhere).decide({ path: "a.md" })).toEqual({
      included: true,
      availability: everywhere,
    });
  });

  it("applies include globs, then excludes by path, labels, space, status, type and other metadata", () => {
    const rules = new DocumentRules(
      {
        include: [{ path: ["guides/**", "faq/*.md"] }, { space: "SUP" }],
        exclude: [
          { labels: ["internal", "draft"] },
          { status: ["private", "trash"] },
          { type: "pdf", path: "guides/legacy/**" },
          { metadata: { author: "bot" } },
        ],
      },
      everywhere,
    );
    const decide = (metadata: Parameters<DocumentRules["decide"]>[0]) => rules.decide(metadata).included;
    expect(decide({ path: "guides/setup.md" })).toBe(true);
    expect(decide({ path: "faq/billing.md" })).toBe(true);
    expect(decide({ path: "faq/deep/billing.md" })).toBe(false);
    expect(decide({ path: "blog/post.md" })).toBe(false);
    expect(decide({ path: "other", space: "SUP" })).toBe(true);
    expect(decide({ path: "guides/a.md", labels: ["public", "internal"] })).toBe(false);
    expect(decide({ path: "guides/a.md", status: "trash" })).toBe(false);
    expect(decide({ path: "guides/legacy/a.pdf", type: "pdf" })).toBe(false);
    expect(decide({ path: "guides/current/a.pdf", type: "pdf" })).toBe(true);
    expect(decide({ path: "guides/a.md", author: "bot" })).toBe(false);
    expect(rules.decide({ path: "guides/a.md", status: "private" })).toEqual({
      included: false,
      reason: "matches exclude rule #2",
    });
    expect(rules.decide({ path: "x" })).toEqual({ included: false, reason: "matches no include rule" });
  });

  it("sets availability per document, later rules winning, each flag on its own", () => {
    const rules = new DocumentRules(
      {
        availability: [
          { match: { path: "internal/**" }, aiAgent: false },
          { match: { labels: "copilot-off" }, aiCopilot: false },
          { match: { path: "internal/public-*" }, aiAgent: true },
        ],
      },
      everywhere,
    );
    expect(rules.decide({ path: "internal/notes.md" })).toEqual({
      included: true,
      availability: { aiAgent: false, aiCopilot: true },
    });
    expect(rules.decide({ path: "internal/public-faq.md", labels: ["copilot-off"] })).toEqual({
      included: true,
      availability: { aiAgent: true, aiCopilot: false },
    });
  });
});
