import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import {
  builtInRegistry,
  enqueueSourceRun,
  loadConfig,
  purgeKeyspace,
  type RunRecord,
  ServiceContext,
} from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliProcess,
  redisUrl,
  spawnCli,
  spawnWorker,
  stopProcess,
  waitFor,
  writeDocuments,
  writeServiceConfig,
} from "./support/harness.js";

const DOCUMENTS = 10_000;
/** Sandbox budget: 3 000 calls per 10-second window, so the 10 000 writes need several windows. */
const PER_MINUTE = 18_000;
const UPSERT = "POST /ai/external_pages";

describe("a fleet of three worker processes on one large source (real Redis, sandbox as Intercom)", () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let context: ServiceContext;
  const workers: CliProcess[] = [];
  const prefix = `cs-test-${randomUUID()}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-fleet-"));
    await writeDocuments(path.join(dir, "docs"), DOCUMENTS);
    sandbox = await startSandbox({ rateLimit: { perMinute: PER_MINUTE } });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopProcess(worker)));
    if (context) {
      await purgeKeyspace(context.connection, context.keyspace);
      await context.close();
    }
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes every page exactly once, never overlaps runs of the source, and keeps to the rate limit", async () => {
    const file = path.join(dir, "content-sync.yaml");
    await writeServiceConfig(file, {
      prefix,
      sandboxUrl: sandbox.url,
      sources: [{ id: "bulk", root: path.join(dir, "docs"), concurrency: 8 }],
    });
    const env = { TEST_INTERCOM_TOKEN: sandbox.token, REDIS_URL: redisUrl(), CONTENT_SYNC_BATCH_SIZE: "200" };
    const registry = builtInRegistry();
    context = new ServiceContext({
      config: await loadConfig(file, { registry, env }),
      registry,
      env,
      role: "test",
    });
    for (let index = 0; index < 3; index++) {
      workers.push(spawnWorker(["--config", file, "--concurrency", "3", "--log-level", "warn"], env));
    }
    await waitFor(
      "three workers connected",
      async () => (await context.queue.getWorkers()).length >= 3 || undefined,
      60_000,
      250,
    );

    // The first run is a backfill from the CLI, which prints the job id; a second full run is queued
    // right behind it and must wait for the first (one run per source across the fleet).
    const backfill = spawnCli(["backfill", "bulk", "--config", file], env);
    expect(await backfill.exited).toBe(0);
    const firstRunId = backfill.output().trim().split("\n").pop() as string;
    expect(firstRunId).toMatch(/^backfill-bulk-/);
    const secondRunId = await enqueueSourceRun(context.queue, {
      sourceId: "bulk",
      mode: "full",
      trigger: "manual",
    });

    const runs = await waitFor(
      "both runs in the history",
      async () => {
        const history = await context.ledger.history("bulk", 10);
        return history.length >= 2 ? history : undefined;
      },
      240_000,
      500,
    );
    const byId = new Map(runs.map((run): [string, RunRecord] => [run.runId, run]));
    const first = byId.get(firstRunId);
    const second = byId.get(secondRunId);
    expect(first).toMatchObject({ status: "succeeded", counts: { created: DOCUMENTS, failed: 0 } });
    expect(second).toMatchObject({
      status: "succeeded",
      counts: { created: 0, updated: 0, unchanged: DOCUMENTS },
    });
    // No overlap: the second run started only after the first had finished.
    expect((second as RunRecord).startedAt).toBeGreaterThanOrEqual((first as RunRecord).finishedAt);

    const stats = sandbox.stats();
    const source = sandbox.store.listSources().find((candidate) => candidate.url.includes("bulk"));
    expect(sandbox.store.listPages(source?.id).length).toBe(DOCUMENTS);
    // Every page written exactly once over both runs.
    expect(stats.succeeded[UPSERT]).toBe(DOCUMENTS);
    // The shared limiter kept the fleet within the sandbox's budget: at most one window's worth of 429s.
    expect(stats.rateLimited).toBeLessThanOrEqual(PER_MINUTE / 6);
    // Batches really were shared by the fleet: more than one worker process wrote pages.
    const jobs = await context.queue.getJobs(["completed"], 0, 500);
    const batchWorkers = new Set(
      jobs.filter((job) => job.name === "sync.documents").map((job) => job.processedBy),
    );
    expect(batchWorkers.size).toBeGreaterThan(1);
  }, 300_000);
});
