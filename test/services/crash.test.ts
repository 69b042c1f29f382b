import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import {
  builtInRegistry,
  enqueueSourceRun,
  loadConfig,
  purgeKeyspace,
  ServiceContext,
} from "@content-sync/sync";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import {
  type CliProcess,
  freePort,
  redisUrl,
  spawnWorker as spawnWorkerProcess,
  stopProcess,
  waitFor,
  writeDocuments,
  writeServiceConfig,
} from "./support/harness.js";
import { OwnedRedisServer } from "./support/redis-server.js";

const DOCUMENTS = 3_000;
const UPSERT = "POST /ai/external_pages";
/** Jobs per worker process × documents in flight per job: the most writes a killed worker can leave unrecorded. */
const WORKER_CONCURRENCY = 2;
const SOURCE_CONCURRENCY = 4;
const IN_FLIGHT = WORKER_CONCURRENCY * SOURCE_CONCURRENCY;

describe("crashes: a killed worker and a restarted Redis (sandbox as Intercom)", () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let context: ServiceContext | undefined;
  let workers: CliProcess[] = [];
  let redisServer: OwnedRedisServer | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-crash-"));
    await writeDocuments(path.join(dir, "docs"), DOCUMENTS);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(workers.map((worker) => stopProcess(worker, "SIGKILL")));
    workers = [];
    if (context) {
      await purgeKeyspace(context.connection, context.keyspace).catch(() => undefined);
      await context.close();
      context = undefined;
    }
    await redisServer?.stop();
    redisServer = undefined;
    await sandbox?.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const setUp = async (url: string) => {
    // A little latency per call keeps the run long enough to interrupt it half-way.
    sandbox = await startSandbox({ faults: { latencyMs: 5 } });
    const file = path.join(dir, `content-sync-${randomUUID()}.yaml`);
    await writeServiceConfig(file, {
      prefix: `cs-test-${randomUUID()}`,
      sandboxUrl: sandbox.url,
      sources: [{ id: "crashy", root: path.join(dir, "docs"), concurrency: SOURCE_CONCURRENCY }],
    });
    const env = {
      TEST_INTERCOM_TOKEN: sandbox.token,
      REDIS_URL: url,
      CONTENT_SYNC_BATCH_SIZE: "100",
      // A dead worker's jobs are taken over within a few seconds.
      CONTENT_SYNC_LOCK_DURATION_MS: "3000",
      CONTENT_SYNC_STALLED_INTERVAL_MS: "1500",
    };
    const registry = builtInRegistry();
    context = new ServiceContext({
      config: await loadConfig(file, { registry, env }),
      registry,
      env,
      role: "test",
    });
    const spawnWorker = () => {
      const worker = spawnWorkerProcess(
        ["--config", file, "--concurrency", String(WORKER_CONCURRENCY), "--log-level", "warn"],
        env,
      );
      workers.push(worker);
      return worker;
    };
    return { context, spawnWorker };
  };
  const pagesWritten = () => sandbox.store.pageCount;
  const finishedRun = (ctx: ServiceContext, runId: string) =>
    waitFor(
      "the run to finish",
      async () => (await ctx.ledger.history("crashy", 5)).find((run) => run.runId === runId),
      180_000,
      250,
    );

  it("SIGKILL of a worker mid-run: another takes the run over and completes it without duplicate writes beyond the documents in flight", async () => {
    const { context: ctx, spawnWorker } = await setUp(redisUrl());
    const doomed = spawnWorker();
    const survivor = spawnWorker();
    await waitFor(
      "two workers",
      async () => (await ctx.queue.getWorkers()).length >= 2 || undefined,
      60_000,
      250,
    );
    const runId = await enqueueSourceRun(ctx.queue, { sourceId: "crashy", mode: "full", trigger: "manual" });
    await waitFor("the run to be under way", () => pagesWritten() >= 600, 120_000, 50);
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const written = pagesWritten();
    expect(written).toBeLessThan(DOCUMENTS);
    spawnWorker();

    const run = await finishedRun(ctx, runId);
    expect(run.status).toBe("succeeded");
    expect(survivor.child.exitCode).toBeNull();
    expect(pagesWritten()).toBe(DOCUMENTS);
    const writes = sandbox.stats().succeeded[UPSERT] ?? 0;
    expect(writes).toBeGreaterThanOrEqual(DOCUMENTS);
    expect(writes - DOCUMENTS).toBeLessThanOrEqual(IN_FLIGHT);
    expect(await ctx.runHolding("crashy")).toBeUndefined();
  }, 240_000);

  it("Redis restarted mid-run: the workers reconnect and finish the run", async () => {
    const redisDir = path.join(dir, `redis-${randomUUID()}`);
    await mkdir(redisDir);
    redisServer = new OwnedRedisServer(await freePort(), redisDir);
    await redisServer.start();
    const { context: ctx, spawnWorker } = await setUp(redisServer.url);
    spawnWorker();
    spawnWorker();
    await waitFor(
      "two workers",
      async () => (await ctx.queue.getWorkers()).length >= 2 || undefined,
      60_000,
      250,
    );
    const runId = await enqueueSourceRun(ctx.queue, { sourceId: "crashy", mode: "full", trigger: "manual" });
    await waitFor("the run to be under way", () => pagesWritten() >= 600, 120_000, 50);
    await redisServer.kill();
    const writtenWhileDown = pagesWritten();
    await redisServer.start();

    const run = await finishedRun(ctx, runId);
    expect(writtenWhileDown).toBeLessThan(DOCUMENTS);
    expect(run.status).toBe("succeeded");
    expect(pagesWritten()).toBe(DOCUMENTS);
    const writes = sandbox.stats().succeeded[UPSERT] ?? 0;
    expect(writes - DOCUMENTS).toBeLessThanOrEqual(2 * IN_FLIGHT);
    for (const worker of workers) expect(worker.child.exitCode).toBeNull();
  }, 240_000);

  it("SIGTERM drains a worker: it finishes its running jobs and exits 0; another worker completes the run with no duplicate write", async () => {
    const { context: ctx, spawnWorker } = await setUp(redisUrl());
    const draining = spawnWorker();
    await waitFor(
      "a worker",
      async () => (await ctx.queue.getWorkers()).length >= 1 || undefined,
      60_000,
      250,
    );
    const runId = await enqueueSourceRun(ctx.queue, { sourceId: "crashy", mode: "full", trigger: "manual" });
    await waitFor("the run to be under way", () => pagesWritten() >= 300, 120_000, 50);
    draining.child.kill("SIGTERM");
    expect(await draining.exited).toBe(0);
    expect(draining.output()).toContain("SIGTERM: stopping");
    expect(pagesWritten()).toBeLessThan(DOCUMENTS);
    spawnWorker();
    const run = await finishedRun(ctx, runId);
    expect(run.status).toBe("succeeded");
    expect(pagesWritten()).toBe(DOCUMENTS);
    expect(sandbox.stats().succeeded[UPSERT]).toBe(DOCUMENTS);
  }, 240_000);
});
