import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ContentSyncConfig } from "../config/types.js";
import { ConfigReloader } from "./config-reloader.js";

/** A stand-in loader: the file holds a comma-separated list of source ids, "!" makes it invalid. */
async function load(file: string): Promise<ContentSyncConfig> {
  const text = (await readFile(file, "utf8")).trim();
  if (text.includes("!")) throw new Error(`${file}: invalid config`);
  return { sources: text.split(",").map((id) => ({ id })) } as unknown as ContentSyncConfig;
}

describe("ConfigReloader", () => {
  let dir: string | undefined;
  let reloader: ConfigReloader | undefined;
  afterEach(async () => {
    reloader?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const setUp = async (watchFile: boolean) => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-reload-"));
    const file = path.join(dir, "config.yaml");
    await writeFile(file, "a");
    const seen: string[][] = [];
    let notify: () => void = () => undefined;
    const next = () =>
      new Promise<void>((resolve) => {
        notify = resolve;
      });
    reloader = new ConfigReloader({
      file,
      load,
      watchFile,
      debounceMs: 10,
      onReload: (config) => {
        seen.push(config.sources.map((source) => source.id));
        notify();
      },
    });
    return { file, seen, next };
  };

  it("reloads on request and keeps the previous config when the new one is invalid", async () => {
    const { file, seen } = await setUp(false);
    await writeFile(file, "a,b");
    await reloader?.reload();
    await writeFile(file, "a,!");
    await reloader?.reload();
    expect(seen).toEqual([["a", "b"]]);
  });

  it("reloads when the file changes, also after an editor replaced it", async () => {
    const { file, seen, next } = await setUp(true);
    let reloaded = next();
    await writeFile(file, "x,y");
    await reloaded;
    expect(seen.at(-1)).toEqual(["x", "y"]);
    // Editors often write a new file and rename it over the old one.
    reloaded = next();
    await writeFile(`${file}.tmp`, "z");
    await rename(`${file}.tmp`, file);
    await reloaded;
    expect(seen.at(-1)).toEqual(["z"]);
  });
});
