import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type WalkEntry, type WalkOptions, walkFiles } from "./walk-files.js";

const logger = pino({ level: "silent" });
let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "content-sync-walk-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function walk(options: Partial<WalkOptions> = {}): Promise<WalkEntry[]> {
  const entries: WalkEntry[] = [];
  for await (const entry of walkFiles({
    root,
    realRoot: await realpath(root),
    followSymlinks: false,
    isExcluded: () => false,
    logger,
    ...options,
  })) {
    entries.push(entry);
  }
  return entries;
}

const paths = (entries: WalkEntry[]) => entries.map((entry) => entry.relativePath);

describe("walkFiles", () => {
  it("yields the same order whatever the stat concurrency, one folder's files at a time", async () => {
    const all: string[] = [];
    for (const folder of ["alpha", "beta"]) {
      await mkdir(path.join(root, folder));
      for (let index = 0; index < 23; index++) {
        await writeFile(path.join(root, folder, `doc-${index}.md`), "x".repeat(index));
        all.push(`${folder}/doc-${index}.md`);
      }
    }
    // One stat at a time is the order of the directory reads (opendir does not sort).
    const sequential = await walk({ statConcurrency: 1 });
    expect(paths(sequential).sort()).toEqual(all.sort());
    const folders = paths(sequential).map((relativePath) => relativePath.split("/")[0]);
    expect(new Set(folders.slice(0, 23)).size).toBe(1);
    expect(new Set(folders.slice(23)).size).toBe(1);
    for (const statConcurrency of [4, 32]) {
      expect(paths(await walk({ statConcurrency }))).toEqual(paths(sequential));
    }
    const doc7 = sequential.find((entry) => entry.relativePath === "alpha/doc-7.md");
    expect(doc7?.kind === "file" && doc7.stats.size).toBe(7);
  });

  it("skips files that are not included before stat'ing them, but still enters linked folders", async () => {
    await mkdir(path.join(root, "docs"));
    await writeFile(path.join(root, "docs", "a.md"), "# A");
    await writeFile(path.join(root, "docs", "logo.png"), "png");
    await symlink(path.join(root, "docs"), path.join(root, "alias"));
    await symlink(path.join(root, "missing.png"), path.join(root, "broken.png"));
    await symlink(path.join(root, "missing.md"), path.join(root, "broken.md"));
    const asked: string[] = [];
    const entries = await walk({
      followSymlinks: true,
      isIncluded: (relativePath) => {
        asked.push(relativePath);
        return relativePath.endsWith(".md");
      },
    });
    expect(paths(entries).sort()).toEqual(["alias/a.md", "broken.md", "docs/a.md"]);
    expect(entries.find((entry) => entry.relativePath === "broken.md")?.kind).toBe("failed");
    // Folders (linked or not) are never filtered by include: only files and what links resolve to.
    expect(asked).not.toContain("docs");
    expect(asked).not.toContain("alias");
  });

  it("rejects a statConcurrency that is not a positive integer", async () => {
    for (const statConcurrency of [0, -1, 1.5]) {
      await expect(walk({ statConcurrency })).rejects.toThrow(
        `statConcurrency must be a positive integer, got ${statConcurrency}`,
      );
    }
  });
});
