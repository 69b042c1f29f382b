import type { PageChange } from "../engine/run-summary.js";
import type { RedisClient } from "../redis/redis-factory.js";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";

export const COUNT_KINDS = ["created", "updated", "unchanged", "deleted", "failed"] as const;
export type CountKind = (typeof COUNT_KINDS)[number];
export type RunCounts = Record<CountKind, number>;

export const emptyCounts = (): RunCounts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 });

export interface DocumentError {
  externalId: string;
  message: string;
}

/**
 * - `succeeded`: everything listed was applied and every due deletion made;
 * - `partial`: the run finished but something is left (documents in the failure ledger, deletions
 *   held, a listing that stopped part way, a run superseded by a later one);
 * - `failed`: the run reached nothing (its listing failed at once, or it failed for good);
 * - `skipped`: a scheduled run found the source busy with another run that covers it.
 */
export type RunStatus = "succeeded" | "partial" | "failed" | "skipped";

/** What the status page and `content-sync status` show about one finished run. */
export interface RunRecord {
  runId: string;
  sourceId: string;
  /** `targeted` for webhook / by-id jobs. */
  mode: "full" | "incremental" | "targeted";
  trigger: string;
  status: RunStatus;
  startedAt: number;
  finishedAt: number;
  counts: RunCounts;
  /** The first documents that failed, with their error (bounded so a broken source cannot bloat Redis). */
  errors: DocumentError[];
  /** What happened, in one sentence (why a run failed, was skipped, or what it left undone). */
  message?: string;
  /** Deletions a limit held back in this run (counted by the deletion-guard metric and alert). */
  deletionsBlocked?: number;
  /** Entries in the run's audit trail (`changes`). */
  changes?: number;
}

/** What a handler says about a run; the ledger adds who, when and which run. */
export type HistoryFields = Omit<
  RunRecord,
  "runId" | "sourceId" | "mode" | "trigger" | "startedAt" | "finishedAt"
>;

/** One line of a run's audit trail: which page was created, updated or deleted, and why. */
export interface AuditEntry extends PageChange {
  /** Unix ms. */
  at: number;
  /** Why: "new document", "content changed", "deleted in the source", "gone from a complete listing"… */
  reason?: string;
}

/** Errors kept per run. */
const MAX_ERRORS = 50;
/** Runs kept per source. */
const HISTORY_LENGTH = 50;
/** Audit entries kept per run (a first sync of a huge source keeps its first ones and the count). */
const MAX_CHANGES_PER_RUN = 10_000;
/** How long a run's audit trail and fan-out totals live. */
const RUN_RETENTION_MS = 30 * 86_400_000;

/**
 * Run history, audit trail and fleet-wide counters in Redis. Every worker writes here; the scheduler's
 * status page and `/metrics` read from here, so numbers cover the whole fleet and survive restarts.
 */
export class RunLedger {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeyspace,
  ) {}

  /** Appends a finished run to its source's history and adds it to the counters. */
  async record(run: RunRecord): Promise<void> {
    const changes = await this.redis.llen(this.keys.runChanges(run.sourceId, run.runId));
    const entry: RunRecord = {
      ...run,
      errors: run.errors.slice(0, MAX_ERRORS),
      ...(changes > 0 ? { changes } : {}),
    };
    const history = this.keys.runHistory(run.sourceId);
    await this.redis
      .multi()
      .lpush(history, JSON.stringify(entry))
      .ltrim(history, 0, HISTORY_LENGTH - 1)
      .exec();
    // The counters live under the fleet's hash tag: a second transaction, not part of the first.
    const stats = this.keys.stats();
    const multi = this.redis.multi();
    for (const kind of COUNT_KINDS) {
      if (run.counts[kind] > 0) multi.hincrby(stats, field("pages", kind, run.sourceId), run.counts[kind]);
    }
    multi.hincrby(stats, field("runs", run.sourceId, run.mode, run.status), 1);
    const seconds = (run.finishedAt - run.startedAt) / 1000;
    multi.hincrbyfloat(stats, field("run_seconds", run.sourceId, run.mode), seconds);
    multi.hincrby(stats, field("run_le", run.sourceId, run.mode, bucketOf(seconds, RUN_DURATION_BUCKETS)), 1);
    if (run.deletionsBlocked) multi.hincrby(stats, field("deletion_guard", run.sourceId), 1);
    if (run.status === "succeeded" || run.status === "partial") {
      multi.hset(stats, field("last_success", run.sourceId), String(run.finishedAt));
    }
    await multi.exec();
  }

  /** The newest runs of a source, newest first. */
  async history(sourceId: string, limit = 10): Promise<RunRecord[]> {
    const raw = await this.redis.lrange(this.keys.runHistory(sourceId), 0, limit - 1);
    return raw.map((entry) => JSON.parse(entry) as RunRecord);
  }

  /** One run of the history by id (the newest HISTORY_LENGTH runs of its source are kept). */
  async findRun(sourceId: string, runId: string): Promise<RunRecord | undefined> {
    return (await this.history(sourceId, HISTORY_LENGTH)).find((run) => run.runId === runId);
  }

  /** Adds page changes to a run's audit trail (in order; bounded per run). */
  async recordChanges(sourceId: string, runId: string, changes: readonly AuditEntry[]): Promise<void> {
    if (changes.length === 0) return;
    const key = this.keys.runChanges(sourceId, runId);
    const length = await this.redis.llen(key);
    const room = MAX_CHANGES_PER_RUN - length;
    if (room <= 0) return;
    await this.redis
      .multi()
      .rpush(key, ...changes.slice(0, room).map((change) => JSON.stringify(change)))
      .pexpire(key, RUN_RETENTION_MS)
      .exec();
  }

  /** A run's audit trail, oldest first. */
  async changes(sourceId: string, runId: string, offset = 0, limit = 1_000): Promise<AuditEntry[]> {
    const raw = await this.redis.lrange(this.keys.runChanges(sourceId, runId), offset, offset + limit - 1);
    return raw.map((entry) => JSON.parse(entry) as AuditEntry);
  }

  /**
   * Counts one Intercom HTTP attempt by status (`network` when no status came back) and, when given,
   * its duration in the fleet's latency histogram. One round trip to Redis.
   */
  async countIntercomCall(status: number | undefined, durationMs?: number): Promise<void> {
    const stats = this.keys.stats();
    const multi = this.redis.multi();
    multi.hincrby(stats, field("intercom_calls", status === undefined ? "network" : String(status)), 1);
    if (durationMs !== undefined) {
      multi.hincrbyfloat(stats, field("intercom_seconds"), durationMs / 1000);
      multi.hincrby(stats, field("intercom_le", bucketOf(durationMs / 1000, INTERCOM_LATENCY_BUCKETS)), 1);
    }
    await multi.exec();
  }

  /** Adds a fan-out batch's counts to its run, and keeps the first errors. */
  async addBatchResult(
    sourceId: string,
    runId: string,
    counts: RunCounts,
    errors: readonly DocumentError[],
  ): Promise<void> {
    const key = this.keys.run(sourceId, runId);
    const multi = this.redis.multi();
    for (const kind of COUNT_KINDS) if (counts[kind] > 0) multi.hincrby(key, kind, counts[kind]);
    for (const error of errors.slice(0, MAX_ERRORS))
      multi.hsetnx(key, `error:${error.externalId}`, error.message);
    multi.pexpire(key, RUN_RETENTION_MS);
    await multi.exec();
  }

  /** Facts a fanned-out run's listing leaves for its final step (cursor, completeness, listing error). */
  async setRunFacts(sourceId: string, runId: string, facts: Record<string, string>): Promise<void> {
    const key = this.keys.run(sourceId, runId);
    const fields = Object.fromEntries(Object.entries(facts).map(([name, value]) => [`fact:${name}`, value]));
    await this.redis.multi().hset(key, fields).pexpire(key, RUN_RETENTION_MS).exec();
  }

  async runFact(sourceId: string, runId: string, name: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.run(sourceId, runId), `fact:${name}`)) ?? undefined;
  }

  /** What the batches of a fanned-out run added up to. */
  async batchTotals(
    sourceId: string,
    runId: string,
  ): Promise<{ counts: RunCounts; errors: DocumentError[] }> {
    const raw = await this.redis.hgetall(this.keys.run(sourceId, runId));
    const counts = emptyCounts();
    const errors: DocumentError[] = [];
    for (const [name, value] of Object.entries(raw)) {
      if (name.startsWith("error:")) errors.push({ externalId: name.slice(6), message: value });
      else if ((COUNT_KINDS as readonly string[]).includes(name)) counts[name as CountKind] = Number(value);
    }
    return { counts, errors: errors.slice(0, MAX_ERRORS) };
  }

  async forgetRun(sourceId: string, runId: string): Promise<void> {
    await this.redis.del(this.keys.run(sourceId, runId));
  }

  /** Every counter, parsed: the raw material of `/metrics`. */
  async counters(): Promise<FleetCounters> {
    const raw = await this.redis.hgetall(this.keys.stats());
    const counters: FleetCounters = {
      pages: [],
      runs: [],
      runSeconds: [],
      intercomCalls: [],
      lastSuccess: [],
      runDurationBuckets: [],
      intercomLatencyBuckets: [],
      intercomSeconds: 0,
      deletionGuard: [],
    };
    for (const [name, value] of Object.entries(raw)) {
      const [metric, ...labels] = name.split("|");
      const number = Number(value);
      if (metric === "pages" && labels.length === 2) {
        counters.pages.push({ kind: labels[0] as CountKind, sourceId: labels[1] as string, value: number });
      } else if (metric === "runs" && labels.length === 3) {
        const [sourceId, mode, status] = labels as [string, string, string];
        counters.runs.push({ sourceId, mode, status, value: number });
      } else if (metric === "run_seconds" && labels.length === 2) {
        counters.runSeconds.push({ sourceId: labels[0] as string, mode: labels[1] as string, value: number });
      } else if (metric === "intercom_calls" && labels.length === 1) {
        counters.intercomCalls.push({ status: labels[0] as string, value: number });
      } else if (metric === "last_success" && labels.length === 1) {
        counters.lastSuccess.push({ sourceId: labels[0] as string, at: number });
      } else if (metric === "run_le" && labels.length === 3) {
        const [sourceId, mode, le] = labels as [string, string, string];
        counters.runDurationBuckets.push({ sourceId, mode, le, value: number });
      } else if (metric === "intercom_le" && labels.length === 1) {
        counters.intercomLatencyBuckets.push({ le: labels[0] as string, value: number });
      } else if (metric === "intercom_seconds" && labels.length === 0) {
        counters.intercomSeconds = number;
      } else if (metric === "deletion_guard" && labels.length === 1) {
        counters.deletionGuard.push({ sourceId: labels[0] as string, value: number });
      }
    }
    return counters;
  }
}

export interface FleetCounters {
  pages: { kind: CountKind; sourceId: string; value: number }[];
  runs: { sourceId: string; mode: string; status: string; value: number }[];
  runSeconds: { sourceId: string; mode: string; value: number }[];
  intercomCalls: { status: string; value: number }[];
  lastSuccess: { sourceId: string; at: number }[];
  /** Runs per duration bucket (not cumulative: `le` is the bucket's upper bound, or `+Inf`). */
  runDurationBuckets: { sourceId: string; mode: string; le: string; value: number }[];
  /** Intercom attempts per latency bucket (not cumulative), and their total seconds. */
  intercomLatencyBuckets: { le: string; value: number }[];
  intercomSeconds: number;
  /** Runs whose deletions the deletion guard held back, per source. */
  deletionGuard: { sourceId: string; value: number }[];
}

/** Upper bounds (seconds) of the run duration histogram: a webhook's seconds to a big source's hours. */
export const RUN_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 10_800] as const;
/** Upper bounds (seconds) of the Intercom call latency histogram. */
export const INTERCOM_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** The `le` of the smallest bucket holding `seconds`: the field a histogram observation increments. */
export function bucketOf(seconds: number, buckets: readonly number[]): string {
  const bound = buckets.find((upper) => seconds <= upper);
  return bound === undefined ? "+Inf" : String(bound);
}

const field = (...parts: string[]): string => parts.join("|");
