import { randomUUID } from "node:crypto";
import { ConnectorError } from "@content-sync/connectors";
import { type Job, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import type { SourceConfig } from "../config/types.js";
import { purgeKeyspace } from "../redis/purge-keyspace.js";
import { createRedisConnection, resolveRedisUrl } from "../redis/redis-factory.js";
import { RedisKeyspace } from "../redis/redis-keyspace.js";
import { RedisRateLimiter } from "../redis/redis-rate-limiter.js";
import type { EngineCallContext, ListingItem, SourceSyncEngine, SyncOutcome } from "./engine-port.js";
import { enqueueSourceRun, enqueueTargeted } from "./enqueue.js";
import { RunLedger } from "./run-ledger.js";
import { SourceLock } from "./source-lock.js";
import { startSyncWorker, type SyncWorkerHandle } from "./worker-runtime.js";

const source = (id: string): SourceConfig => ({
  id,
  name: id,
  type: "fake",
  enabled: true,
  contentImportSource: { url: `https://example.test/${id}` },
  availability: { aiAgent: true, aiCopilot: true },
  rules: {},
  transform: {} as SourceConfig["transform"],
  deletion: { maxDeletes: 50 },
  concurrency: 4,
  options: {},
});

const outcome = (partial: Partial<SyncOutcome["counts"]> = {}): SyncOutcome => ({
  counts: { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, ...partial },
  errors: [],
  notes: [],
});

/** An engine over an in-memory set of documents that records what the handlers asked of it. */
class FakeEngine implements SourceSyncEngine {
  documents: string[] = [];
  stored = new Set<string>();
  batches: string[][] = [];
  runs: string[] = [];
  sweeps = 0;
  failOn = new Set<string>();
  permanentRunFailure = false;
  targetedCalls: string[][] = [];

  async run(src: SourceConfig, mode: "full" | "incremental"): Promise<SyncOutcome> {
    if (this.permanentRunFailure)
      throw new ConnectorError("auth", "token rejected", { credentialEnv: "WIKI_TOKEN" });
    this.runs.push(`${src.id}:${mode}`);
    return outcome({ unchanged: this.documents.length });
  }
  async syncDocuments(
    _src: SourceConfig,
    ids: readonly string[],
    _options: EngineCallContext,
  ): Promise<SyncOutcome> {
    if (ids.some((id) => this.failOn.has(id))) throw new ConnectorError("config", `cannot read ${ids[0]}`);
    if (ids.length === 1 && ids[0]?.startsWith("hook-")) {
      this.targetedCalls.push([...ids]);
      return outcome({ updated: 1 });
    }
    this.batches.push([...ids]);
    let created = 0;
    for (const id of ids)
      if (!this.stored.has(id)) {
        this.stored.add(id);
        created++;
      }
    return outcome({ created });
  }
  async prepare(): Promise<void> {}
  updatedAt = new Map<string, Date>();
  async *list(): AsyncIterable<ListingItem> {
    for (const externalId of this.documents)
      yield { kind: "id", externalId, updatedAt: this.updatedAt.get(externalId) };
    yield { kind: "cursor", cursor: "after-listing" };
  }
  async sweep(_src: SourceConfig, isSeen: (id: string) => Promise<boolean>): Promise<SyncOutcome> {
    this.sweeps++;
    let deleted = 0;
    for (const id of [...this.stored]) {
      if (!(await isSeen(id))) {
        this.stored.delete(id);
        deleted++;
      }
    }
    return outcome({ deleted });
  }
}

describe("sync worker runtime (real Redis)", () => {
  let redis: Redis;
  let keyspace: RedisKeyspace;
  let engine: FakeEngine;
  let worker: SyncWorkerHandle | undefined;
  let events: QueueEvents | undefined;
  const sources = new Map([["wiki", source("wiki")]]);

  beforeAll(() => {
    redis = createRedisConnection({ url: resolveRedisUrl(undefined) });
  });
  afterEach(async () => {
    await worker?.close();
    await events?.close();
    worker = undefined;
    events = undefined;
    await purgeKeyspace(redis, keyspace);
  });
  afterAll(async () => {
    await redis.quit();
  });

  const start = async (batchSize = 100, limiter?: (keys: RedisKeyspace) => RedisRateLimiter) => {
    keyspace = new RedisKeyspace(`cs-test-${randomUUID()}`);
    engine = new FakeEngine();
    worker = await startSyncWorker({
      connection: redis,
      keyspace,
      engine,
      limiter: limiter?.(keyspace),
      sources: () => sources,
      fanOut: { enabled: true, batchSize },
      concurrency: 3,
    });
    events = new QueueEvents(worker.queue.name, { connection: redis.duplicate(), prefix: keyspace.prefix });
    await events.waitUntilReady();
    return worker;
  };
  const finished = async (jobId: string) => {
    const job = (await worker?.queue.getJob(jobId)) as Job;
    return job.waitUntilFinished(events as QueueEvents, 20_000);
  };

  it("runs an incremental run inline and records it in the run history", async () => {
    const { queue } = await start();
    engine.documents = ["a", "b"];
    const jobId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "incremental", trigger: "manual" });
    const result = await finished(jobId);
    expect(result).toMatchObject({ status: "succeeded", counts: { unchanged: 2 } });
    expect(engine.runs).toEqual(["wiki:incremental"]);
    const [record] = await new RunLedger(redis, keyspace).history("wiki");
    expect(record).toMatchObject({
      runId: jobId,
      mode: "incremental",
      trigger: "manual",
      status: "succeeded",
    });
    expect(await new SourceLock(redis, keyspace).holder("wiki")).toBeUndefined();
  });

  it("fans a full run out into batches and sweeps only after every batch finished", async () => {
    const { queue } = await start(100);
    engine.documents = Array.from({ length: 250 }, (_, index) => `doc-${index}`);
    engine.stored = new Set(["gone-1", "gone-2"]);
    const jobId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "backfill" });
    const result = await finished(jobId);
    expect(engine.batches.map((batch) => batch.length).sort()).toEqual([100, 100, 50]);
    expect(engine.sweeps).toBe(1);
    expect([...engine.stored].sort()).toEqual([...engine.documents].sort());
    expect(result).toMatchObject({ status: "succeeded", counts: { created: 250, deleted: 2 } });
    expect(await redis.exists(keyspace.runSeen(jobId))).toBe(0);
  });

  it("skips the deletion sweep when a batch failed for good, and says so", async () => {
    const { queue } = await start(10);
    engine.documents = Array.from({ length: 30 }, (_, index) => `doc-${index}`);
    engine.stored = new Set(["gone"]);
    engine.failOn.add("doc-15");
    const jobId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "manual" });
    const result = await finished(jobId);
    expect(engine.sweeps).toBe(0);
    expect(engine.stored.has("gone")).toBe(true);
    expect(result).toMatchObject({
      status: "partial",
      message: expect.stringContaining("deletion sweep skipped"),
    });
  });

  it("fails a run with a permanent error once, with a message naming the credential", async () => {
    const { queue } = await start();
    engine.permanentRunFailure = true;
    const jobId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "incremental", trigger: "manual" });
    await expect(finished(jobId)).rejects.toThrow(
      /auth error: token rejected \(check the env var WIKI_TOKEN\)/,
    );
    const job = await queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(1);
    const [record] = await new RunLedger(redis, keyspace).history("wiki");
    expect(record).toMatchObject({ status: "failed", message: expect.stringContaining("WIKI_TOKEN") });
  });

  it("fails jobs for sources missing from the config without retrying", async () => {
    const { queue } = await start();
    const jobId = await enqueueSourceRun(queue, { sourceId: "nope", mode: "full", trigger: "manual" });
    await expect(finished(jobId)).rejects.toThrow(/source "nope" is not in the config/);
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(1);
  });

  it("skips a scheduled incremental run while another run holds the source", async () => {
    const { queue } = await start();
    await new SourceLock(redis, keyspace).acquire("wiki", "someone-else");
    const job = await queue.add("sync.source", {
      sourceId: "wiki",
      mode: "incremental",
      trigger: "schedule",
    });
    const result = await finished(String(job.id));
    expect(result).toMatchObject({ status: "skipped", message: "run someone-else was in progress" });
    expect(engine.runs).toEqual([]);
  });

  it("coalesces a burst of webhook jobs for one document into a leading and one trailing run", async () => {
    const { queue } = await start();
    const coalesce = { redis, keyspace, coalesceWindowMs: 300 };
    const [leading] = await enqueueTargeted(queue, { sourceId: "wiki", externalIds: ["hook-1"] }, coalesce);
    // The lone first event is not delayed.
    expect(await (await queue.getJob(String(leading)))?.getState()).not.toBe("delayed");
    let trailingId = "";
    for (let index = 0; index < 49; index++) {
      [trailingId = ""] = await enqueueTargeted(
        queue,
        { sourceId: "wiki", externalIds: ["hook-1"] },
        coalesce,
      );
    }
    // Each event replaced the delayed trailing job: one is left, holding the burst.
    const delayed = (await queue.getJobs(["delayed"])).filter((job) => job.name === "sync.targeted");
    expect(delayed.map((job) => job.id)).toEqual([trailingId]);
    await finished(String(leading));
    await finished(trailingId);
    expect(engine.targetedCalls).toEqual([["hook-1"], ["hook-1"]]);
    // A later, separate event is a new burst: it runs at once again.
    await new Promise((resolve) => setTimeout(resolve, 350));
    const [next] = await enqueueTargeted(queue, { sourceId: "wiki", externalIds: ["hook-1"] }, coalesce);
    await finished(String(next));
    expect(engine.targetedCalls.length).toBe(3);
  });

  it("parks jobs through BullMQ's rate limit while the fleet is blocked by a 429, without failing them", async () => {
    let limiter: RedisRateLimiter | undefined;
    const { queue } = await start(100, (keys) => {
      limiter = new RedisRateLimiter({ redis, keyspace: keys, onBlock: (ms) => queue.rateLimit(ms) });
      return limiter;
    });
    const blockedAt = Date.now();
    await limiter?.block(Math.ceil((blockedAt + 1_500) / 1000));
    expect(await queue.getRateLimitTtl()).toBeGreaterThan(0);
    const [jobId] = await enqueueTargeted(
      queue,
      { sourceId: "wiki", externalIds: ["hook-9"] },
      { redis, keyspace },
    );
    await finished(String(jobId));
    // It ran only once the block was over, and the wait did not cost an attempt.
    expect(Date.now()).toBeGreaterThanOrEqual(Math.ceil((blockedAt + 1_500) / 1000) * 1000 - 50);
    expect(engine.targetedCalls).toEqual([["hook-9"]]);
    expect((await queue.getJob(String(jobId)))?.attemptsMade).toBeLessThanOrEqual(1);
  });

  it("re-checks documents that webhooks touched while a run held the source, once the run ends", async () => {
    const { queue } = await start();
    const lock = new SourceLock(redis, keyspace);
    await lock.acquire("wiki", "long-run");
    const [jobId] = await enqueueTargeted(
      queue,
      { sourceId: "wiki", externalIds: ["hook-5"] },
      { redis, keyspace },
    );
    await finished(String(jobId));
    expect(await redis.smembers(keyspace.dirtyDocuments("wiki"))).toEqual(["hook-5"]);
    await lock.release("wiki", "long-run");
    const runId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "incremental", trigger: "manual" });
    await finished(runId);
    await new Promise<void>((resolve) => {
      const check = () => (engine.targetedCalls.length >= 2 ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(engine.targetedCalls).toEqual([["hook-5"], ["hook-5"]]);
    expect(await redis.exists(keyspace.dirtyDocuments("wiki"))).toBe(0);
  });

  it("a windowed backfill (--since) re-sends only documents updated since then and never sweeps", async () => {
    const { queue } = await start(2);
    engine.documents = ["old-1", "old-2", "new-1", "new-2", "new-3"];
    engine.updatedAt = new Map([
      ["old-1", new Date("2026-01-01T00:00:00Z")],
      ["old-2", new Date("2026-01-15T00:00:00Z")],
      ["new-1", new Date("2026-02-01T00:00:00Z")],
      ["new-2", new Date("2026-03-01T00:00:00Z")],
      ["new-3", new Date("2026-03-02T00:00:00Z")],
    ]);
    engine.stored = new Set(["gone"]);
    const jobId = await enqueueSourceRun(queue, {
      sourceId: "wiki",
      mode: "full",
      trigger: "backfill",
      since: "2026-02-01T00:00:00.000Z",
    });
    const result = await finished(jobId);
    expect(engine.batches.flat().sort()).toEqual(["new-1", "new-2", "new-3"]);
    expect(engine.sweeps).toBe(0);
    expect(engine.stored.has("gone")).toBe(true);
    expect(result).toMatchObject({ status: "succeeded", counts: { created: 3, deleted: 0 } });
  });

  it("a run taken over during its listing resumes without re-queueing the batches already queued", async () => {
    const { queue } = await start(2);
    engine.documents = ["a", "b", "c", "d", "e"];
    engine.stored = new Set(["a", "b", "gone"]);
    // What a worker that died after queueing batch 0 left in the job's data.
    const job = await queue.add("sync.source", {
      sourceId: "wiki",
      mode: "full",
      trigger: "manual",
      step: "listing",
      batchesQueued: 1,
      startedAt: 1_000,
    });
    const result = await finished(String(job.id));
    expect(engine.batches).toEqual([["c", "d"], ["e"]]);
    // Batch 0's documents still count as seen: only the vanished page is swept.
    expect([...engine.stored].sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(result).toMatchObject({ status: "succeeded", counts: { created: 3, deleted: 1 } });
    const [record] = await new RunLedger(redis, keyspace).history("wiki");
    expect(record?.startedAt).toBe(1_000);
  });
});
