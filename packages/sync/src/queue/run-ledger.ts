import type { Redis } from "ioredis";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";

export const COUNT_KINDS = ["created", "updated", "unchanged", "deleted", "failed"] as const;
export type CountKind = (typeof COUNT_KINDS)[number];
export type RunCounts = Record<CountKind, number>;

export const emptyCounts = (): RunCounts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 });

export interface DocumentError {
  externalId: string;
  message: string;
}

export type RunStatus = "succeeded" | "partial" | "failed" | "skipped";

/** What the status page and `content-sync status` show about one finished run. */
export interface RunRecord {
  runId: string;
  sourceId: string;
  /** `targeted` for webhook / by-id jobs. */
  mode: "full" | "incremental" | "targeted";
  trigger: string;
  /** `partial`: the run finished but some documents failed or the deletion sweep was skipped. */
  status: RunStatus;
  startedAt: number;
  finishedAt: number;
  counts: RunCounts;
  /** The first documents that failed, with their error (bounded so a broken source cannot bloat Redis). */
  errors: DocumentError[];
  /** Why a run failed, was skipped, or what it left undone. */
  message?: string;
}

/** Errors kept per run. */
const MAX_ERRORS = 50;
/** Runs kept per source. */
const HISTORY_LENGTH = 50;

/**
 * Run history and fleet-wide counters in Redis. Every worker writes here; the scheduler's status page
 * and `/metrics` read from here, so numbers cover the whole fleet and survive restarts.
 */
export class RunLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyspace,
  ) {}

  /** Appends a finished run to its source's history and adds it to the counters. */
  async record(run: RunRecord): Promise<void> {
    const entry: RunRecord = { ...run, errors: run.errors.slice(0, MAX_ERRORS) };
    const stats = this.keys.stats();
    const multi = this.redis.multi();
    multi.lpush(this.keys.runHistory(run.sourceId), JSON.stringify(entry));
    multi.ltrim(this.keys.runHistory(run.sourceId), 0, HISTORY_LENGTH - 1);
    for (const kind of COUNT_KINDS) {
      if (run.counts[kind] > 0) multi.hincrby(stats, field("pages", kind, run.sourceId), run.counts[kind]);
    }
    multi.hincrby(stats, field("runs", run.sourceId, run.mode, run.status), 1);
    multi.hincrbyfloat(
      stats,
      field("run_seconds", run.sourceId, run.mode),
      (run.finishedAt - run.startedAt) / 1000,
    );
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

  /** Counts one Intercom HTTP attempt by status (`network` when no status came back). */
  async countIntercomCall(status: number | undefined): Promise<void> {
    await this.redis.hincrby(
      this.keys.stats(),
      field("intercom_calls", status === undefined ? "network" : String(status)),
      1,
    );
  }

  /** Adds a fan-out batch's counts to its run, and keeps the first errors. */
  async addBatchResult(runId: string, counts: RunCounts, errors: readonly DocumentError[]): Promise<void> {
    const key = this.keys.run(runId);
    const multi = this.redis.multi();
    for (const kind of COUNT_KINDS) if (counts[kind] > 0) multi.hincrby(key, kind, counts[kind]);
    for (const error of errors.slice(0, MAX_ERRORS))
      multi.hsetnx(key, `error:${error.externalId}`, error.message);
    multi.pexpire(key, 7 * 86_400_000);
    await multi.exec();
  }

  /** What the batches of a fanned-out run added up to. */
  async batchTotals(runId: string): Promise<{ counts: RunCounts; errors: DocumentError[] }> {
    const raw = await this.redis.hgetall(this.keys.run(runId));
    const counts = emptyCounts();
    const errors: DocumentError[] = [];
    for (const [name, value] of Object.entries(raw)) {
      if (name.startsWith("error:")) errors.push({ externalId: name.slice(6), message: value });
      else if ((COUNT_KINDS as readonly string[]).includes(name)) counts[name as CountKind] = Number(value);
    }
    return { counts, errors: errors.slice(0, MAX_ERRORS) };
  }

  async forgetRun(runId: string): Promise<void> {
    await this.redis.del(this.keys.run(runId), this.keys.runSeen(runId));
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
}

const field = (...parts: string[]): string => parts.join("|");
