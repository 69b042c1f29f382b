import { hostname } from "node:os";
import { type Job, type Queue, Worker } from "bullmq";
import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { RedisClient } from "../redis/redis-factory.js";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";
import type { RedisRateLimiter } from "../redis/redis-rate-limiter.js";
import type { StateStore } from "../state/state-store.js";
import type { SourceSyncEngine } from "./engine-port.js";
import { createSyncQueue } from "./enqueue.js";
import { JOB_CATALOG, type JobName, SYNC_QUEUE_NAME, isJobName } from "./job-catalog.js";
import { type FanOutOptions, type HandlerContext, handleJob, type JobResult } from "./job-handlers.js";
import { RunLedger } from "./run-ledger.js";

export interface SyncWorkerOptions {
  /** Connection for commands; the worker duplicates it for its blocking fetches. Owned by the caller. */
  connection: RedisClient;
  keyspace: RedisKeyspace;
  engine: SourceSyncEngine;
  /** The state the engine writes (the same store the engine's dependencies carry). */
  state: StateStore;
  /** Current sources by id; called per job so a config reload takes effect without a restart. */
  sources: () => ReadonlyMap<string, SourceConfig>;
  /** The sync queue to enqueue batches on and rate-limit; default a new one on `connection`. */
  queue?: Queue;
  /** The fleet limiter the engine's Intercom client uses; lets handlers park jobs during a 429 block. */
  limiter?: RedisRateLimiter;
  /** Name of this worker in BullMQ (jobs record it as `processedBy`). Default `<host>:<pid>`. */
  name?: string;
  /** Jobs processed at once by this process. Default 4. */
  concurrency?: number;
  /** Fan-out of full runs. Default `{ enabled: true, batchSize: 100 }`. */
  fanOut?: Partial<FanOutOptions>;
  /**
   * How long a job's lock lives without renewal, ms. Default 30 000. A worker that dies (SIGKILL,
   * lost machine) lets its jobs stall; after this another worker takes them over.
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs, ms. Default 30 000. */
  stalledIntervalMs?: number;
  /** Times a job may stall before it fails. Default 3 (a crash loop must not retry forever). */
  maxStalledCount?: number;
  /** Source lease expiry while a run works, ms. Default 120 000 (renewed every third of it). */
  sourceLockTtlMs?: number;
  /** Source lease expiry while a fanned-out run waits for its batches, ms. Default 900 000. */
  waitingLeaseTtlMs?: number;
  /** How long SIGTERM lets running jobs finish before their signals abort them, ms. Default 25 000. */
  shutdownGraceMs?: number;
  logger?: Logger;
}

export interface SyncWorkerHandle {
  worker: Worker;
  queue: Queue;
  /**
   * Stops taking jobs, lets running ones finish within the grace period, then aborts them (the engine
   * checkpoints and stops; the job stays active and is taken over as stalled by another worker, which
   * resumes from the checkpoint) and closes.
   */
  close(): Promise<void>;
}

/** Starts a BullMQ worker on the sync queue with the content-sync job catalog. */
export async function startSyncWorker(options: SyncWorkerOptions): Promise<SyncWorkerHandle> {
  const logger = options.logger ?? pino({ level: "silent" });
  const ownsQueue = options.queue === undefined;
  const queue = options.queue ?? createSyncQueue(options.connection, options.keyspace);
  const context: HandlerContext = {
    engine: options.engine,
    sources: options.sources,
    queue,
    redis: options.connection,
    keyspace: options.keyspace,
    state: options.state,
    ledger: new RunLedger(options.connection, options.keyspace),
    sourceLeaseTtlMs: options.sourceLockTtlMs ?? 120_000,
    waitingLeaseTtlMs: options.waitingLeaseTtlMs ?? 15 * 60_000,
    limiter: options.limiter,
    fanOut: { enabled: options.fanOut?.enabled ?? true, batchSize: options.fanOut?.batchSize ?? 100 },
    logger,
  };

  const processor = async (job: Job, token?: string, signal?: AbortSignal): Promise<JobResult> => {
    const timeoutMs = isJobName(job.name) ? JOB_CATALOG[job.name as JobName].timeoutMs : 60_000;
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (signal) signals.push(signal);
    return handleJob(context, job, token, AbortSignal.any(signals));
  };

  const worker = new Worker(SYNC_QUEUE_NAME, processor, {
    connection: options.connection,
    prefix: options.keyspace.queuePrefix,
    name: options.name ?? `${hostname()}:${process.pid}`,
    concurrency: options.concurrency ?? 4,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 3,
    autorun: false,
  });
  worker.on("failed", (job, error) => {
    logger.warn(
      { jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: error.message },
      "job failed",
    );
  });
  worker.on("stalled", (jobId) => logger.warn({ jobId }, "job stalled; taken over"));
  worker.on("error", (error) => logger.warn({ err: error.message }, "worker error"));
  void worker.run();
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const grace = options.shutdownGraceMs ?? 25_000;
      const timer = setTimeout(() => worker.cancelAllJobs("worker shutting down"), grace);
      try {
        await worker.close();
      } finally {
        clearTimeout(timer);
        if (ownsQueue) await queue.close();
      }
    })();
    return closing;
  };
  return { worker, queue, close };
}
