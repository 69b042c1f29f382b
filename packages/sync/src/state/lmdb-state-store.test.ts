import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeStateStoreContract } from "../../test/support/state-store-contract.js";
import { isStateFileError } from "./legacy-state-file.js";
import { LmdbStateStore } from "./lmdb-state-store.js";

describeStateStoreContract("LmdbStateStore", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cs-lmdb-"));
  let now = 1_000_000;
  const store = await LmdbStateStore.open(path.join(dir, "state.lmdb"), { clock: () => now });
  return {
    store,
    advance: async (ms) => {
      now += ms;
    },
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

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
