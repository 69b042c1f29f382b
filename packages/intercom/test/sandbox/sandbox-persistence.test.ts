import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DataFileWriter,
  readDataFile,
  SnapshotSerializer,
  writeFileAtomically,
} from "../../src/sandbox/data-file.js";
import { isSandboxDataFileError, SandboxDataFileError } from "../../src/sandbox/index.js";
import { type SandboxSnapshot, SandboxStore } from "../../src/sandbox/store.js";
import { clientFor, closeSandboxes, FakeClock, openSandbox, pageBody } from "./helpers.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "sandbox-persistence-"));
});

afterEach(async () => {
  await closeSandboxes();
  await rm(directory, { recursive: true, force: true });
});

const emptySnapshot = (pages = 0): SandboxSnapshot => ({
  version: 1,
  nextSourceId: 2,
  nextPageId: pages + 1,
  sources: [
    {
      type: "content_import_source",
      id: 1,
      url: "https://d.example",
      sync_behavior: "api",
      status: "active",
      created_at: 1,
      updated_at: 1,
      last_synced_at: 1,
    },
  ],
  pages: [],
});

describe("sandbox data file", () => {
  it("restores sources, pages and id counters after a restart", async () => {
    const dataFile = path.join(directory, "nested", "sandbox.json");
    const clock = new FakeClock();
    const first = await openSandbox({ dataFile, clock });
    const client = clientFor(first);
    const source = await client.aiContent.createContentImportSource({
      sync_behavior: "api",
      url: "https://a.example",
    });
    const gone = await client.aiContent.createContentImportSource({
      sync_behavior: "api",
      url: "https://b.example",
    });
    const pageA = await client.aiContent.createExternalPage(
      pageBody(source.id, "a", { ai_agent_availability: true }),
    );
    const pageB = await client.aiContent.createExternalPage(pageBody(source.id, "b"));
    await client.aiContent.createExternalPage(pageBody(gone.id, "c"));
    await client.aiContent.deleteExternalPage(pageB.id);
    await client.aiContent.deleteContentImportSource(gone.id);
    const before = { sources: first.store.listSources(), pages: first.store.listPages() };
    await first.close();

    const second = await openSandbox({ dataFile, clock });
    expect({ sources: second.store.listSources(), pages: second.store.listPages() }).toEqual(before);
    const again = clientFor(second);
    expect(await again.aiContent.getExternalPage(pageA.id)).toEqual(pageA);
    // Counters continue after the highest id ever given, deleted ones included.
    const newSource = await again.aiContent.createContentImportSource({
      sync_behavior: "api",
      url: "https://c.example",
    });
    expect(newSource.id).toBe(gone.id + 1);
    const newPage = await again.aiContent.createExternalPage(pageBody(source.id, "d"));
    expect(Number(newPage.id)).toBe(4);
  });

  it("writes pending changes on close without waiting for the coalescing delay", async () => {
    const dataFile = path.join(directory, "sandbox.json");
    const sandbox = await openSandbox({ dataFile, persistDelayMs: 60_000 });
    const client = clientFor(sandbox);
    const source = await client.aiContent.createContentImportSource({
      sync_behavior: "api",
      url: "https://a.example",
    });
    await client.aiContent.createExternalPage(pageBody(source.id, "a"));
    expect(await readDataFile(dataFile)).toBeUndefined();
    await sandbox.close();
    const saved = await readDataFile(dataFile);
    expect(saved?.pages.map((page) => page.external_id)).toEqual(["a"]);
  });

  it("coalesces many changes into few writes of the latest state", async () => {
    const dataFile = path.join(directory, "coalesced.json");
    let snapshots = 0;
    let pages = 0;
    const writer = new DataFileWriter(
      dataFile,
      () => {
        snapshots += 1;
        return { ...emptySnapshot(pages), nextPageId: pages + 1 };
      },
      20,
      pino({ level: "silent" }),
    );
    for (let index = 0; index < 1_000; index++) {
      pages += 1;
      writer.markDirty();
    }
    await writer.flush();
    expect(snapshots).toBe(1);
    expect((await readDataFile(dataFile))?.nextPageId).toBe(1_001);
    pages += 1;
    writer.markDirty();
    await writer.flush();
    expect(snapshots).toBe(2);
    expect(await readdir(directory)).toEqual(["coalesced.json"]);
  });

  it("serialises exactly the snapshot, re-serialising only pages that changed", () => {
    const store = new SandboxStore();
    const source = store.createSource({ url: "https://d.example", sync_behavior: "api" }, 10);
    for (const externalId of ["a", "b", "c"]) {
      store.upsertPage({ ...pageBody(source.id, externalId), url: undefined }, 20);
    }
    const serializer = new SnapshotSerializer();
    expect(JSON.parse(serializer.serialize(store.snapshot()))).toEqual(store.snapshot());
    store.upsertPage({ ...pageBody(source.id, "b"), title: 'changed \u2028 "quoted"' }, 30);
    const second = JSON.parse(serializer.serialize(store.snapshot()));
    expect(second).toEqual(store.snapshot());
    expect(second.pages[1].title).toBe('changed \u2028 "quoted"');
  });

  it("replaces the file atomically and leaves no temp file behind", async () => {
    const file = path.join(directory, "atomic.json");
    await writeFileAtomically(file, '{"a":1}');
    await writeFileAtomically(file, '{"a":2}');
    expect(await readFile(file, "utf8")).toBe('{"a":2}');
    expect(await readdir(directory)).toEqual(["atomic.json"]);
    await expect(writeFileAtomically(path.join(directory, "missing", "x.json"), "{}")).rejects.toThrow(
      /ENOENT/,
    );
    expect(await readdir(directory)).toEqual(["atomic.json"]);
  });

  it("refuses a file that is not sandbox data, naming the file and the field", async () => {
    const broken = path.join(directory, "broken.json");
    await writeFile(broken, '{"version": 1, "sources": [');
    const error = await openSandbox({ dataFile: broken }).catch((e: unknown) => e);
    expect(isSandboxDataFileError(error)).toBe(true);
    expect(error).toMatchObject({ file: broken, message: `Sandbox data file ${broken}: is not valid JSON` });

    const wrong = path.join(directory, "wrong.json");
    await writeFile(wrong, JSON.stringify({ ...emptySnapshot(), pages: [{ id: 3 }] }));
    await expect(openSandbox({ dataFile: wrong })).rejects.toThrow(SandboxDataFileError);
    await expect(openSandbox({ dataFile: wrong })).rejects.toThrow(/pages\.0\.type/);

    const orphan = path.join(directory, "orphan.json");
    const page = {
      type: "external_page",
      id: "1",
      title: "t",
      html: "",
      ai_agent_availability: false,
      ai_copilot_availability: false,
      ai_sales_agent_availability: false,
      fin_availability: false,
      locale: "en",
      source_id: 7,
      external_id: "x",
      created_at: 1,
      updated_at: 1,
      last_ingested_at: 1,
    };
    await writeFile(orphan, JSON.stringify({ ...emptySnapshot(), pages: [page] }));
    await expect(openSandbox({ dataFile: orphan })).rejects.toThrow(
      /page 1 belongs to source 7, which is missing/,
    );
  });

  it("never leaves a torn file when the process is killed while writing", async () => {
    const dataFile = path.join(directory, "crash.json");
    // A child upserts big pages as fast as it can with no coalescing delay, so a kill lands mid-write.
    const code = `
      import { startSandbox } from "@content-sync/intercom/sandbox";
      const sandbox = await startSandbox({ dataFile: ${JSON.stringify(dataFile)}, persistDelayMs: 0 });
      const headers = { Authorization: "Bearer " + sandbox.token, "Content-Type": "application/json" };
      const call = (method, path, body) => fetch(sandbox.url + path, { method, headers, body: JSON.stringify(body) });
      let source = sandbox.store.listSources()[0]?.id;
      if (source === undefined) source = (await (await call("POST", "/ai/content_import_sources", { sync_behavior: "api", url: "https://d.example" })).json()).id;
      const html = "<p>" + "x".repeat(5000) + "</p>";
      for (let i = 0; ; i++) {
        await call("POST", "/ai/external_pages", { title: "t" + i, html, locale: "en", source_id: source, external_id: process.pid + "-" + i });
        if (i === 60) { await sandbox.flush(); process.stdout.write("busy\\n"); }
      }`;
    for (let round = 0; round < 2; round++) {
      const child = spawn(
        process.execPath,
        ["--conditions=source", "--import", "tsx", "--input-type=module", "-e", code],
        {
          cwd: repoRoot,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", () => resolve());
        child.once("exit", (status) =>
          reject(new Error(`child exited (${status}) before writing: ${stderr}`)),
        );
      });
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await exited;
      // Each round must load what the previous one left, whatever instant the kill hit.
      const saved = await readDataFile(dataFile);
      expect(saved?.sources).toHaveLength(1);
      // Every round flushed its first 61 pages before going on (and being killed).
      expect(saved?.pages.length).toBeGreaterThanOrEqual((round + 1) * 61);
    }
  }, 60_000);
});
