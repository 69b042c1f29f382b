import { type Job, type Queue, RateLimitError, UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { RunSummary } from "../engine/run-summary.js";
import type { RedisClient } from "../redis/redis-factory.js";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";
import type { RedisRateLimiter } from "../redis/redis-rate-limiter.js";
import type { StateStore } from "../state/state-store.js";
import type { SourceSyncEngine } from "./engine-port.js";
import { classifyJobError, rateLimitWaitMs, UnknownSourceError } from "./job-errors.js";
import { RedisLease } from "./lease.js";
import {
  type AuditEntry,
  type RunCounts,
  type RunLedger,
  type RunStatus,
  emptyCounts,
} from "./run-ledger.js";

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
  redis: RedisClient;
  keyspace: RedisKeyspace;
  /** The state the engine writes (for the epoch check and failure-ledger writes of failed batches). */
  state: StateStore;
  ledger: RunLedger;
  /** The fleet limiter, consulted before a job starts so a blocked fleet parks jobs instead of sleeping. */
  limiter?: RedisRateLimiter;
  fanOut: FanOutOptions;
  logger: Logger;
  /** Source lease expiry while a run works, ms. Default 120 000. */
  sourceLeaseTtlMs: number;
  /**
   * Source lease expiry while a fanned-out run waits for its batches, ms: covers the longest batch
   * (its job timeout) so a queue full of other work cannot let the run's lease lapse. Default 900 000.
   */
  waitingLeaseTtlMs: number;
  /** How long a run that finds its source busy waits before trying again, ms. Default 15 000. */
  busyRetryMs?: number;
  now?: () => number;
}

/** What a handler returns (stored as the job's return value, shown by the status page). */
export interface JobResult {
  status: RunStatus;
  counts: RunCounts;
  message?: string;
}

export const sourceLease = (context: HandlerContext, sourceId: string): RedisLease =>
  new RedisLease(context.redis, context.keyspace.sourceLock(sourceId), context.sourceLeaseTtlMs);

export function sourceFor(context: HandlerContext, sourceId: string): SourceConfig {
  const source = context.sources().get(sourceId);
  if (!source) throw new UnknownSourceError(sourceId);
  return source;
}

/** Parks the job until a 429 block is over, through BullMQ's rate-limit mechanism (no sleeping here). */
export async function parkIfFleetBlocked(context: HandlerContext): Promise<void> {
  const blockedMs = (await context.limiter?.blockedForMs()) ?? 0;
  if (blockedMs > 0) {
    await context.queue.rateLimit(blockedMs);
    throw new RateLimitError();
  }
}

/** Runs `work`, turning a 429 that outlived the client's retries into a fleet-wide rate-limit pause. */
export async function withRateLimitParking<T>(
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

/** True when this attempt is the job's last one (or the error means there is no point retrying). */
export function isFinalAttempt(job: Job, error: unknown): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** The engine's summary in the history's terms. */
export function countsOf(summary: RunSummary): RunCounts {
  return {
    created: summary.created,
    updated: summary.updated,
    unchanged: summary.unchanged,
    deleted: summary.deleted,
    failed: summary.failed,
  };
}

export const errorsOf = (summary: RunSummary) =>
  summary.failures.map((failure) => ({ externalId: failure.externalId, message: failure.reason }));

/** A run's page changes collected for its audit trail, written in chunks so a huge run stays bounded. */
export class AuditBuffer {
  private entries: AuditEntry[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ledger: RunLedger,
    private readonly sourceId: string,
    private readonly runId: string,
    private readonly now: () => number,
  ) {}

  readonly add = (change: Omit<AuditEntry, "at">): void => {
    this.entries.push({ ...change, at: this.now() });
    if (this.entries.length >= 500) this.flush();
  };

  /** Starts writing what was collected; `settle` waits for every write. */
  flush(): void {
    const chunk = this.entries;
    this.entries = [];
    if (chunk.length === 0) return;
    this.writing = this.writing.then(() => this.ledger.recordChanges(this.sourceId, this.runId, chunk));
  }

  async settle(): Promise<void> {
    this.flush();
    await this.writing;
  }
}

export { emptyCounts };
