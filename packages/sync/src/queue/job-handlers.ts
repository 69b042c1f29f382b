import {
  DelayedError,
  type Job,
  type Queue,
  RateLimitError,
  UnrecoverableError,
  WaitingChildrenError,
} from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";
import type { RedisRateLimiter } from "../redis/redis-rate-limiter.js";
import type { SourceSyncEngine, SyncOutcome } from "./engine-port.js";
import {
  type DocumentsData,
  JOB,
  type JobName,
  jobOptionsFor,
  parseJobData,
  type SourceRunData,
  type TargetedData,
} from "./job-catalog.js";
import { classifyJobError, rateLimitWaitMs, UnknownSourceError } from "./job-errors.js";
import { type RunLedger, type RunRecord, type RunStatus, emptyCounts } from "./run-ledger.js";
import type { SourceLock } from "./source-lock.js";
import { enqueueTargeted } from "./enqueue.js";

export interface FanOutOptions {
  /** Full runs list and split into batches that any worker may take. Default true. */
  enabled: boolean;
  /** Documents per `sync.documents` batch. Default 100. */
  batchSize: number;
}

/** Everything a handler needs; built once per worker process. */
export interface HandlerContext {
  engine: SourceSyncEngine;
  /** The sources of the current config (re-read on reload). */
  sources: () => ReadonlyMap<string, SourceConfig>;
  queue: Queue;
  redis: Redis;
  keyspace: RedisKeyspace;
  lock: SourceLock;
  ledger: RunLedger;
  /** The fleet limiter, consulted before a job starts so a blocked fleet parks jobs instead of sleeping. */
  limiter?: RedisRateLimiter;
  fanOut: FanOutOptions;
  logger: Logger;
  /** How long a run that finds its source busy waits before trying again, ms. Default 15 000. */
  busyRetryMs?: number;
  now?: () => number;
}

/** What a handler returns (stored as the job's return value, shown by the status page). */
export interface JobResult {
  status: RunStatus;
  counts: ReturnType<typeof emptyCounts>;
  message?: string;
}

/** Dispatches a job to its handler by name; unknown names fail without retries. */
export async function handleJob(
  context: HandlerContext,
  job: Job,
  token: string | undefined,
  signal: AbortSignal,
): Promise<JobResult> {
  const name = job.name as JobName;
  switch (name) {
    case JOB.sourceRun:
      return handleSourceRun(context, job, token, signal);
    case JOB.documents:
      return handleDocuments(context, job, signal);
    case JOB.targeted:
      return handleTargeted(context, job, token, signal);
    default:
      throw new UnrecoverableError(
        `unknown job name "${job.name}" (expected one of ${Object.values(JOB).join(", ")})`,
      );
  }
}

function sourceFor(context: HandlerContext, sourceId: string): SourceConfig {
  const source = context.sources().get(sourceId);
  if (!source) throw new UnknownSourceError(sourceId);
  return source;
}

/** Parks the job until a 429 block is over, through BullMQ's rate-limit mechanism (no sleeping here). */
async function parkIfFleetBlocked(context: HandlerContext): Promise<void> {
  const blockedMs = (await context.limiter?.blockedForMs()) ?? 0;
  if (blockedMs > 0) {
    await context.queue.rateLimit(blockedMs);
    throw new RateLimitError();
  }
}

/** Runs `work`, turning a 429 that outlived the client's retries into a fleet-wide rate-limit pause. */
async function withRateLimitParking<T>(
  context: HandlerContext,
  sourceId: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const waitMs = rateLimitWaitMs(error, (context.now ?? Date.now)());
    if (waitMs !== undefined) {
      await context.queue.rateLimit(waitMs);
      throw new RateLimitError();
    }
    throw classifyJobError(error, sourceId);
  }
}

const statusOf = (outcome: SyncOutcome): RunStatus =>
  outcome.counts.failed > 0 || outcome.notes.length > 0 ? "partial" : "succeeded";

async function handleSourceRun(
  context: HandlerContext,
  job: Job,
  token: string | undefined,
  signal: AbortSignal,
): Promise<JobResult> {
  const data = parseJobData(JOB.sourceRun, job.data);
  const source = sourceFor(context, data.sourceId);
  const runId = String(job.id);
  const now = context.now ?? Date.now;
  const logger = context.logger.child({ sourceId: source.id, runId, mode: data.mode });

  if (!(await context.lock.acquire(source.id, runId))) {
    const holder = await context.lock.holder(source.id);
    // A scheduled incremental run that finds the source busy is redundant: the busy run covers it.
    if (data.trigger === "schedule" && data.mode === "incremental") {
      logger.debug({ holder }, "source busy; scheduled incremental run skipped");
      return { status: "skipped", counts: emptyCounts(), message: `run ${holder ?? "?"} was in progress` };
    }
    if (!token) throw new Error("a busy source can only be waited for by a worker holding the job's token");
    await job.moveToDelayed(now() + (context.busyRetryMs ?? 15_000), token);
    throw new DelayedError();
  }

  const runAbort = new AbortController();
  const runSignal = AbortSignal.any([signal, runAbort.signal]);
  const stopKeepAlive = context.lock.keepAlive(source.id, runId, () => {
    runAbort.abort(new Error(`lost the lock of source "${source.id}" to another run`));
  });
  let keepLock = false;
  const startedAt = data.startedAt ?? job.processedOn ?? now();
  try {
    if (data.mode === "full" && context.fanOut.enabled) {
      const result = await runFannedOut(context, job, token, data, source, runSignal, logger);
      if (result === "waiting") {
        keepLock = true;
        throw new WaitingChildrenError();
      }
      return result;
    }
    const outcome = await withRateLimitParking(context, source.id, () =>
      context.engine.run(source, data.mode, {
        signal: runSignal,
        logger,
        since: data.since ? new Date(data.since) : undefined,
        forceDeletes: data.forceDeletes,
      }),
    );
    const record: RunRecord = {
      runId,
      sourceId: source.id,
      mode: data.mode,
      trigger: data.trigger,
      status: statusOf(outcome),
      startedAt,
      finishedAt: now(),
      counts: outcome.counts,
      errors: outcome.errors,
      message: outcome.notes.join("; ") || undefined,
    };
    await context.ledger.record(record);
    return { status: record.status, counts: record.counts, message: record.message };
  } catch (error) {
    if (error instanceof WaitingChildrenError || error instanceof RateLimitError) throw error;
    const classified = classifyJobError(error, source.id);
    const final =
      classified instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (final) {
      await context.ledger.record({
        runId,
        sourceId: source.id,
        mode: data.mode,
        trigger: data.trigger,
        status: "failed",
        startedAt,
        finishedAt: now(),
        counts: emptyCounts(),
        errors: [],
        message: classified.message,
      });
    }
    throw classified;
  } finally {
    stopKeepAlive();
    if (!keepLock) {
      await context.lock.release(source.id, runId);
      await requeueDirtyDocuments(context, source.id);
    }
  }
}

/**
 * A full run split into batches: list (adding every id to the run's seen-set and queueing batches as
 * children of this job), wait for the children, then sweep deletions only if every batch succeeded.
 * Progress lives in the job's data, so a run taken over after a crash resumes at its step.
 */
async function runFannedOut(
  context: HandlerContext,
  job: Job,
  token: string | undefined,
  data: SourceRunData,
  source: SourceConfig,
  signal: AbortSignal,
  logger: Logger,
): Promise<JobResult | "waiting"> {
  const runId = String(job.id);
  const now = context.now ?? Date.now;
  let step = data.step ?? "listing";
  let cursor: string | undefined;
  if (step === "listing") {
    if (!token) throw new Error("a fanned-out run needs the job's token to wait for its batches");
    await withRateLimitParking(context, source.id, () => context.engine.prepare(source, { signal, logger }));
    const alreadyQueued = data.batchesQueued ?? 0;
    const since = data.since ? new Date(data.since) : undefined;
    const startedAt = data.startedAt ?? now();
    const seenKey = context.keyspace.runSeen(runId);
    let batch: string[] = [];
    let batchIndex = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await context.redis.sadd(seenKey, ...batch);
      if (batchIndex >= alreadyQueued) {
        await context.queue.add(
          JOB.documents,
          { sourceId: source.id, runId, batchIndex, externalIds: batch } satisfies DocumentsData,
          {
            ...jobOptionsFor(JOB.documents),
            jobId: `${runId}-batch-${batchIndex}`,
            parent: { id: runId, queue: job.queueQualifiedName },
            // A failed batch must not fail the run silently nor block it: the run continues, sees the
            // failure and skips the deletion sweep.
            ignoreDependencyOnFailure: true,
          },
        );
        await job.updateData({
          ...data,
          step: "listing",
          startedAt,
          batchesQueued: batchIndex + 1,
        } satisfies SourceRunData);
      }
      batchIndex++;
      batch = [];
    };
    try {
      for await (const item of context.engine.list(source, { signal, logger })) {
        if (item.kind === "cursor") {
          cursor = item.cursor;
          continue;
        }
        // A windowed backfill only re-sends documents changed since its start date.
        if (since && item.updatedAt && item.updatedAt < since) continue;
        batch.push(item.externalId);
        if (batch.length >= context.fanOut.batchSize) await flush();
      }
      await flush();
    } catch (error) {
      throw classifyJobError(error, source.id);
    }
    await context.redis.pexpire(seenKey, 7 * 86_400_000);
    step = "waiting-batches";
    await job.updateData({ ...data, step, startedAt, batchesQueued: batchIndex } satisfies SourceRunData);
    data.startedAt = startedAt;
    if (cursor !== undefined) await context.redis.hset(context.keyspace.run(runId), "cursor", cursor);
    logger.info({ batches: batchIndex }, "listing complete; batches queued");
    if (await job.moveToWaitingChildren(token)) return "waiting";
  }

  // Every batch has finished (succeeded, or failed after its retries).
  const failedBatches = Object.keys(await job.getIgnoredChildrenFailures()).length;
  const totals = await context.ledger.batchTotals(runId);
  const notes: string[] = [];
  const counts = { ...totals.counts };
  if (failedBatches > 0) {
    notes.push(`${failedBatches} batch(es) failed after retries: deletion sweep skipped`);
  } else if (!data.since) {
    const storedCursor = (await context.redis.hget(context.keyspace.run(runId), "cursor")) ?? undefined;
    const seenKey = context.keyspace.runSeen(runId);
    const sweep = await withRateLimitParking(context, source.id, () =>
      context.engine.sweep(
        source,
        async (externalId) => (await context.redis.sismember(seenKey, externalId)) === 1,
        { signal, logger, forceDeletes: data.forceDeletes, cursor: storedCursor },
      ),
    );
    counts.deleted += sweep.counts.deleted;
    counts.failed += sweep.counts.failed;
    totals.errors.push(...sweep.errors);
    notes.push(...sweep.notes);
  }
  const record: RunRecord = {
    runId,
    sourceId: source.id,
    mode: "full",
    trigger: data.trigger,
    status: failedBatches > 0 || counts.failed > 0 || notes.length > 0 ? "partial" : "succeeded",
    startedAt: data.startedAt ?? job.processedOn ?? now(),
    finishedAt: now(),
    counts,
    errors: totals.errors,
    message: notes.join("; ") || undefined,
  };
  await context.ledger.record(record);
  await context.ledger.forgetRun(runId);
  return { status: record.status, counts, message: record.message };
}

async function handleDocuments(context: HandlerContext, job: Job, signal: AbortSignal): Promise<JobResult> {
  const data = parseJobData(JOB.documents, job.data);
  const source = sourceFor(context, data.sourceId);
  await parkIfFleetBlocked(context);
  // Batches keep their run's lock alive while the run itself waits for them.
  await context.lock.extend(source.id, data.runId);
  const logger = context.logger.child({ sourceId: source.id, runId: data.runId, batch: data.batchIndex });
  const outcome = await withRateLimitParking(context, source.id, () =>
    context.engine.syncDocuments(source, data.externalIds, { signal, logger }),
  );
  await context.ledger.addBatchResult(data.runId, outcome.counts, outcome.errors);
  return { status: statusOf(outcome), counts: outcome.counts };
}

async function handleTargeted(
  context: HandlerContext,
  job: Job,
  token: string | undefined,
  signal: AbortSignal,
): Promise<JobResult> {
  const data: TargetedData = parseJobData(JOB.targeted, job.data);
  const source = sourceFor(context, data.sourceId);
  await parkIfFleetBlocked(context);
  const now = context.now ?? Date.now;
  // Jobs of the same document run one at a time, so a later job never finishes before an earlier one
  // and overwrites a newer version with an older one.
  const documentKey = context.keyspace.documentLock(source.id, data.externalIds.join("\n"));
  const holder = String(job.id);
  if (
    (await context.redis.set(documentKey, holder, "PX", 120_000, "NX")) !== "OK" &&
    (await context.redis.get(documentKey)) !== holder
  ) {
    if (!token) throw new Error("a busy document can only be waited for by a worker holding the job's token");
    await job.moveToDelayed(now() + 250, token);
    throw new DelayedError();
  }
  try {
    return await syncTargeted(context, job, data, source, signal);
  } finally {
    if ((await context.redis.get(documentKey)) === holder) await context.redis.del(documentKey);
  }
}

async function syncTargeted(
  context: HandlerContext,
  job: Job,
  data: TargetedData,
  source: SourceConfig,
  signal: AbortSignal,
): Promise<JobResult> {
  const now = context.now ?? Date.now;
  const startedAt = now();
  // A run in progress may have loaded an older version of these documents before this job fetched the
  // new one; marking them makes the run re-check them when it ends, so the newest version wins.
  if (await context.lock.holder(source.id)) {
    await context.redis.sadd(context.keyspace.dirtyDocuments(source.id), ...data.externalIds);
  }
  const logger = context.logger.child({ sourceId: source.id, jobId: job.id });
  const deletedByWebhook = data.deletedByWebhook ?? [];
  const outcome = await withRateLimitParking(context, source.id, () =>
    context.engine.syncDocuments(source, data.externalIds, { signal, logger, deletedByWebhook }),
  );
  const status = statusOf(outcome);
  const changed =
    outcome.counts.created + outcome.counts.updated + outcome.counts.deleted + outcome.counts.failed;
  // Unchanged re-checks are not worth a line of history each; writes and failures are.
  if (changed > 0) {
    await context.ledger.record({
      runId: String(job.id),
      sourceId: source.id,
      mode: "targeted",
      trigger: "webhook",
      status,
      startedAt,
      finishedAt: now(),
      counts: outcome.counts,
      errors: outcome.errors,
      message: outcome.notes.join("; ") || undefined,
    });
  }
  return { status, counts: outcome.counts };
}

/** After a run released its source, documents touched by webhooks during it are checked once more. */
async function requeueDirtyDocuments(context: HandlerContext, sourceId: string): Promise<void> {
  const key = context.keyspace.dirtyDocuments(sourceId);
  const [[, members]] = (await context.redis.multi().smembers(key).del(key).exec()) as [
    [Error | null, string[]],
    unknown,
  ];
  for (const externalId of members ?? []) {
    await enqueueTargeted(
      context.queue,
      { sourceId, externalIds: [externalId], receivedAt: Date.now() },
      { redis: context.redis, keyspace: context.keyspace },
    );
  }
}
