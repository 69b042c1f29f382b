import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeStateStoreContract } from "../../test/support/state-store-contract.js";
import { isStateFileError } from "./legacy-state-file.js";
import { LmdbStateStore } from "./lmdb-state-store.js";

/** A store in a fresh directory with a clock the contract advances. */
async function contractFixture(options: { reopenAfterTouches?: number } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), "cs-lmdb-"));
  let now = 1_000_000;
  const store = await LmdbStateStore.open(path.join(dir, "state.lmdb"), { clock: () => now, ...options });
  return {
    store,
    advance: async (ms: number) => {
      now += ms;
    },
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describeStateStoreContract("LmdbStateStore", () => contractFixture());

// The same contract with the environment reopened after every five records touched: nearly every
// operation, and each iteration that the caller interleaves with writes, meets a reopening under way.
describeStateStoreContract("LmdbStateStore reopening its environment every five records", () =>
  contractFixture({ reopenAfterTouches: 5 }),
);

describe("LmdbStateStore on disk", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cs-lmdb-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps what was written across a reopen (a new process reads the committed state)", async () => {
    const file = path.join(dir, "state.lmdb");
    const first = await LmdbStateStore.open(file);
    await first.putPage("a", "x.md", { pageId: "1", contentHash: "h", version: "v", syncedAt: 5 });
    const run = await first.beginRun("a", { runId: "r", mode: "full" });
    await first.commitCursor(run, "cursor-1");
    await first.close();
    const second = await LmdbStateStore.open(file);
    expect((await second.getPages("a", ["x.md"])).get("x.md")?.pageId).toBe("1");
    expect(await second.getSource("a")).toMatchObject({ cursor: "cursor-1", generation: run.generation });
    await second.close();
  });

  it("reopens its environment as records are touched, losing nothing written meanwhile", async () => {
    const file = path.join(dir, "state.lmdb");
    const store = await LmdbStateStore.open(file, { reopenAfterTouches: 100 });
    const page = (index: number) => ({ pageId: String(index), contentHash: "h", version: "v", syncedAt: 1 });
    // Another store on the same file in the same process shares LMDB's environment: while it is
    // open, the first does not reopen (closing the shared environment would stall the other).
    const neighbour = await LmdbStateStore.open(file);
    await Promise.all(
      Array.from({ length: 300 }, (_, index) => store.putPage("c", `doc-${index}`, page(index))),
    );
    expect(store.environmentOpens).toBe(1);
    await neighbour.putPage("c", "neighbour", page(0));
    await neighbour.close();
    const fence = await store.beginRun("a", { runId: "r", mode: "full" });
    const ids = Array.from({ length: 2_000 }, (_, index) => `doc-${index}`);
    await Promise.all(
      ids.map(async (id, index) => {
        await store.markSeen(fence, [id]);
        await store.putPage("a", id, page(index));
      }),
    );
    expect(store.environmentOpens).toBeGreaterThan(10);
    expect((await store.seenAmong(fence, ids)).size).toBe(2_000);
    await store.close();
    const reopened = await LmdbStateStore.open(file);
    expect(await reopened.countPages("a")).toBe(2_000);
    expect(await reopened.countPages("c")).toBe(301);
    expect((await reopened.getPages("a", ["doc-1999"])).get("doc-1999")?.pageId).toBe("1999");
    await reopened.close();
  });

  it("refuses a reopening limit that is not a positive integer", async () => {
    await expect(LmdbStateStore.open(path.join(dir, "s.lmdb"), { reopenAfterTouches: 0 })).rejects.toThrow(
      /reopenAfterTouches must be a positive integer, got 0/,
    );
  });

  it("imports a legacy JSON state file once and renames it", async () => {
    const legacy = path.join(dir, "state-sandbox.json");
    await writeFile(
      legacy,
      JSON.stringify({
        version: 1,
        sources: {
          docs: {
            source: {
              contentImportSourceId: 9,
              cursor: "c",
              checkpoint: { runId: "x", mode: "full", startedAt: 1 },
            },
            pages: { "a.md": { pageId: "11", contentHash: "h", version: "v", syncedAt: 3 } },
          },
        },
      }),
    );
    const store = await LmdbStateStore.open(path.join(dir, "state.lmdb"), { legacyJsonFile: legacy });
    expect(await store.getSource("docs")).toEqual({ contentImportSourceId: 9, cursor: "c" });
    expect((await store.getPages("docs", ["a.md"])).get("a.md")?.pageId).toBe("11");
    expect((await readdir(dir)).sort()).toContain("state-sandbox.json.migrated");
    await store.close();
  });

  it("names the legacy file when it is not a state file", async () => {
    const legacy = path.join(dir, "bad.json");
    await writeFile(legacy, "{ not json");
    const error = await LmdbStateStore.open(path.join(dir, "s.lmdb"), { legacyJsonFile: legacy }).catch(
      (caught: unknown) => caught,
    );
    expect(isStateFileError(error) && error.message).toMatch(/bad\.json: is not valid JSON/);
  });
});
