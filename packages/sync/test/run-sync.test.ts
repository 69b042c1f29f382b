import { symlink } from "node:fs/promises";
import path from "node:path";
import type { Connector, SourceEvent } from "@content-sync/connectors";
import { ConnectorError } from "@content-sync/connectors";
import { IntercomClient } from "@content-sync/intercom";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSyncAbortedError, LmdbStateStore, type StateStore } from "../src/index.js";
import { article, EngineHarness } from "./support/sandbox-harness.js";

const FILES = {
  "getting-started.md": article("Getting started"),
  "billing/invoices.md": article("Invoices"),
  "billing/plans.md": article("Plans"),
  "troubleshooting/login.md": article("Login problems"),
  "troubleshooting/sync.html":
    "<html><head><title>Sync delays</title></head><body><h1>Sync delays</h1><p>Wait.</p></body></html>",
};
const IDS = Object.keys(FILES).sort();

/** Wraps a connector so its listing throws after `after` events, like a share going away mid-walk. */
function failingListing(inner: Connector, after: number): Connector {
  return {
    ...inner,
    async *listAll(ctx) {
      let count = 0;
      for await (const event of inner.listAll(ctx)) {
        if (count++ === after)
          throw new ConnectorError("unavailable", "share went away", { sourceId: "help" });
        yield event;
      }
    },
    fetchByIds: (ids, ctx) => inner.fetchByIds(ids, ctx),
  };
}

describe("runSync against the sandbox over HTTP", () => {
  let h: EngineHarness;
  beforeEach(async () => {
    h = await EngineHarness.start(FILES);
  });
  afterEach(async () => {
    await h.close();
  });

  it("creates every page on the first sync, with the payload Fin needs", async () => {
    const summary = await h.run();
    expect(summary).toMatchObject({
      created: 5,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      failed: 0,
      listingComplete: true,
    });
    expect(h.writes()).toEqual({ upserts: 5, deletes: 0, sourcesCreated: 1 });
    const pages = await h.pages();
    expect(pages.map((page) => page.external_id)).toEqual(IDS);
    const invoices = pages.find((page) => page.external_id === "billing/invoices.md");
    expect(invoices).toMatchObject({
      title: "Invoices",
      url: "https://help.example.com/articles/billing/invoices.md",
      ai_agent_availability: true,
      ai_copilot_availability: true,
    });
    expect(invoices?.html).toContain("Body of Invoices.");
    expect(summary.apiCalls).toBeGreaterThanOrEqual(7);
    expect(summary.writeCalls).toBe(6);
  });

  it("makes zero writes when nothing changed, and exactly one update for one edited file", async () => {
    await h.run();
    h.sandbox.resetStats();
    const again = await h.run();
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 5, deleted: 0, writeCalls: 0 });
    expect(h.writes()).toEqual({ upserts: 0, deletes: 0, sourcesCreated: 0 });

    await h.write("billing/plans.md", article("Plans", "Plans now include a free tier."));
    h.sandbox.resetStats();
    const edited = await h.run();
    expect(edited).toMatchObject({ created: 0, updated: 1, unchanged: 4, deleted: 0 });
    expect(h.writes()).toEqual({ upserts: 1, deletes: 0, sourcesCreated: 0 });
    const plans = (await h.pages()).find((page) => page.external_id === "billing/plans.md");
    expect(plans?.html).toContain("free tier");
  });

  it("records a new version without writing when a file was touched but its content is the same", async () => {
    await h.run();
    await h.write("billing/plans.md", FILES["billing/plans.md"]);
    h.sandbox.resetStats();
    expect(await h.run()).toMatchObject({ unchanged: 5, updated: 0 });
    expect(h.writes().upserts).toBe(0);
  });

  it("deletes exactly the page of a deleted file", async () => {
    await h.run();
    await h.remove("troubleshooting/login.md");
    h.sandbox.resetStats();
    const summary = await h.run();
    expect(summary).toMatchObject({ deleted: 1, unchanged: 4, created: 0, updated: 0 });
    expect(h.writes()).toEqual({ upserts: 0, deletes: 1, sourcesCreated: 0 });
    expect((await h.pages()).map((page) => page.external_id)).toEqual(
      IDS.filter((id) => id !== "troubleshooting/login.md"),
    );
    expect(await h.state.countPages("help")).toBe(4);
  });

  it("deletes nothing when the listing fails part way", async () => {
    await h.run();
    await h.remove("troubleshooting/login.md");
    h.sandbox.resetStats();
    const summary = await h.run({ connector: failingListing(h.connector(), 2) });
    expect(summary.listingComplete).toBe(false);
    expect(summary.listingError).toContain("share went away");
    expect(summary.deleted).toBe(0);
    expect(h.writes().deletes).toBe(0);
    expect(await h.pages()).toHaveLength(5);
  });

  it("stops deletions above maxDeletes unless forced", async () => {
    h.source = { ...h.source, deletion: { maxDeletes: 2, windowMs: 86_400_000 } };
    await h.run();
    for (const id of ["billing/invoices.md", "billing/plans.md", "getting-started.md"]) await h.remove(id);
    h.sandbox.resetStats();
    const blocked = await h.run();
    expect(blocked.deleted).toBe(0);
    expect(blocked.deletionsBlocked).toMatchObject({ candidates: 3, limit: 2 });
    expect(blocked.deletionsBlocked?.message).toMatch(
      /3 pages would be deleted, above the limit of 2.*--force-deletes/,
    );
    expect(h.writes().deletes).toBe(0);

    const forced = await h.run({ forceDeletes: true });
    expect(forced).toMatchObject({ deleted: 3 });
    expect(forced.deletionsBlocked).toBeUndefined();
    expect(await h.pages()).toHaveLength(2);
  });

  it("resolves a share-based limit against the pages of the source", async () => {
    h.source = { ...h.source, deletion: { maxDeletes: "40%", windowMs: 86_400_000 } };
    await h.run();
    for (const id of ["billing/invoices.md", "billing/plans.md", "getting-started.md"]) await h.remove(id);
    expect((await h.run()).deletionsBlocked).toMatchObject({ candidates: 3, limit: 2 });
  });

  it("records an unreadable file as failed, syncs the others and never deletes its page", async () => {
    await h.run();
    // Runs as root in CI, where mode bits do not stop reads: a link to a vanished file cannot be read either.
    h.source = { ...h.source, options: { ...(h.source.options as object), followSymlinks: true } };
    await h.remove("billing/plans.md");
    await symlink(path.join(h.root, "nowhere.md"), path.join(h.root, "billing/plans.md"));
    await h.write("getting-started.md", article("Getting started", "New intro."));
    h.sandbox.resetStats();
    const summary = await h.run();
    expect(summary).toMatchObject({ failed: 1, updated: 1, unchanged: 3, deleted: 0, listingComplete: true });
    expect(summary.failures).toEqual([
      { externalId: "billing/plans.md", reason: expect.stringMatching(/./) },
    ]);
    expect(h.writes()).toEqual({ upserts: 1, deletes: 0, sourcesCreated: 0 });
    expect(await h.pages()).toHaveLength(5);
  });

  it("plans without writing anything on a dry run", async () => {
    const plan = await h.run({ dryRun: true });
    expect(plan).toMatchObject({ dryRun: true, created: 5, writeCalls: 0 });
    expect(h.writes()).toEqual({ upserts: 0, deletes: 0, sourcesCreated: 0 });
    expect(await h.state.countPages("help")).toBe(0);

    await h.run();
    await h.remove("billing/plans.md");
    await h.write("getting-started.md", article("Getting started", "Changed."));
    h.sandbox.resetStats();
    const second = await h.run({ dryRun: true });
    expect(second).toMatchObject({ updated: 1, deleted: 1, unchanged: 3, writeCalls: 0 });
    expect(h.writes()).toEqual({ upserts: 0, deletes: 0, sourcesCreated: 0 });
    expect(await h.pages()).toHaveLength(5);
  });

  it("repairs with --reconcile pages deleted or edited by hand, and removes unknown ones", async () => {
    await h.run();
    const pages = await h.pages();
    const sourceId = pages[0]?.source_id ?? 0;
    const login = pages.find((page) => page.external_id === "troubleshooting/login.md");
    await h.client.aiContent.deleteExternalPage(login?.id ?? "");
    await h.client.aiContent.createExternalPage({
      title: "Invoices",
      html: "<p>edited by hand</p>",
      locale: "en",
      source_id: sourceId,
      external_id: "billing/invoices.md",
      ai_agent_availability: true,
      ai_copilot_availability: true,
    });
    await h.client.aiContent.createExternalPage({
      title: "Orphan",
      html: "<p>nobody knows me</p>",
      locale: "en",
      source_id: sourceId,
      external_id: "orphan.md",
      ai_agent_availability: true,
      ai_copilot_availability: false,
    });

    const blind = await h.run();
    expect(blind).toMatchObject({ unchanged: 5, created: 0, updated: 0 });

    h.sandbox.resetStats();
    const repaired = await h.run({ reconcile: true });
    // The page deleted by hand is created again, the edited one rewritten, the unknown one deleted.
    expect(repaired).toMatchObject({ created: 1, updated: 1, repaired: 2, unchanged: 3, deleted: 1 });
    expect(h.writes()).toEqual({ upserts: 2, deletes: 1, sourcesCreated: 0 });
    const after = await h.pages();
    expect(after.map((page) => page.external_id)).toEqual(IDS);
    expect(after.find((page) => page.external_id === "billing/invoices.md")?.html).toContain(
      "Body of Invoices.",
    );

    h.sandbox.resetStats();
    expect(await h.run({ reconcile: true })).toMatchObject({
      unchanged: 5,
      updated: 0,
      deleted: 0,
      writeCalls: 0,
    });
  });

  it("converges after a crash between two writes: no duplicates, then nothing left to do", async () => {
    for (let index = 0; index < 15; index++) await h.write(`bulk/doc-${index}.md`, article(`Doc ${index}`));
    // The first process "dies" right after its 4th upsert: from then on none of its state writes land.
    const durable = h.state;
    let dead = false;
    const doomed = new Proxy(durable, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== "function") return value;
        const writes = [
          "putPage",
          "deletePage",
          "commitCursor",
          "finishRun",
          "recordFailure",
          "clearFailures",
          "markSeen",
        ];
        return (...args: unknown[]) =>
          dead && writes.includes(String(property))
            ? Promise.resolve(property === "markSeen" ? [] : false)
            : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    }) as StateStore;
    await h.reopenState(doomed);
    const controller = new AbortController();
    let upserts = 0;
    const client = new IntercomClient({
      token: h.token,
      baseUrl: h.sandbox.url,
      maxRetries: 0,
      onResponse: (info) => {
        if (info.method === "POST" && info.path === "/ai/external_pages" && ++upserts === 4) {
          dead = true;
          controller.abort(new Error("crash"));
        }
      },
    });
    const crashed = await h
      .run({ client, signal: controller.signal, concurrency: 2 })
      .catch((error: unknown) => error);
    expect(isSyncAbortedError(crashed)).toBe(true);
    const pagesAfterCrash = (await h.pages()).length;
    expect(pagesAfterCrash).toBeGreaterThanOrEqual(4);
    expect(pagesAfterCrash).toBeLessThan(20);

    await h.reopenState(durable);
    const resumed = await h.run();
    expect(resumed.resumed).toBe(true);
    expect(resumed.failed).toBe(0);
    expect(resumed.created + resumed.updated + resumed.unchanged).toBe(20);
    const pages = await h.pages();
    expect(pages).toHaveLength(20);
    expect(new Set(pages.map((page) => page.external_id)).size).toBe(20);
    expect(h.sandbox.store.pageCount).toBe(20);

    h.sandbox.resetStats();
    expect(await h.run()).toMatchObject({ unchanged: 20, writeCalls: 0, resumed: false });
  });

  it("adopts pages sent before a crash on a --reconcile run instead of sending them again", async () => {
    await h.run();
    const lost = await LmdbStateStore.open(path.join(h.dir, "lost-state.lmdb"));
    await h.reopenState(lost);
    h.sandbox.resetStats();
    const adopted = await h.run({ reconcile: true });
    expect(adopted).toMatchObject({ unchanged: 5, created: 0, updated: 0, deleted: 0 });
    expect(h.writes()).toEqual({ upserts: 0, deletes: 0, sourcesCreated: 0 });
    expect(await h.state.countPages("help")).toBe(5);
    await lost.close();
  });

  it("deletes the page of a document that a rule now excludes, and applies availability rules", async () => {
    await h.run();
    h.source = {
      ...h.source,
      rules: {
        exclude: [{ path: "troubleshooting/**" }],
        availability: [{ match: { path: "billing/*" }, aiAgent: false }],
      },
    };
    h.sandbox.resetStats();
    const summary = await h.run();
    expect(summary).toMatchObject({ skipped: 2, deleted: 2, updated: 2, unchanged: 1 });
    const pages = await h.pages();
    expect(pages.map((page) => page.external_id)).toEqual([
      "billing/invoices.md",
      "billing/plans.md",
      "getting-started.md",
    ]);
    expect(pages.filter((page) => !page.ai_agent_availability).map((page) => page.external_id)).toEqual([
      "billing/invoices.md",
      "billing/plans.md",
    ]);
    expect(pages.every((page) => page.ai_copilot_availability)).toBe(true);
  });

  it("reuses an existing Content Import Source with the same URL and verifies a pinned id", async () => {
    const existing = await h.client.aiContent.createContentImportSource({
      url: "https://help.example.com",
      sync_behavior: "api",
    });
    await h.run();
    expect((await h.state.getSource("help")).contentImportSourceId).toBe(existing.id);
    expect(h.writes().sourcesCreated).toBe(1);

    h.source = { ...h.source, contentImportSource: { url: "https://help.example.com/", id: 999_999 } };
    await expect(h.run()).rejects.toThrow(/Content Import Source 999999 .* does not exist/);
  });

  it("sends every page again when its Content Import Source was deleted in Intercom", async () => {
    await h.run();
    const first = (await h.state.getSource("help")).contentImportSourceId ?? 0;
    // Deleting a source deletes its pages; the state still remembers them.
    await h.client.aiContent.deleteContentImportSource(first);
    h.sandbox.resetStats();
    const summary = await h.run();
    const second = (await h.state.getSource("help")).contentImportSourceId;
    expect(second).not.toBe(first);
    expect(summary).toMatchObject({ created: 5, unchanged: 0, deleted: 0 });
    expect(h.writes()).toEqual({ upserts: 5, deletes: 0, sourcesCreated: 1 });
    expect((await h.pages()).map((page) => page.source_id)).toEqual([second, second, second, second, second]);
  });

  it("reindexes documents by id: changed ones are sent, missing ones fail unless a webhook confirmed the deletion", async () => {
    await h.run();
    await h.write("billing/plans.md", article("Plans", "Webhook says hi."));
    await h.remove("getting-started.md");
    h.sandbox.resetStats();
    const ids = ["billing/plans.md", "getting-started.md", "billing/invoices.md"];
    // A file not found by id may be an unmounted share: recorded as failed, its page kept.
    const unconfirmed = await h.syncDocuments(ids);
    expect(unconfirmed).toMatchObject({ mode: "documents", updated: 1, unchanged: 1, deleted: 0, failed: 1 });
    expect(h.writes()).toEqual({ upserts: 1, deletes: 0, sourcesCreated: 0 });
    // A verified delete webhook is the product's word: then the missing document's page goes.
    h.sandbox.resetStats();
    const confirmed = await h.syncDocuments(ids, { deletedByWebhook: ["getting-started.md"] });
    expect(confirmed).toMatchObject({ mode: "documents", unchanged: 2, deleted: 1, failed: 0 });
    expect(h.writes()).toEqual({ upserts: 0, deletes: 1, sourcesCreated: 0 });
  });

  it("reports progress and cancels cleanly through the AbortSignal", async () => {
    const controller = new AbortController();
    const phases: string[] = [];
    const error = await h
      .run({
        signal: controller.signal,
        concurrency: 1,
        onProgress: (progress) => {
          phases.push(progress.phase);
          if (progress.processed === 2) controller.abort(new Error("user pressed ctrl-c"));
        },
      })
      .catch((caught: unknown) => caught);
    expect(isSyncAbortedError(error) && error.summary.created).toBeGreaterThanOrEqual(2);
    expect(phases[0]).toBe("listing");
    expect((await h.state.getSource("help")).checkpoint).toBeDefined();
    const resumed = await h.run();
    expect(resumed.resumed).toBe(true);
    expect((await h.state.getSource("help")).checkpoint).toBeUndefined();
    expect(await h.pages()).toHaveLength(5);
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** An in-memory product with a change feed, to drive the incremental path. */
class FeedConnector implements Connector {
  docs = new Map<string, { title: string; version: string }>();
  changes: SourceEvent[] = [];
  listed: string[] = [];

  async *listAll(): AsyncIterable<SourceEvent> {
    this.listed.push("all");
    for (const id of this.docs.keys()) yield this.document(id);
    yield { kind: "cursor", cursor: `c${this.changes.length}` };
  }

  async *listChanges(cursor: string): AsyncIterable<SourceEvent> {
    this.listed.push(cursor);
    const from = Number(cursor.slice(1));
    for (let index = from; index < this.changes.length; index++) {
      const change = this.changes[index];
      if (change) yield change;
      yield { kind: "cursor", cursor: `c${index + 1}` };
    }
  }

  fetchByIds: Connector["fetchByIds"] = async function* () {};

  document(id: string): SourceEvent {
    const doc = this.docs.get(id);
    if (!doc) throw new Error(id);
    return {
      kind: "document",
      document: {
        externalId: id,
        version: doc.version,
        metadata: { path: id },
        load: async () => ({
          externalId: id,
          version: doc.version,
          title: doc.title,
          url: `https://wiki.example.com/${id}`,
          metadata: { path: id },
          body: { kind: "html", html: doc.title === "broken" ? "" : `<h1>${doc.title}</h1><p>text</p>` },
        }),
      },
    };
  }

  set(id: string, title: string, version: string): void {
    this.docs.set(id, { title, version });
    this.changes.push(this.document(id));
  }
}

describe("incremental runs with a change feed", () => {
  let h: EngineHarness;
  beforeEach(async () => {
    h = await EngineHarness.start({});
  });
  afterEach(async () => {
    await h.close();
  });

  it("runs full without a cursor, then applies changes and persists the cursor after them", async () => {
    const feed = new FeedConnector();
    feed.docs.set("a", { title: "A", version: "1" });
    feed.docs.set("b", { title: "B", version: "1" });
    const first = await h.run({ connector: feed, mode: "incremental" });
    expect(first).toMatchObject({ mode: "full", created: 2 });
    expect((await h.state.getSource("help")).cursor).toBe("c0");

    feed.set("a", "A2", "2");
    feed.changes.push({ kind: "deleted", externalId: "b" });
    h.sandbox.resetStats();
    const second = await h.run({ connector: feed, mode: "incremental" });
    expect(second).toMatchObject({ mode: "incremental", updated: 1, deleted: 1 });
    expect(feed.listed).toEqual(["all", "c0"]);
    expect((await h.state.getSource("help")).cursor).toBe("c2");
    expect((await h.pages()).map((page) => page.title)).toEqual(["A2"]);
  });

  it("moves the cursor past a document that keeps failing, keeps it in the ledger and retries it with back-off", async () => {
    const feed = new FeedConnector();
    feed.docs.set("a", { title: "A", version: "1" });
    await h.run({ connector: feed, mode: "incremental" });
    feed.set("a", "broken", "2");
    feed.set("c", "C", "1");
    const retrySchedule = { firstMs: 0, maxMs: 0 };
    const summary = await h.run({ connector: feed, mode: "incremental", retrySchedule });
    expect(summary).toMatchObject({ failed: 1, created: 1, status: "partial" });
    expect(summary.headline).toMatch(/1 document\(s\) failed and wait in the failure ledger/);
    // The cursor covers both changes although "a" failed: the ledger, not the cursor, remembers it.
    expect((await h.state.getSource("help")).cursor).toBe("c2");
    const [entry] = await collect(h.state.listFailures("help"));
    expect(entry).toMatchObject({ externalId: "a", kind: "document", attempts: 1 });
    expect(entry?.reason).toMatch(/no text/);

    // The next run lists no change but retries "a" by id (due at once with this schedule): still broken.
    feed.fetchByIds = async function* (ids) {
      for (const id of ids) yield feed.document(id);
    };
    const retried = await h.run({ connector: feed, mode: "incremental", retrySchedule });
    expect(retried).toMatchObject({ failed: 1, status: "partial" });
    expect((await collect(h.state.listFailures("help")))[0]).toMatchObject({ attempts: 2 });

    // Fixed in the source: the retry succeeds and the ledger forgets it.
    feed.docs.set("a", { title: "A fixed", version: "3" });
    const fixed = await h.run({ connector: feed, mode: "incremental", retrySchedule });
    expect(fixed).toMatchObject({ updated: 1, failed: 0, status: "succeeded" });
    expect(await h.state.countFailures("help")).toBe(0);

    // With the default schedule a failure is not retried by the very next run.
    feed.set("a", "broken", "4");
    await h.run({ connector: feed, mode: "incremental" });
    const calls: string[] = [];
    feed.fetchByIds = async function* (ids) {
      calls.push(...ids);
      yield* [];
    };
    await h.run({ connector: feed, mode: "incremental" });
    expect(calls).toEqual([]);
  });
});
