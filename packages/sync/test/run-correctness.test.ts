import {
  type Connector,
  ConnectorError,
  type FetchedDocument,
  type SourceEvent,
} from "@content-sync/connectors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRunSupersededError, SourceRun, syncDocuments } from "../src/index.js";
import { EngineHarness } from "./support/sandbox-harness.js";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

type Answer = "document" | "deleted" | "missing";

/**
 * A product whose listing and fetch-by-id answers the test controls: documents with a body each, and
 * per id what fetching it answers (so a share can "disappear" between the listing and the batches).
 */
class ScriptedConnector implements Connector {
  docs = new Map<string, { title: string; version: string; body?: FetchedDocument["body"]; path?: string }>();
  fetchAnswer = new Map<string, Answer>();
  fetchError: Error | undefined;
  listOrder: string[] | undefined;

  add(id: string, title = `Title ${id}`, version = "1"): void {
    this.docs.set(id, { title, version });
  }

  async *listAll(): AsyncIterable<SourceEvent> {
    for (const id of this.listOrder ?? [...this.docs.keys()])
      yield { kind: "document", document: this.listed(id) };
    yield { kind: "cursor", cursor: "end" };
  }

  async *fetchByIds(ids: readonly string[]): AsyncIterable<SourceEvent> {
    if (this.fetchError) throw this.fetchError;
    for (const id of ids) {
      const answer = this.fetchAnswer.get(id) ?? (this.docs.has(id) ? "document" : "missing");
      if (answer === "document") yield { kind: "document", document: this.listed(id) };
      else if (answer === "deleted") yield { kind: "deleted", externalId: id };
      else yield { kind: "missing", externalId: id, reason: "404 Not Found on fetch by id" };
    }
  }

  private listed(id: string) {
    const doc = this.docs.get(id);
    if (!doc) throw new Error(`no ${id}`);
    return {
      externalId: id,
      version: doc.version,
      metadata: { path: doc.path ?? id },
      load: async (): Promise<FetchedDocument> => ({
        externalId: id,
        version: doc.version,
        title: doc.title,
        url: `https://wiki.example.com/${id}`,
        metadata: { path: doc.path ?? id },
        body: doc.body ?? { kind: "html", html: `<h1>${doc.title}</h1><p>Text of ${id}.</p>` },
      }),
    };
  }
}

describe("run correctness: deletions, fencing, the failure ledger and content checks", () => {
  let h: EngineHarness;
  let product: ScriptedConnector;
  const deps = () => ({
    source: h.source,
    connector: product,
    client: h.client,
    state: h.state,
    apiCalls: h.apiCalls,
  });

  beforeEach(async () => {
    h = await EngineHarness.start({});
    product = new ScriptedConnector();
    for (let index = 0; index < 60; index++) product.add(`doc-${String(index).padStart(2, "0")}`);
    h.source = { ...h.source, deletion: { maxDeletes: 10, windowMs: 86_400_000 } };
  });
  afterEach(async () => {
    await h.close();
  });

  it("applies one deletion limit to a fanned-out run, however its batches find documents gone", async () => {
    await h.run({ connector: product });
    expect(await h.pages()).toHaveLength(60);
    // The listing still has all 60; then every batch finds its documents deleted (a share unmounted
    // after the listing, answering with tombstones).
    for (const id of product.docs.keys()) product.fetchAnswer.set(id, "deleted");
    const run = await SourceRun.begin({ ...deps(), runId: "fanned" }, { mode: "full" });
    const batches: string[][] = [];
    await run.listIds(10, async (ids) => {
      batches.push(ids);
    });
    expect(batches).toHaveLength(6);
    for (const ids of batches) {
      const batch = await SourceRun.attach({ ...deps(), runId: "fanned" }, run.fence as never);
      await batch.applyIds(ids);
      expect(batch.summary().deleted).toBe(0);
    }
    await run.settleDeletions({ complete: true });
    const summary = await run.finish({ complete: true });
    expect(summary.deleted).toBe(0);
    expect(summary.deletionsBlocked).toMatchObject({ candidates: 60, limit: 10 });
    expect(await h.pages()).toHaveLength(60);
    // The held deletions wait in the ledger, visible, not lost.
    expect(
      (await collect(h.state.listFailures("help"))).filter((entry) => entry.kind === "deletion"),
    ).toHaveLength(60);
  });

  it("never takes a document that is not returned by id for deleted: it is recorded and its page kept", async () => {
    await h.run({ connector: product });
    for (const id of product.docs.keys()) product.fetchAnswer.set(id, "missing");
    const summary = await syncDocuments({ ...deps(), externalIds: ["doc-00", "doc-01"] });
    expect(summary).toMatchObject({ deleted: 0, failed: 2, status: "partial" });
    expect(await h.pages()).toHaveLength(60);
    const ledger = await collect(h.state.listFailures("help"));
    expect(ledger.map((entry) => [entry.externalId, entry.kind])).toEqual([
      ["doc-00", "missing"],
      ["doc-01", "missing"],
    ]);
    // A complete listing that still has them clears them; one without them sweeps their pages.
    product.docs.delete("doc-01");
    product.fetchAnswer.clear();
    const full = await h.run({ connector: product });
    expect(full).toMatchObject({ deleted: 1, status: "succeeded" });
    expect(await h.state.countFailures("help")).toBe(0);
  });

  it("deletes confirmed tombstones of webhooks within a rolling limit shared by every targeted job", async () => {
    await h.run({ connector: product });
    const ids = [...product.docs.keys()];
    for (const id of ids) product.fetchAnswer.set(id, "deleted");
    let deleted = 0;
    for (let index = 0; index < 15; index++) {
      const summary = await syncDocuments({ ...deps(), externalIds: [ids[index] as string] });
      deleted += summary.deleted;
      if (index >= 10)
        expect(summary.deletionsBlocked?.message).toMatch(/deletions outside full runs within 24h/);
    }
    expect(deleted).toBe(10);
    expect(await h.pages()).toHaveLength(50);
    expect((await collect(h.state.listFailures("help"))).map((entry) => entry.kind)).toEqual([
      "deletion",
      "deletion",
      "deletion",
      "deletion",
      "deletion",
    ]);
  });

  it("records every document of a targeted job whose fetch failed, and throws so the job retries", async () => {
    await h.run({ connector: product });
    product.fetchError = new Error("503 from the wiki");
    await expect(syncDocuments({ ...deps(), externalIds: ["doc-03", "doc-04"] })).rejects.toThrow(/503/);
    const ledger = await collect(h.state.listFailures("help"));
    expect(ledger.map((entry) => entry.externalId)).toEqual(["doc-03", "doc-04"]);
    expect(ledger[0]?.reason).toMatch(/fetch failed: 503 from the wiki/);
  });

  it("never sweeps a page written after the run began (a webhook during a long full run)", async () => {
    await h.run({ connector: product });
    const run = await SourceRun.begin({ ...deps(), runId: "long" }, { mode: "full" });
    // While the run lists (it will not see "late"), a webhook creates the document's page.
    product.add("late", "Late arrival");
    product.listOrder = [...product.docs.keys()].filter((id) => id !== "late");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const hook = await syncDocuments({ ...deps(), externalIds: ["late"] });
    expect(hook.created).toBe(1);
    await run.list();
    await run.settleDeletions();
    const summary = await run.finish();
    expect(summary.deleted).toBe(0);
    expect((await h.pages()).map((page) => page.external_id)).toContain("late");
  });

  it("fences runs: a run superseded by a later one can neither commit its cursor nor sweep", async () => {
    await h.run({ connector: product });
    const stale = await SourceRun.begin({ ...deps(), runId: "stale" }, { mode: "full" });
    const fresh = await SourceRun.begin({ ...deps(), runId: "fresh" }, { mode: "full" });
    product.docs.delete("doc-59");
    await expect(stale.commit("old-cursor")).rejects.toSatisfy(isRunSupersededError);
    await stale.settleDeletions({ complete: true });
    expect(stale.summary().superseded).toBe(true);
    expect(stale.summary().deleted).toBe(0);
    await fresh.list();
    await fresh.settleDeletions();
    expect((await fresh.finish()).deleted).toBe(1);
    expect((await h.state.getSource("help")).cursor).toBe("end");
  });

  it("refuses binary bodies and text that is not UTF-8, warns about a few bad bytes, and holds back credentials", async () => {
    const random = Buffer.from(
      Array.from({ length: 20_000 }, (_, index) => (index * 7919 + 13) % 256),
    ).toString("utf8");
    product.docs.set("binary.md", {
      title: "Binary",
      version: "1",
      body: { kind: "markdown", markdown: random },
    });
    product.docs.set("latin1.md", {
      title: "Latin-1",
      version: "1",
      body: { kind: "markdown", markdown: "\ufffd".repeat(50) + "caf\ufffd ".repeat(20) },
    });
    product.docs.set("few-bad.md", {
      title: "Few bad bytes",
      version: "1",
      body: { kind: "markdown", markdown: `# Fine\n\n${"A long and good paragraph. ".repeat(40)} caf\ufffd` },
    });
    const key = ["-----BEGIN RSA ", "PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"].join("");
    product.docs.set("ops/deploy.md", {
      title: "Deploy",
      version: "1",
      path: "ops/deploy.md",
      body: { kind: "markdown", markdown: `# Deploy\n\nUse this key:\n\n${key}\n` },
    });
    const summary = await h.run({ connector: product });
    const reasons = new Map(summary.failures.map((failure) => [failure.externalId, failure.reason]));
    expect(reasons.get("binary.md")).toMatch(/binary content/);
    expect(reasons.get("latin1.md")).toMatch(/not valid UTF-8/);
    expect(reasons.get("ops/deploy.md")).toMatch(/held back: the document holds a private key \(line 5\)/);
    expect(reasons.get("ops/deploy.md")).not.toContain("MIIE");
    expect(reasons.has("few-bad.md")).toBe(false);
    const ids = (await h.pages()).map((page) => page.external_id);
    expect(ids).toContain("few-bad.md");
    expect(ids).not.toContain("ops/deploy.md");

    h.source = { ...h.source, rules: { allowSecrets: [{ path: "ops/**" }] } };
    const deploy = product.docs.get("ops/deploy.md");
    if (deploy) product.docs.set("ops/deploy.md", { ...deploy, version: "2" });
    await h.run({ connector: product });
    expect((await h.pages()).map((page) => page.external_id)).toContain("ops/deploy.md");
  });

  it("lists everything when the change feed no longer knows the stored cursor, and commits the new one", async () => {
    await h.run({ connector: product, mode: "full" });
    const expiring: Connector = {
      listAll: () => product.listAll(),
      fetchByIds: (ids) => product.fetchByIds(ids),
      // biome-ignore lint/correctness/useYield: a feed that fails before yielding anything
      async *listChanges(): AsyncIterable<SourceEvent> {
        throw new ConnectorError("cursor_expired", "410 Gone: resyncRequired");
      },
    };
    product.add("doc-new", "Added while the cursor aged");
    const summary = await h.run({ connector: expiring, mode: "incremental" });
    expect(summary).toMatchObject({ mode: "incremental", created: 1, deleted: 0, failed: 0 });
    expect(h.sandbox.store.pageCount).toBe(61);
    expect((await h.state.getSource(h.source.id)).cursor).toBe("end");
  });

  it("reports an external id listed twice and keeps one page for it", async () => {
    product.listOrder = ["doc-00", "doc-01", "doc-00"];
    const summary = await h.run({ connector: product });
    expect(summary).toMatchObject({ created: 2, failed: 1, status: "partial" });
    expect(summary.failures[0]?.reason).toMatch(/listed twice/);
    expect(h.sandbox.store.pageCount).toBe(2);
  });

  it("syncs the first of two documents sharing an id in one chunk of the listing, as its reason says", async () => {
    const twin = (title: string): SourceEvent => ({
      kind: "document",
      document: {
        externalId: "twin",
        version: title,
        metadata: {},
        load: async () => ({
          externalId: "twin",
          version: title,
          title,
          metadata: {},
          body: { kind: "html", html: `<p>${title} copy</p>` },
        }),
      },
    });
    const twins: Connector = {
      async *listAll() {
        yield twin("First");
        yield twin("Second");
      },
      async *fetchByIds() {},
    };
    const summary = await h.run({ connector: twins });
    expect(summary).toMatchObject({ created: 1, failed: 1, status: "partial" });
    expect(summary.failures[0]?.reason).toMatch(/the first one was synced/);
    expect(h.sandbox.store.listPages().map((page) => page.title)).toEqual(["First"]);
  });

  it("deletes the pages of a replaced Content Import Source once the new ones are written", async () => {
    h.source = { ...h.source, deletion: { maxDeletes: 100, windowMs: 86_400_000 } };
    await h.run({ connector: product });
    const before = (await h.state.getSource("help")).contentImportSourceId;
    h.source = { ...h.source, contentImportSource: { url: "https://help.example.com/v2/" } };
    const summary = await h.run({ connector: product });
    const after = (await h.state.getSource("help")).contentImportSourceId;
    expect(after).not.toBe(before);
    expect(summary).toMatchObject({ created: 60, deleted: 60, status: "succeeded" });
    expect(h.sandbox.store.listPages(before as number)).toHaveLength(0);
    expect(h.sandbox.store.listPages(after as number)).toHaveLength(60);
  });

  it("holds every deletion but a complete full listing's while the source's state is rebuilt", async () => {
    await h.run({ connector: product });
    await h.state.updateSource("help", { fullListingRequired: true });
    product.fetchAnswer.set("doc-00", "deleted");
    const hook = await syncDocuments({ ...deps(), externalIds: ["doc-00"] });
    expect(hook.deleted).toBe(0);
    expect(hook.deletionsBlocked?.message).toMatch(/state was rebuilt/);
    product.docs.delete("doc-00");
    const full = await h.run({ connector: product, mode: "incremental" });
    expect(full).toMatchObject({ mode: "full", deleted: 1 });
    expect((await h.state.getSource("help")).fullListingRequired).toBeUndefined();
  });
});
