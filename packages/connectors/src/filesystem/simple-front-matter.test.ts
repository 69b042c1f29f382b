import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseSimpleFrontMatter } from "./simple-front-matter.js";

/** A small seeded PRNG, so a failing block can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Values from what docs repositories write, and from YAML's corners: keywords, numbers in other
// bases, dates, indicators, escapes, comments, anchors.
const VALUES = [
  '"How to reset a password"',
  '"Quoted: with colon"',
  '"with \\"escape\\""',
  '"tab\\there"',
  "'single quoted'",
  "'it''s'",
  "plain words here",
  "v1.2",
  "docs/guides/setup",
  "2024-01-05",
  "true",
  "False",
  "NULL",
  "~",
  "yes",
  "on",
  "42",
  "012",
  "0x1f",
  "1e3",
  "1.5",
  "-7",
  "[billing, help]",
  "[a  b, c]",
  "[true, x]",
  "[1, 2]",
  "[]",
  "[ spaced , list ]",
  "a # comment",
  "&anchor value",
  "*alias",
  "{ a: 1 }",
  "|",
  ">",
  "value: with colon",
  "%percent",
  "@at",
  "`tick",
  "trailing   ",
];
const KEYS = ["title", "description", "labels", "tags", "draft", "weight", "slug", "sidebar_position", "x-y"];

describe("parseSimpleFrontMatter", () => {
  it("reads the usual docs front matter without the YAML parser, exactly as YAML does", () => {
    const block =
      'title: "How to enable a workspace (accounts 1)"\nlabels: [accounts, help]\ndraft: false\nweight: 3';
    const simple = parseSimpleFrontMatter(block);
    expect(simple).toEqual({
      title: "How to enable a workspace (accounts 1)",
      labels: ["accounts", "help"],
      draft: false,
      weight: 3,
    });
    expect(simple).toEqual(parse(block));
  });

  it("agrees with the YAML parser on every block it accepts, and declines the rest (2,000 seeded blocks)", () => {
    const random = prng(20_261_202);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    let accepted = 0;
    let declined = 0;
    for (let trial = 0; trial < 2_000; trial++) {
      const lines = Array.from(
        { length: 1 + Math.floor(random() * 4) },
        () => `${pick(KEYS)}: ${pick(VALUES)}`,
      );
      if (random() < 0.1) lines.push("  nested: line");
      const block = lines.join(random() < 0.2 ? "\r\n" : "\n");
      const simple = parseSimpleFrontMatter(block);
      let expected: unknown;
      let yamlThrew = false;
      try {
        expected = parse(block);
      } catch {
        yamlThrew = true;
      }
      if (simple === undefined) {
        declined++;
        continue;
      }
      accepted++;
      expect(yamlThrew, block).toBe(false);
      expect(simple, block).toEqual(expected);
    }
    // Both paths must have been exercised, or the comparison proves nothing.
    expect(accepted).toBeGreaterThan(200);
    expect(declined).toBeGreaterThan(200);
  });

  it("declines duplicate keys (YAML refuses them) and a __proto__ key", () => {
    expect(parseSimpleFrontMatter("title: a\ntitle: b")).toBeUndefined();
    expect(() => parse("title: a\ntitle: b")).toThrow();
    expect(parseSimpleFrontMatter("__proto__: x")).toBeUndefined();
  });
});
