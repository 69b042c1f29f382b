import { randomUUID } from "node:crypto";
import type { ConnectorDefinition, FetchedDocument, SourceEvent } from "@content-sync/connectors";
import { ConnectorError, ConnectorRegistry } from "@content-sync/connectors";
import { IntercomClient } from "@content-sync/intercom";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import { type Job, QueueEvents } from "bullmq";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { SourceConfig } from "../config/types.js";
import { purgeKeyspace } from "../redis/purge-keyspace.js";
import { createRedisConnection, type RedisClient, resolveRedisUrl } from "../redis/redis-factory.js";
import { RedisKeyspace } from "../redis/redis-keyspace.js";
import { RedisRateLimiter } from "../redis/redis-rate-limiter.js";
import { RedisStateStore } from "../redis/redis-state-store.js";
import { EngineAdapter } from "./engine-adapter.js";
import { enqueueSourceRun, enqueueTargeted } from "./enqueue.js";
import { RedisLease } from "./lease.js";
import { RunLedger } from "./run-ledger.js";
import { startSyncWorker, type SyncWorkerHandle } from "./worker-runtime.js";

/** An in-memory product the tests edit; the connector reads it and records what it was asked. */
class Product {
  docs = new Map<string, { version: string; updatedAt?: Date }>();
  fetched: string[][] = [];
  listings = 0;
  failFetchOf = new Set<string>();
  /** Fetch failures are permanent (options wrong at run time): the batch fails at once, without retries. */
  permanentFetchFailure = false;
  refuseListing = false;
  /** Milliseconds each fetch-by-id call takes (a slow source). */
  fetchDelayMs = 0;
  /** While set, a fetch-by-id call that asks for `gatedId` waits for it (one slow batch, as long as a test needs). */
  fetchGate: Promise<void> | undefined;
  gatedId: string | undefined;

  set(ids: readonly string[], version = "1", updatedAt?: Date): void {
    for (const id of ids) this.docs.set(id, { version, ...(updatedAt ? { updatedAt } : {}) });
  }

  listed(id: string) {
    const doc = this.docs.get(id);
    if (!doc) throw new Error(`no ${id}`);
    return {
      externalId: id,
      version: doc.version,
      ...(doc.updatedAt ? { updatedAt: doc.updatedAt } : {}),
      metadata: { path: id },
      load: async (): Promise<FetchedDocument> => ({
        externalId: id,
        version: doc.version,
        title: `Title ${id}`,
        url: `https://wiki.example.com/${id}`,
        metadata: { path: id },
        body: { kind: "html", html: `<h1>Title ${id}</h1><p>Version ${doc.version}.</p>` },
      }),
    };
  }
}

const products = new Map<string, Product>();

/** Polls until the condition holds (each test bounds the wait by its own timeout). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

const productConnector: ConnectorDefinition<{ product: string }> = {
  type: "product",
  optionsSchema: z.strictObject({ product: z.string() }),
  defaultRate: { perSecond: 1_000 },
  create(options) {
    const product = products.get(options.product) as Product;
    return {
      async *listAll(): AsyncIterable<SourceEvent> {
        product.listings++;
        if (product.refuseListing) {
          throw new ConnectorError("auth", "token rejected", { credentialEnv: "WIKI_TOKEN", status: 401 });
        }
        for (const id of [...product.docs.keys()]) yield { kind: "document", document: product.listed(id) };
        yield { kind: "cursor", cursor: `listed-${product.listings}` };
      },
      async *listChanges(): AsyncIterable<SourceEvent> {
        yield { kind: "cursor", cursor: "changes" };
      },
      async *fetchByIds(ids): AsyncIterable<SourceEvent> {
        product.fetched.push([...ids]);
        if (product.fetchDelayMs > 0)
          await new Promise((resolve) => setTimeout(resolve, product.fetchDelayMs));
        if (product.fetchGate && product.gatedId !== undefined && ids.includes(product.gatedId))
          await product.fetchGate;
        if (ids.some((id) => product.failFetchOf.has(id)))
          throw new ConnectorError(
            product.permanentFetchFailure ? "config" : "unavailable",
            `503 fetching ${ids[0]}`,
          );
        for (const id of ids) {
          if (product.docs.has(id)) yield { kind: "document", document: product.listed(id) };
          else yield { kind: "missing", externalId: id, reason: "404" };
        }
      },
    };
  },
};

describe("sync worker runtime (real Redis, real sandbox)", () => {
  let redis: RedisClient;
  let sandbox: RunningSandbox;
  let keyspace: RedisKeyspace;
  let state: RedisStateStore;
  let product: Product;
  let worker: SyncWorkerHandle | undefined;
  let events: QueueEvents | undefined;
  let sources: Map<string, SourceConfig>;

  beforeAll(async () => {
    redis = createRedisConnection({ url: resolveRedisUrl(undefined) });
    sandbox = await startSandbox({ port: 0 });
  });
  afterEach(async () => {
    await worker?.close();
    await events?.close();
    worker = undefined;
    events = undefined;
    await purgeKeyspace(redis, keyspace);
  });
  afterAll(async () => {
    await sandbox.close();
    await redis.quit();
  });

  const source = (name: string, maxDeletes = 50): SourceConfig => ({
    id: "wiki",
    name: "wiki",
    type: "product",
    enabled: true,
    contentImportSource: { url: `https://wiki.example.com/${name}` },
    availability: { aiAgent: false, aiCopilot: true },
    rules: {},
    transform: {} as SourceConfig["transform"],
    deletion: { maxDeletes, windowMs: 86_400_000 },
    concurrency: 4,
    options: { product: name },
  });

  /** What the worker logged since the last `start`, one JSON line each. */
  const logLines: string[] = [];
  const logged = (message: string) =>
    logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === message);
  const start = async (
    options: { batchSize?: number; limiter?: boolean; sourceLockTtlMs?: number; maxDeletes?: number } = {},
  ) => {
    keyspace = new RedisKeyspace(`cs-test-${randomUUID()}`);
    const name = randomUUID();
    product = new Product();
    products.set(name, product);
    sources = new Map([["wiki", source(name, options.maxDeletes)]]);
    state = new RedisStateStore({ redis, keyspace });
    const client = new IntercomClient({ token: sandbox.token, baseUrl: sandbox.url, maxRetries: 0 });
    const engine = new EngineAdapter({
      registry: new ConnectorRegistry().register(productConnector),
      client,
      state,
      env: {},
      // Failures are due again at once, so a test sees a retry without waiting minutes.
      retrySchedule: { firstMs: 0, maxMs: 0 },
    });
    const limiter = options.limiter
      ? new RedisRateLimiter({ redis, keyspace, onBlock: (ms) => worker?.queue.rateLimit(ms) })
      : undefined;
    logLines.length = 0;
    worker = await startSyncWorker({
      logger: pino({ level: "info" }, { write: (line: string) => logLines.push(line) }),
      connection: redis,
      keyspace,
      engine,
      state,
      limiter,
      sources: () => sources,
      fanOut: { enabled: true, batchSize: options.batchSize ?? 100 },
      concurrency: 3,
      ...(options.sourceLockTtlMs ? { sourceLockTtlMs: options.sourceLockTtlMs } : {}),
    });
    events = new QueueEvents(worker.queue.name, {
      connection: createRedisConnection({ url: resolveRedisUrl(undefined) }),
      prefix: keyspace.queuePrefix,
    });
    await events.waitUntilReady();
    return { queue: worker.queue, limiter };
  };
  const finished = async (jobId: string) => {
    const job = (await worker?.queue.getJob(jobId)) as Job;
    return job.waitUntilFinished(events as QueueEvents, 30_000);
  };
  const pages = async () => {
    const id = (await state.getSource("wiki")).contentImportSourceId;
    return id === undefined
      ? []
      : sandbox.store
          .listPages(id)
          .map((page) => page.external_id)
          .sort();
  };
  const lease = () => new RedisLease(redis, keyspace.sourceLock("wiki"), 60_000);

  it("runs an incremental run inline and records it in the run history with its audit trail", async () => {
    const { queue } = await start();
    product.set(["a", "b"]);
    const jobId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "incremental", trigger: "manual" });
    const result = await finished(jobId);
    // Without a cursor the incremental request runs full.
    expect(result).toMatchObject({ status: "succeeded", counts: { created: 2 } });
    const ledger = new RunLedger(redis, keyspace);
    const [record] = await ledger.history("wiki");
    expect(record).toMatchObject({
      runId: jobId,
      mode: "incremental",
      trigger: "manual",
      status: "succeeded",
      changes: 2,
    });
    expect(
      (await ledger.changes("wiki", jobId)).map((change) => [
        change.action,
        change.externalId,
        change.reason,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["created", "a", "new document"],
        ["created", "b", "new document"],
      ]),
    );
    expect(await lease().holder()).toBeUndefined();
  });

  it("fans a full run out into batches and sweeps once, after every batch finished", async () => {
    const { queue } = await start({ batchSize: 100 });
    product.set(["gone-1", "gone-2"]);
    await finished(await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "manual" }));
    product.docs.clear();
    product.fetched = [];
    product.set(Array.from({ length: 250 }, (_, index) => `doc-${index}`));
    const jobId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "backfill" });
    const result = await finished(jobId);
    expect(product.fetched.map((batch) => batch.length).sort()).toEqual([100, 100, 50]);
    expect(result).toMatchObject({ status: "succeeded", counts: { created: 250, deleted: 2 } });
    expect((await pages()).length).toBe(250);
    expect(await redis.exists(keyspace.run("wiki", jobId))).toBe(0);
    expect((await state.getSource("wiki")).cursor).toBe("listed-2");
    // The run is reported once, with what its batches and its sweep did together: the sweep's own
    // summary (nothing written by the sweep) must not read "everything is up to date".
    const reports = logged("sync finished").filter((line) => line.runId === jobId);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ status: "succeeded", created: 250, deleted: 2 });
    expect(logLines.some((line) => line.includes("everything is up to date"))).toBe(false);
  });

  it("applies one deletion limit per fanned-out run, not one per batch", async () => {
    const { queue } = await start({ batchSize: 10, maxDeletes: 10 });
    product.set(Array.from({ length: 70 }, (_, index) => `doc-${index}`));
    await finished(await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "manual" }));
    // 60 documents vanish: each of six batches would be within the limit, the run is not.
    for (let index = 10; index < 70; index++) product.docs.delete(`doc-${index}`);
    const result = await finished(
      await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "manual" }),
    );
    expect(result).toMatchObject({ status: "partial", counts: { deleted: 0 } });
    expect(result.message).toMatch(/60 pages would be deleted, above the limit of 10/);
    expect((await pages()).length).toBe(70);
  });

  it("skips the sweep when a batch failed for good, records its documents in the ledger and moves the cursor", async () => {
    const { queue } = await start({ batchSize: 10 });
    product.set(["gone"]);
    await finished(await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "manual" }));
    product.docs.clear();
    product.set(Array.from({ length: 30 }, (_, index) => `doc-${index}`));
    product.failFetchOf.add("doc-15");
    product.permanentFetchFailure = true;
    const jobId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "manual" });
    const result = await finished(jobId);
    expect(result).toMatchObject({
      status: "partial",
      message: expect.stringContaining("nothing was swept"),
    });
    expect(await pages()).toContain("gone");
    const failed = [];
    for await (const entry of state.listFailures("wiki")) failed.push(entry.externalId);
    expect(failed.sort()).toEqual(Array.from({ length: 10 }, (_, index) => `doc-${10 + index}`).sort());
    expect((await state.getSource("wiki")).cursor).toBe("listed-2");
  }, 60_000);

  it("fails a run with a permanent error once, with a message naming the credential", async () => {
    const { queue } = await start();
    product.refuseListing = true;
    const jobId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "incremental", trigger: "manual" });
    await expect(finished(jobId)).rejects.toThrow(/token rejected/);
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(1);
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
    await lease().acquire("someone-else");
    const job = await queue.add("sync.source", {
      sourceId: "wiki",
      mode: "incremental",
      trigger: "schedule",
    });
    const result = await finished(String(job.id));
    expect(result).toMatchObject({ status: "skipped", message: "run someone-else was in progress" });
    expect(product.listings).toBe(0);
  });

  it("keeps a fanned-out run's lease alive while slow batches work, so no other run interleaves", async () => {
    // A lease of 900 ms lapses several times over while one batch is held below, unless renewed; the
    // other batches finish, so a worker slot is free for the interloper.
    const { queue } = await start({ batchSize: 5, sourceLockTtlMs: 900 });
    product.set(Array.from({ length: 20 }, (_, index) => `doc-${index}`));
    let release = () => {};
    product.gatedId = "doc-0";
    product.fetchGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runId = await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "manual" });
    await waitFor(() => product.fetched.length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const interloper = await queue.add("sync.source", {
      sourceId: "wiki",
      mode: "incremental",
      trigger: "schedule",
    });
    expect(await finished(String(interloper.id))).toMatchObject({ status: "skipped" });
    product.fetchGate = undefined;
    release();
    expect(await finished(runId)).toMatchObject({ status: "succeeded", counts: { created: 20 } });
    expect((await state.getSource("wiki")).cursor).toBe("listed-1");
  }, 60_000);

  it("coalesces a burst of webhook jobs for one document into a leading and one trailing run", async () => {
    const { queue } = await start();
    product.set(["hook-1"]);
    const coalesce = { redis, keyspace, coalesceWindowMs: 300 };
    const [leading] = await enqueueTargeted(queue, { sourceId: "wiki", externalIds: ["hook-1"] }, coalesce);
    expect(await (await queue.getJob(String(leading)))?.getState()).not.toBe("delayed");
    let trailingId = "";
    for (let index = 0; index < 49; index++) {
      [trailingId = ""] = await enqueueTargeted(
        queue,
        { sourceId: "wiki", externalIds: ["hook-1"] },
        coalesce,
      );
    }
    const delayed = (await queue.getJobs(["delayed"])).filter((job) => job.name === "sync.targeted");
    expect(delayed.map((job) => job.id)).toEqual([trailingId]);
    await finished(String(leading));
    await finished(trailingId);
    expect(product.fetched).toEqual([["hook-1"], ["hook-1"]]);
  });

  it("retries a webhook job whose fetch fails, then fails it visibly with its documents in the ledger", async () => {
    const { queue } = await start();
    product.set(["hook-2"]);
    product.failFetchOf.add("hook-2");
    // The catalog's policy, with a shorter back-off so the attempts fit in the test.
    const job = await queue.add(
      "sync.targeted",
      { sourceId: "wiki", externalIds: ["hook-2"] },
      { attempts: 3, backoff: { type: "fixed", delay: 100 } },
    );
    const jobId = String(job.id);
    await expect(finished(jobId)).rejects.toThrow(/503 fetching hook-2/);
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(3);
    expect((await state.getFailures("wiki", ["hook-2"])).get("hook-2")).toMatchObject({ kind: "document" });
    const [record] = await new RunLedger(redis, keyspace).history("wiki");
    expect(record).toMatchObject({
      mode: "targeted",
      status: "failed",
      message: expect.stringContaining("failure ledger"),
    });
  });

  it("parks jobs through BullMQ's rate limit while the fleet is blocked by a 429, without failing them", async () => {
    const { queue, limiter } = await start({ limiter: true });
    product.set(["hook-9"]);
    const blockedAt = Date.now();
    await limiter?.block(Math.ceil((blockedAt + 1_500) / 1000));
    expect(await queue.getRateLimitTtl()).toBeGreaterThan(0);
    const [jobId] = await enqueueTargeted(
      queue,
      { sourceId: "wiki", externalIds: ["hook-9"] },
      { redis, keyspace },
    );
    await finished(String(jobId));
    expect(Date.now()).toBeGreaterThanOrEqual(Math.ceil((blockedAt + 1_500) / 1000) * 1000 - 50);
    expect(product.fetched).toEqual([["hook-9"]]);
    expect((await queue.getJob(String(jobId)))?.attemptsMade).toBeLessThanOrEqual(1);
  });

  it("re-checks documents that webhooks touched while a run held the source, once the run ends", async () => {
    const { queue } = await start();
    product.set(["hook-5"]);
    await lease().acquire("long-run");
    const [jobId] = await enqueueTargeted(
      queue,
      { sourceId: "wiki", externalIds: ["hook-5"] },
      { redis, keyspace },
    );
    await finished(String(jobId));
    expect(await redis.smembers(keyspace.dirtyDocuments("wiki"))).toEqual(["hook-5"]);
    await lease().release("long-run");
    await finished(
      await enqueueSourceRun(queue, { sourceId: "wiki", mode: "incremental", trigger: "manual" }),
    );
    const deadline = Date.now() + 10_000;
    while (product.fetched.filter((ids) => ids[0] === "hook-5").length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(product.fetched.filter((ids) => ids[0] === "hook-5")).toEqual([["hook-5"], ["hook-5"]]);
    expect(await redis.exists(keyspace.dirtyDocuments("wiki"))).toBe(0);
  });

  it("a windowed backfill (--since) re-sends only documents updated since then and never sweeps", async () => {
    const { queue } = await start();
    product.set(["gone"]);
    await finished(await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "manual" }));
    product.docs.clear();
    product.set(["old-1"], "1", new Date("2026-01-01T00:00:00Z"));
    product.set(["new-1", "new-2"], "1", new Date("2026-02-02T00:00:00Z"));
    product.fetched = [];
    const jobId = await enqueueSourceRun(queue, {
      sourceId: "wiki",
      mode: "full",
      trigger: "backfill",
      since: "2026-02-01T00:00:00.000Z",
    });
    const result = await finished(jobId);
    expect(product.fetched.flat().sort()).toEqual(["new-1", "new-2"]);
    expect(result).toMatchObject({ status: "succeeded", counts: { created: 2, deleted: 0 } });
    expect(await pages()).toContain("gone");
  });

  it("a run taken over during its listing resumes its fence without re-queueing the batches already queued", async () => {
    const { queue } = await start({ batchSize: 2 });
    product.set(["a", "b", "gone"]);
    await finished(await enqueueSourceRun(queue, { sourceId: "wiki", mode: "full", trigger: "manual" }));
    product.docs.delete("gone");
    product.set(["c", "d", "e"]);
    product.fetched = [];
    // What a worker that died after queueing batch 0 (a, b) left behind: the run's checkpoint and job data.
    const jobId = "manual-wiki-takeover";
    const fence = await state.beginRun("wiki", { runId: jobId, mode: "full" });
    await queue.add(
      "sync.source",
      {
        sourceId: "wiki",
        mode: "full",
        trigger: "manual",
        step: "listing",
        batchesQueued: 1,
        startedAt: 1_000,
        generation: fence.generation,
        fenceStartedAt: fence.startedAt,
      },
      { jobId },
    );
    const result = await finished(jobId);
    expect(product.fetched).toEqual([["c", "d"], ["e"]]);
    // Batch 0's documents count as seen (the resumed listing marked them again): only "gone" is swept.
    expect(result).toMatchObject({ status: "succeeded", counts: { created: 3, deleted: 1 } });
    expect(await pages()).toEqual(["a", "b", "c", "d", "e"]);
    const [record] = await new RunLedger(redis, keyspace).history("wiki");
    expect(record?.startedAt).toBe(1_000);
  });
});
