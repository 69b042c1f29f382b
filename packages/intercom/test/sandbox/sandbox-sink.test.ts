import { afterEach, describe, expect, it } from "vitest";
import { isSandboxOptionsError, parseSandboxCliArgs, startSandbox } from "../../src/sandbox/index.js";
import { clientFor, closeSandboxes, FakeClock, openSandbox, RecordingRateLimiter, raw } from "./helpers.js";

const page = (sourceId: number, externalId: string) => ({
  title: `Page ${externalId}`,
  html: "<p>Body</p>",
  url: `https://docs.example.com/${externalId}`,
  locale: "en" as const,
  source_id: sourceId,
  external_id: externalId,
  ai_agent_availability: true,
  ai_copilot_availability: true,
});

describe("sandbox sink mode", () => {
  afterEach(closeSandboxes);

  it("answers upserts like Intercom, with an id stable per source and external id, and keeps no page", async () => {
    const sandbox = await openSandbox({ sink: true });
    const client = clientFor(sandbox);
    const source = await client.aiContent.createContentImportSource({
      url: "https://docs.example.com/",
      sync_behavior: "api",
    });
    const first = await client.aiContent.createExternalPage(page(source.id, "a"));
    const again = await client.aiContent.createExternalPage({ ...page(source.id, "a"), title: "Renamed" });
    const other = await client.aiContent.createExternalPage(page(source.id, "b"));
    expect(first).toMatchObject({
      type: "external_page",
      external_id: "a",
      source_id: source.id,
      title: "Page a",
    });
    expect(again.id).toBe(first.id);
    expect(again.title).toBe("Renamed");
    expect(other.id).not.toBe(first.id);
    expect(first.id).toMatch(/^[0-9]+$/);
    expect(sandbox.store.pageCount).toBe(0);
    expect(await client.aiContent.listExternalPages().toArray()).toEqual([]);
    expect((await raw(sandbox, "GET", `/ai/external_pages/${first.id}`)).status).toBe(404);
    expect(await client.aiContent.deleteExternalPage(first.id)).toMatchObject({ id: first.id, html: "" });
    expect(sandbox.stats().succeeded["POST /ai/external_pages"]).toBe(3);
    // Sources are kept: the engine finds its Content Import Source again on the next run.
    expect((await client.aiContent.listContentImportSources().toArray()).map((s) => s.id)).toEqual([
      source.id,
    ]);
  });

  it("validates page writes exactly as the normal mode does", async () => {
    const sink = await openSandbox({ sink: true });
    const normal = await openSandbox();
    for (const sandbox of [sink, normal]) {
      await raw(sandbox, "POST", "/ai/content_import_sources", {
        body: { url: "https://x.example.com/", sync_behavior: "api" },
      });
    }
    const bad = [
      { ...page(1, "a"), title: undefined },
      { ...page(1, "a"), locale: "fr" },
      { ...page(999, "a") },
      { ...page(1, "a"), url: "relative/path" },
    ];
    for (const body of bad) {
      const [fromSink, fromNormal] = await Promise.all(
        [sink, normal].map((sandbox) => raw(sandbox, "POST", "/ai/external_pages", { body })),
      );
      expect(fromSink?.status).toBe(400);
      expect(fromSink?.json.errors).toEqual(fromNormal?.json.errors);
    }
  });

  it("sends the rate-limit headers and refuses over the budget when a limit is set", async () => {
    const clock = new FakeClock();
    const sandbox = await openSandbox({ sink: true, rateLimit: { perMinute: 12 }, clock });
    const limiter = new RecordingRateLimiter();
    const client = clientFor(sandbox, { rateLimiter: limiter });
    const source = await client.aiContent.createContentImportSource({
      url: "https://docs.example.com/",
      sync_behavior: "api",
    });
    await client.aiContent.createExternalPage(page(source.id, "a"));
    expect(limiter.snapshots.at(-1)).toEqual({ limit: 2, remaining: 0, resetAt: clock.seconds + 10 });
    expect((await raw(sandbox, "POST", "/ai/external_pages", { body: page(source.id, "b") })).status).toBe(
      429,
    );
  });

  it("cannot be combined with a data file, and is the --sink flag of the CLI", async () => {
    const error = await startSandbox({ sink: true, dataFile: "/tmp/never-written.json" }).catch(
      (e: unknown) => e,
    );
    expect(isSandboxOptionsError(error) && error.message).toMatch(/sink.*dataFile/);
    expect(parseSandboxCliArgs(["--sink", "--port", "0"])).toMatchObject({ sink: true, port: 0 });
  });
});
