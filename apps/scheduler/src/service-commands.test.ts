import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { builtInRegistry, loadConfig, purgeKeyspace, ServiceContext } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "./cli/command.js";
import { parseSince } from "./cli/commands/backfill.js";
import { runCli } from "./cli/run-cli.js";

function io(cwd: string, env: Record<string, string | undefined>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const ctx: CliContext = { stdout, stderr, env, cwd, signal: new AbortController().signal };
  return { ctx, out: () => out, err: () => err };
}

describe("service commands: backfill and status (real Redis)", () => {
  let dir: string;
  let context: ServiceContext;
  const env = { REDIS_URL: process.env.REDIS_URL, LOG_LEVEL: "silent" };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-service-cli-"));
    await mkdir(path.join(dir, "docs"));
    await writeFile(
      path.join(dir, "content-sync.yaml"),
      `redis: { keyPrefix: cs-test-${randomUUID()} }
sources:
  - id: handbook
    type: filesystem
    contentImportSource: { url: "https://handbook.example.test/" }
    availability: { aiAgent: false, aiCopilot: true }
    schedule: { every: 15m }
    options: { root: ./docs }
`,
    );
    const registry = builtInRegistry();
    const config = await loadConfig(path.join(dir, "content-sync.yaml"), {
      registry,
      env,
      cwd: dir,
      requireIntercomToken: false,
    });
    context = new ServiceContext({ config, registry, env, role: "test" });
  });
  afterAll(async () => {
    await purgeKeyspace(context.connection, context.keyspace);
    await context.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("backfill enqueues a full run and prints its job id; --since makes it windowed", async () => {
    const full = io(dir, env);
    expect(await runCli(["backfill", "handbook"], full.ctx)).toBe(0);
    const jobId = full.out().trim();
    const job = await context.queue.getJob(jobId);
    expect(job?.name).toBe("sync.source");
    expect(job?.data).toMatchObject({ sourceId: "handbook", mode: "full", trigger: "backfill" });

    const windowed = io(dir, env);
    expect(await runCli(["backfill", "handbook", "--since", "2026-01-31"], windowed.ctx)).toBe(0);
    const windowedJob = await context.queue.getJob(windowed.out().trim());
    expect(windowedJob?.data).toMatchObject({ since: "2026-01-31T00:00:00.000Z" });
  });

  it("backfill refuses unknown sources and bad dates with exit code 2", async () => {
    const unknown = io(dir, env);
    expect(await runCli(["backfill", "nope"], unknown.ctx)).toBe(2);
    expect(unknown.err()).toContain('unknown source "nope" (the config has: handbook)');
    const badDate = io(dir, env);
    expect(await runCli(["backfill", "handbook", "--since", "yesterday"], badDate.ctx)).toBe(2);
    expect(badDate.err()).toContain("--since expects a date");
    expect(() => parseSince("2026-02-30T99:00:00Z")).toThrow(/--since/);
    expect(parseSince("2026-03-01T10:00:00+02:00")).toBe("2026-03-01T08:00:00.000Z");
  });

  it("status shows the runs, counts, errors and the queue", async () => {
    await context.ledger.record({
      runId: "run-1",
      sourceId: "handbook",
      mode: "full",
      trigger: "backfill",
      status: "partial",
      startedAt: Date.now() - 5_000,
      finishedAt: Date.now() - 2_000,
      counts: { created: 4, updated: 1, unchanged: 7, deleted: 0, failed: 1 },
      errors: [{ externalId: "broken.md", message: "cannot parse front matter" }],
    });
    const text = io(dir, env);
    expect(await runCli(["status"], text.ctx)).toBe(0);
    expect(text.out()).toMatch(/queue: \d+ waiting, \d+ active/);
    expect(text.out()).toContain("handbook (filesystem) — idle");
    expect(text.out()).toContain("full partial: 4 created, 1 updated, 7 unchanged, 0 deleted, 1 failed");
    expect(text.out()).toContain("broken.md: cannot parse front matter");
    expect(text.out()).toMatch(/lag: \d+s since the last good run/);

    const json = io(dir, env);
    expect(await runCli(["status", "--json"], json.ctx)).toBe(0);
    const report = JSON.parse(json.out());
    expect(report.sources[0]).toMatchObject({
      id: "handbook",
      lastRuns: [{ runId: "run-1", counts: { created: 4 } }],
    });
  });

  it("status --run shows one run's audit trail: which pages were created, updated and deleted, and why", async () => {
    await context.ledger.recordChanges("handbook", "run-2", [
      {
        action: "created",
        externalId: "new.md",
        pageId: "41",
        reason: "new document",
        at: Date.UTC(2026, 11, 1),
      },
      {
        action: "deleted",
        externalId: "old.md",
        pageId: "7",
        reason: "not in the complete listing",
        at: Date.UTC(2026, 11, 1),
      },
    ]);
    await context.ledger.record({
      runId: "run-2",
      sourceId: "handbook",
      mode: "full",
      trigger: "schedule",
      status: "succeeded",
      startedAt: Date.UTC(2026, 11, 1),
      finishedAt: Date.UTC(2026, 11, 1) + 1_000,
      counts: { created: 1, updated: 0, unchanged: 3, deleted: 1, failed: 0 },
      errors: [],
    });
    await context.state.recordFailure(
      "handbook",
      { key: "draft.md", externalId: "draft.md", kind: "document", reason: "the document is empty" },
      () => 60_000,
    );
    const text = io(dir, env);
    expect(await runCli(["status", "--run", "run-2"], text.ctx)).toBe(0);
    expect(text.out()).toContain("created new.md (page 41): new document");
    expect(text.out()).toContain("deleted old.md (page 7): not in the complete listing");
    const json = io(dir, env);
    expect(await runCli(["status", "--run", "run-2", "--json"], json.ctx)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({
      run: { runId: "run-2", changes: 2 },
      changes: [{ externalId: "new.md" }, { externalId: "old.md" }],
    });
    const overview = io(dir, env);
    expect(await runCli(["status"], overview.ctx)).toBe(0);
    expect(overview.out()).toContain("failure ledger: 1 entry");
    expect(overview.out()).toContain("document draft.md: the document is empty (attempts 1");
    const missing = io(dir, env);
    expect(await runCli(["status", "--run", "nope"], missing.ctx)).toBe(2);
    expect(missing.err()).toContain('no run "nope"');
  });

  it("serve refuses a config without its Intercom token (exit 2, naming the env var), before writing anything", async () => {
    for (const command of [["serve", "--port", "18999"]]) {
      const run = io(dir, env);
      expect(await runCli(command, run.ctx)).toBe(2);
      expect(run.err()).toMatch(/intercom\.tokenEnv: the env var INTERCOM_ACCESS_TOKEN .* is not set/);
    }
    expect(await context.queue.getJobSchedulers(0, -1)).toEqual([]);
  });
});
