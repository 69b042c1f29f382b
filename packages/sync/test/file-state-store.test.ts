import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStateStore, isStateFileError } from "../src/index.js";

const record = (pageId: string) => ({ pageId, contentHash: `hash-${pageId}`, version: "v1", syncedAt: 1 });

describe("FileStateStore", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-state-"));
    file = path.join(dir, "nested", "state.json");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("starts empty, buffers until flush, then a new instance reads what was flushed", async () => {
    const store = new FileStateStore(file);
    expect(await store.getSource("a")).toEqual({});
    await store.putPage("a", "x.md", record("1"));
    await store.putPage("a", "y.md", record("2"));
    await store.updateSource("a", { contentImportSourceId: 7, cursor: "c1" });
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
    await store.flush();

    const reopened = new FileStateStore(file);
    expect(await reopened.getSource("a")).toEqual({ contentImportSourceId: 7, cursor: "c1" });
    expect(await reopened.countPages("a")).toBe(2);
    expect([...(await reopened.getPages("a", ["x.md", "missing"])).entries()]).toEqual([
      ["x.md", record("1")],
    ]);
    const listed: string[] = [];
    for await (const [id] of reopened.listPages("a")) listed.push(id);
    expect(listed.sort()).toEqual(["x.md", "y.md"]);
  });

  it("removes keys patched with undefined and deletes pages", async () => {
    const store = new FileStateStore(file);
    await store.updateSource("a", { cursor: "c1", checkpoint: { runId: "r", mode: "full", startedAt: 1 } });
    await store.updateSource("a", { checkpoint: undefined });
    await store.putPage("a", "x.md", record("1"));
    await store.deletePage("a", "x.md");
    await store.close();
    const reopened = new FileStateStore(file);
    expect(await reopened.getSource("a")).toEqual({ cursor: "c1" });
    expect(await reopened.countPages("a")).toBe(0);
  });

  it("flushes by itself every autoFlushEvery changes and leaves no temp files", async () => {
    const store = new FileStateStore(file, { autoFlushEvery: 3 });
    for (const id of ["1", "2", "3"]) await store.putPage("a", `${id}.md`, record(id));
    expect(await new FileStateStore(file).countPages("a")).toBe(3);
    await Promise.all(["4", "5", "6", "7"].map((id) => store.putPage("a", `${id}.md`, record(id))));
    await Promise.all([store.flush(), store.flush()]);
    expect(await new FileStateStore(file).countPages("a")).toBe(7);
    expect(await readdir(path.dirname(file))).toEqual(["state.json"]);
  });

  it("returns copies, so callers cannot change the stored records by accident", async () => {
    const store = new FileStateStore(file);
    await store.putPage("a", "x.md", record("1"));
    const copy = (await store.getPages("a", ["x.md"])).get("x.md");
    if (copy) copy.pageId = "changed";
    expect((await store.getPages("a", ["x.md"])).get("x.md")?.pageId).toBe("1");
  });

  it("names the file when it is not a state file", async () => {
    await writeFile(path.join(dir, "bad.json"), "{ not json");
    const error = await new FileStateStore(path.join(dir, "bad.json"))
      .getSource("a")
      .catch((caught: unknown) => caught);
    expect(isStateFileError(error) && error.message).toMatch(/bad\.json: is not valid JSON/);
    await writeFile(path.join(dir, "other.json"), JSON.stringify({ hello: 1 }));
    await expect(new FileStateStore(path.join(dir, "other.json")).countPages("a")).rejects.toThrow(
      /unknown format/,
    );
  });
});
