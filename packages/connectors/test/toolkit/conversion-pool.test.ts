import { afterAll, describe, expect, it } from "vitest";
import {
  ConversionPool,
  configureConversionPool,
  sharedConversionPool,
} from "../../src/transforms/conversion/conversion-pool.js";
import { isTransformError } from "../../src/transforms/transform-error.js";

const converter = (name: string) => new URL(`./converters/${name}`, import.meta.url);
const pools: ConversionPool[] = [];
const pool = (options: ConstructorParameters<typeof ConversionPool>[0]) => {
  const created = new ConversionPool({ threads: 1, ...options });
  pools.push(created);
  return created;
};
afterAll(async () => {
  await Promise.all(pools.map((created) => created.close()));
});

const doc = (text: string) => ({
  body: { kind: "text" as const, text },
  url: `https://files.example.com/${text}`,
});

describe("ConversionPool", () => {
  it("stops a converter that loops forever, reports it, replaces the thread and goes on", async () => {
    const conversions = pool({ timeoutMs: 1_500, converter: converter("echo.mjs") });
    const stuck = conversions
      .run(doc("stuck"), {}, converter("loop-forever.mjs"))
      .catch((error: unknown) => error);
    const next = conversions.run(doc("next"));
    const error = await stuck;
    expect(isTransformError(error) && error.kind).toBe("timeout");
    expect((error as Error).message).toBe("the conversion took longer than 1500 ms and was stopped");
    expect(isTransformError(error) && error.url).toBe("https://files.example.com/stuck");
    expect((await next).html).toBe("<p>next</p>");
  });

  it("stops a converter that allocates without limit at the heap cap, and goes on", async () => {
    const conversions = pool({ maxHeapMb: 64, timeoutMs: 60_000, converter: converter("echo.mjs") });
    const error = await conversions
      .run(doc("hog"), {}, converter("allocate-forever.mjs"))
      .catch((caught: unknown) => caught);
    expect(isTransformError(error) && error.kind).toBe("crashed");
    expect((error as Error).message).toContain("ran out of memory (heap limit 64 MB)");
    expect((await conversions.run(doc("after"))).html).toBe("<p>after</p>");
  });

  it("queues documents beyond its threads and rejects what is pending when closed", async () => {
    const conversions = pool({ converter: converter("echo.mjs") });
    const results = await Promise.all(["a", "b", "c"].map((text) => conversions.run(doc(text))));
    expect(results.map((result) => result.html)).toEqual(["<p>a</p>", "<p>b</p>", "<p>c</p>"]);
    const pending = conversions
      .run(doc("late"), {}, converter("loop-forever.mjs"))
      .catch((error: unknown) => error);
    await conversions.close();
    expect(((await pending) as Error).message).toBe("the conversion pool was closed");
  });

  it("copies a binary body's bytes by default, and moves them to the thread when the caller consumes the body", async () => {
    const conversions = pool({ converter: converter("byte-count.mjs") });
    const binary = (data: Uint8Array) => ({
      body: { kind: "binary" as const, mediaType: "application/pdf", data },
    });
    const kept = new Uint8Array(1_000_000).fill(3);
    expect((await conversions.run(binary(kept))).html).toBe("<p>1000000 bytes, sum 3000000</p>");
    expect(kept.byteLength).toBe(1_000_000);

    const given = new Uint8Array(1_000_000).fill(2);
    const moved = await conversions.run(binary(given), {}, undefined, { consumeBody: true });
    expect(moved.html).toBe("<p>1000000 bytes, sum 2000000</p>");
    // The caller's view is empty: the megabyte lives in the thread only, not twice.
    expect(given.byteLength).toBe(0);

    // A small Buffer shares its slab with unrelated Buffers: it is copied even when consumed.
    const neighbour = Buffer.from("neighbour");
    const small = Buffer.from([1, 2, 3]);
    const copied = await conversions.run(binary(small), {}, undefined, { consumeBody: true });
    expect(copied.html).toBe("<p>3 bytes, sum 6</p>");
    expect([small.byteLength, neighbour.toString()]).toEqual([3, "neighbour"]);
  });

  it("gives the process's shared pool the limits of the config's conversion block", async () => {
    configureConversionPool({ maxHeapMb: 48, timeoutMs: 30_000, threads: 1 });
    const shared = sharedConversionPool();
    pools.push(shared);
    const error = await shared
      .run(doc("hog"), {}, converter("allocate-forever.mjs"))
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toContain("ran out of memory (heap limit 48 MB)");
    configureConversionPool({});
  });
});
