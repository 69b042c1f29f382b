import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PageRecord, StateStore } from "../../src/state/state-store.js";

/** A store under test, and how to let its clock move on (stores whose clock is real just wait). */
export interface StoreUnderTest {
  store: StateStore;
  /** Makes `store.now()` return later values than before (>= `ms` later). */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

const page = (id: number, syncedAt: number): PageRecord => ({
  pageId: String(id),
  contentHash: `hash-${id}`,
  version: `v${id}`,
  syncedAt,
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * The behaviour every StateStore must have, run against each implementation (memory, LMDB, Redis),
 * so the engine can rely on one contract whatever the home of the state.
 */
export function describeStateStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name}: the StateStore contract`, () => {
    let subject: StoreUnderTest;
    let store: StateStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close();
    });

    it("keeps page records, batch-reads them, counts, lists and deletes", async () => {
      await store.putPage("a", "one", page(1, 10));
      await store.putPage("a", "two", page(2, 20));
      await store.putPage("b", "one", page(3, 30));
      expect(await store.getPages("a", ["one", "missing", "two"])).toEqual(
        new Map([
          ["one", page(1, 10)],
          ["two", page(2, 20)],
        ]),
      );
      expect(await store.countPages("a")).toBe(2);
      await store.deletePage("a", "one");
      expect((await collect(store.listPages("a"))).map(([id]) => id)).toEqual(["two"]);
      expect(await store.countPages("b")).toBe(1);
    });

    it("fences runs by generation: a superseded run can neither commit a cursor nor finish", async () => {
      const first = await store.beginRun("src", { runId: "run-1", mode: "full" });
      expect(first.resumed).toBe(false);
      expect(await store.commitCursor(first, "c1")).toBe(true);
      const second = await store.beginRun("src", { runId: "run-2", mode: "incremental" });
      expect(second.generation).toBeGreaterThan(first.generation);
      expect(await store.isCurrent(first)).toBe(false);
      expect(await store.commitCursor(first, "stale")).toBe(false);
      expect(await store.finishRun(first)).toBe(false);
      expect((await store.getSource("src")).cursor).toBe("c1");
      expect((await store.getSource("src")).checkpoint).toMatchObject({
        runId: "run-2",
        mode: "incremental",
      });
      expect(await store.commitCursor(second, "c2")).toBe(true);
      expect(await store.finishRun(second)).toBe(true);
      const record = await store.getSource("src");
      expect(record.cursor).toBe("c2");
      expect(record.checkpoint).toBeUndefined();
    });

    it("resumes the checkpoint of the same run id, with its generation and start time", async () => {
      const first = await store.beginRun("src", { runId: "job-7", mode: "full" });
      await subject.advance(5);
      const again = await store.beginRun("src", { runId: "job-7", mode: "full", resume: true });
      expect(again).toMatchObject({
        generation: first.generation,
        startedAt: first.startedAt,
        resumed: true,
      });
      const other = await store.beginRun("src", { runId: "job-8", mode: "full", resume: true });
      expect(other.resumed).toBe(false);
      expect(other.generation).toBe(first.generation + 1);
    });

    it("sweeps only pages the run did not see and that were synced before it began", async () => {
      const before = await store.now();
      await store.putPage("src", "seen", page(1, before - 10));
      await store.putPage("src", "gone", page(2, before - 10));
      await subject.advance(5);
      const run = await store.beginRun("src", { runId: "r", mode: "full" });
      await subject.advance(5);
      // Written by a webhook job during the run: newer than the run's start, so never swept by it.
      await store.putPage("src", "written-during-run", page(3, await store.now()));
      expect(await store.markSeen(run, ["seen"])).toEqual([]);
      // The same id listed again in the same run is reported back (a duplicate in the listing).
      expect(await store.markSeen(run, ["seen", "new-one"])).toEqual(["seen"]);
      expect(await store.seenAmong(run, ["seen", "gone", "new-one"])).toEqual(new Set(["seen", "new-one"]));
      const candidates = await collect(store.sweepCandidates(run));
      expect(candidates.map(([id]) => id)).toEqual(["gone"]);
      // A later run's marks start empty.
      await store.finishRun(run);
      await subject.advance(5);
      const next = await store.beginRun("src", { runId: "r2", mode: "full" });
      expect((await collect(store.sweepCandidates(next))).map(([id]) => id).sort()).toEqual([
        "gone",
        "seen",
        "written-during-run",
      ]);
    });

    it("keeps a failure ledger with attempts, back-off and due times", async () => {
      const retry = (attempts: number) => attempts * 1_000;
      const first = await store.recordFailure(
        "src",
        { key: "doc", externalId: "doc", kind: "document", reason: "empty body" },
        retry,
      );
      expect(first).toMatchObject({ attempts: 1, kind: "document", reason: "empty body" });
      expect(first.nextRetryAt - first.lastFailedAt).toBe(1_000);
      await subject.advance(2);
      const second = await store.recordFailure(
        "src",
        { key: "doc", externalId: "doc", kind: "document", reason: "still empty" },
        retry,
      );
      expect(second.attempts).toBe(2);
      expect(second.firstFailedAt).toBe(first.firstFailedAt);
      expect(second.nextRetryAt - second.lastFailedAt).toBe(2_000);
      await store.recordFailure(
        "src",
        { key: "page:9", externalId: "old", kind: "deletion", reason: "held", pageId: "9" },
        () => 0,
      );
      expect(await store.countFailures("src")).toBe(2);
      const due = await collect(store.listFailures("src", { dueBy: (await store.now()) + 1 }));
      expect(due.map((entry) => entry.key)).toEqual(["page:9"]);
      expect((await store.getFailures("src", ["page:9", "nope"])).get("page:9")).toMatchObject({
        pageId: "9",
      });
      await store.clearFailures("src", ["doc", "page:9"]);
      expect(await store.countFailures("src")).toBe(0);
      expect(await collect(store.listFailures("src"))).toEqual([]);
    });

    it("counts deletions in a rolling window and forgets a source entirely", async () => {
      const now = await store.now();
      await store.noteDeletions("src", 3, now - 10_000);
      await store.noteDeletions("src", 2, now);
      expect(await store.deletionsSince("src", now - 5_000)).toBe(2);
      expect(await store.deletionsSince("src", now - 20_000)).toBe(5);
      await store.putPage("src", "one", page(1, now));
      await store.updateSource("src", { contentImportSourceId: 42 });
      expect(await store.listSourceIds()).toContain("src");
      await store.clearSource("src");
      expect(await store.countPages("src")).toBe(0);
      expect(await store.getSource("src")).toEqual({});
      expect(await store.listSourceIds()).not.toContain("src");
    });

    it("patches only the unfenced source fields", async () => {
      await store.updateSource("src", { contentImportSourceId: 7, fullListingRequired: true });
      expect(await store.getSource("src")).toEqual({ contentImportSourceId: 7, fullListingRequired: true });
      const run = await store.beginRun("src", { runId: "r", mode: "full" });
      expect(await store.finishRun(run, { fullListingCompleted: true })).toBe(true);
      expect((await store.getSource("src")).fullListingRequired).toBeUndefined();
      await store.updateSource("src", { contentImportSourceId: undefined });
      expect((await store.getSource("src")).contentImportSourceId).toBeUndefined();
    });

    it("keeps any external id intact in lists and counts: paths, NUL, unicode, long ids", async () => {
      const ids = [
        "troubleshooting/reset-two-factor-authentication.txt",
        "getting-started/create-your-account.md",
        "a\u0000b",
        "Ünïcödé/ページ/😀.md",
        `long/${"x".repeat(300)}.md`,
        "b",
      ];
      for (const [index, id] of ids.entries()) await store.putPage("src", id, page(index, 1));
      await store.putPage("src-other", "z", page(9, 1));
      expect((await collect(store.listPages("src"))).map(([id]) => id).sort()).toEqual([...ids].sort());
      expect(await store.countPages("src")).toBe(ids.length);
      const run = await store.beginRun("src", { runId: "r", mode: "full" });
      await store.markSeen(run, ids.slice(0, 3));
      await subject.advance(5);
      expect((await collect(store.sweepCandidates(run))).map(([id]) => id).sort()).toEqual(
        ids.slice(3).sort(),
      );
    });

    it("streams thousands of pages without losing or repeating any", async () => {
      const now = await store.now();
      await Promise.all(
        Array.from({ length: 3_000 }, (_, index) => store.putPage("big", `doc-${index}`, page(index, now))),
      );
      const ids = new Set((await collect(store.listPages("big"))).map(([id]) => id));
      expect(ids.size).toBe(3_000);
      expect(await store.countPages("big")).toBe(3_000);
      // Deleting each page as it is listed (what removing a source does) visits every one.
      const deletions: Promise<void>[] = [];
      let visited = 0;
      for await (const [id] of store.listPages("big")) {
        visited++;
        deletions.push(store.deletePage("big", id));
      }
      await Promise.all(deletions);
      expect(visited).toBe(3_000);
      expect(await store.countPages("big")).toBe(0);
    });
  });
}
