import { describe, expect, it } from "vitest";
import { buildSampleDocx, buildSamplePdf } from "../transforms/sample-documents.js";
import { DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE } from "../../src/toolkit/media-types/media-types.js";
import { toCleanHtml } from "../../src/transforms/to-clean-html.js";
import { OFF_THREAD_TEXT_BYTES } from "../../src/transforms/conversion/off-thread.js";

/** Every own property of the global object and of the built-ins, with the identity of its value. */
function snapshot(): Map<string, unknown> {
  const targets: Record<string, object> = {
    globalThis,
    JSON,
    Math,
    Reflect,
    Object,
    "Object.prototype": Object.prototype,
    Array,
    "Array.prototype": Array.prototype,
    String,
    "String.prototype": String.prototype,
    Promise,
    "Promise.prototype": Promise.prototype,
    Function: Function.prototype,
    Number,
    "Number.prototype": Number.prototype,
    Symbol,
    Date,
    "Date.prototype": Date.prototype,
    RegExp: RegExp.prototype,
    Map: Map.prototype,
    Set: Set.prototype,
    Error,
    "Error.prototype": Error.prototype,
    "Uint8Array.prototype": Uint8Array.prototype,
    ArrayBuffer,
    URL,
    structuredClone: { structuredClone },
  };
  const out = new Map<string, unknown>();
  for (const [name, target] of Object.entries(targets)) {
    for (const key of Reflect.ownKeys(target)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
      const label = `${name}.${String(key)}`;
      out.set(`${label}:value`, descriptor?.value);
      out.set(`${label}:get`, descriptor?.get);
      out.set(`${label}:set`, descriptor?.set);
    }
  }
  return out;
}

function changes(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((key) => !Object.is(before.get(key), after.get(key))).sort();
}

describe("converters and the main thread's globals", () => {
  it("loading and using every converter (DOCX, PDF, large HTML) changes no global or built-in", async () => {
    const docx = await buildSampleDocx();
    const pdf = await buildSamplePdf();
    const before = snapshot();
    const stringify = JSON.stringify;
    const results = await Promise.all([
      toCleanHtml({ body: { kind: "binary", mediaType: DOCX_MEDIA_TYPE, data: docx } }),
      toCleanHtml({ body: { kind: "binary", mediaType: PDF_MEDIA_TYPE, data: pdf } }),
      toCleanHtml({
        // Long paragraphs rather than many: the point is the size threshold, not cheerio's speed.
        body: {
          kind: "html",
          html: `<h1>Big</h1>${`<p>${"word ".repeat(1_000)}</p>`.repeat(Math.ceil(OFF_THREAD_TEXT_BYTES / 5_000))}`,
        },
      }),
      toCleanHtml({ body: { kind: "markdown", markdown: "# Small, converted here" } }),
    ]);
    expect(results.map((result) => result.title)).toEqual([
      "Expense policy",
      results[1]?.title,
      "Big",
      "Small, converted here",
    ]);
    expect(results[1]?.html).toContain("<h2>Benefits</h2>");
    expect(changes(before, snapshot())).toEqual([]);
    expect(JSON.stringify).toBe(stringify);
    // Converting five documents in fresh threads under a loaded machine can take a while: a bound.
  }, 120_000);
});
