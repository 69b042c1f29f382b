import type { Queue } from "bullmq";
import type { SourceConfig } from "../config/types.js";
import type { FailureRecord, StateStore } from "../state/state-store.js";
import type { RunLedger, RunRecord } from "./run-ledger.js";
import type { PushStatus } from "./push-subscriptions.js";
import { schedulerId } from "./scheduler-runtime.js";

export interface ScheduleStatus {
  id: string;
  mode: "full" | "incremental";
  every?: number;
  pattern?: string;
  tz?: string;
  /** Unix ms of the next run, when the scheduler exists. */
  next?: number;
}

export interface SourceStatus {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  webhook: boolean;
  schedules: ScheduleStatus[];
  /** The run holding the source right now. */
  runningRun?: string;
  lastRuns: RunRecord[];
  /** Unix ms of the last run that finished (succeeded or partial). */
  lastSuccessAt?: number;
  /** Seconds since then: how stale Intercom may be. */
  lagSeconds?: number;
  /** Entries of the failure ledger (documents that failed, held deletions): the count and the first ones. */
  failures: { count: number; entries: FailureRecord[] };
  /** True while the source waits for its recovery run (its state was rebuilt from Intercom). */
  recovering: boolean;
  /** Pages recorded for the source. */
  pages: number;
  /** The source's push subscription (expiry, last notification, or why it is failing). */
  push?: PushStatus;
}

/** A source whose state (and pages in Intercom) remain although it left the config. */
export interface OrphanedSource {
  id: string;
  pages: number;
  contentImportSourceId?: number;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  waitingChildren: number;
  prioritized: number;
}

export interface FailedJob {
  id: string;
  name: string;
  sourceId?: string;
  reason: string;
  attemptsMade: number;
  finishedOn?: number;
}

export interface StatusReport {
  generatedAt: number;
  /** False while the keyspace is being recovered (or was never set up): `/readyz` says the same. */
  ready: boolean;
  sources: SourceStatus[];
  /** Sources with pages in Intercom that the config no longer names: remove them with `content-sync remove-source`. */
  orphanedSources: OrphanedSource[];
  queue: QueueCounts;
  failedJobs: FailedJob[];
}

export interface CollectStatusOptions {
  queue: Queue;
  ledger: RunLedger;
  state: StateStore;
  /** The run holding a source right now. */
  runHolding: (sourceId: string) => Promise<string | undefined>;
  /** A source's push subscription, when push is configured. */
  pushStatus?: (sourceId: string) => Promise<PushStatus | undefined>;
  /** Sources still waiting for their recovery run. */
  recovering: () => Promise<string[]>;
  /** Whether the keyspace is ready (an epoch and no recovery pending). */
  ready: () => Promise<boolean>;
  sources: readonly SourceConfig[];
  /** Ledger entries listed per source. Default 20. */
  failuresPerSource?: number;
  /** Runs shown per source. Default 5. */
  runsPerSource?: number;
  now?: () => number;
}

/** Everything the status page and `content-sync status` show, read from Redis (fleet-wide). */
export async function collectStatus(options: CollectStatusOptions): Promise<StatusReport> {
  const now = (options.now ?? Date.now)();
  const schedulers = new Map(
    (await options.queue.getJobSchedulers(0, -1)).map((scheduler) => [
      scheduler.id ?? scheduler.key,
      scheduler,
    ]),
  );
  const counters = await options.ledger.counters();
  const lastSuccess = new Map(counters.lastSuccess.map((entry) => [entry.sourceId, entry.at]));
  const recovering = new Set(await options.recovering());
  const sources: SourceStatus[] = [];
  for (const source of options.sources) {
    const schedules: ScheduleStatus[] = [];
    for (const mode of ["incremental", "full"] as const) {
      const scheduler = schedulers.get(schedulerId(source.id, mode));
      if (!scheduler) continue;
      schedules.push({
        id: schedulerId(source.id, mode),
        mode,
        every: scheduler.every ?? undefined,
        pattern: scheduler.pattern ?? undefined,
        tz: scheduler.tz ?? undefined,
        next: scheduler.next ?? undefined,
      });
    }
    const at = lastSuccess.get(source.id);
    sources.push({
      id: source.id,
      name: source.name,
      type: source.type,
      enabled: source.enabled,
      webhook: source.webhook !== undefined,
      schedules,
      runningRun: await options.runHolding(source.id),
      lastRuns: await options.ledger.history(source.id, options.runsPerSource ?? 5),
      lastSuccessAt: at,
      lagSeconds: at === undefined ? undefined : Math.max(0, Math.round((now - at) / 1000)),
      failures: await failuresOf(options.state, source.id, options.failuresPerSource ?? 20),
      recovering: recovering.has(source.id),
      pages: await options.state.countPages(source.id),
    });
    const push = source.push ? await options.pushStatus?.(source.id) : undefined;
    if (push) (sources.at(-1) as SourceStatus).push = push;
  }
  const configured = new Set(options.sources.map((source) => source.id));
  const orphanedSources: OrphanedSource[] = [];
  for (const id of await options.state.listSourceIds()) {
    if (configured.has(id)) continue;
    const pages = await options.state.countPages(id);
    const record = await options.state.getSource(id);
    if (pages === 0 && record.contentImportSourceId === undefined) continue;
    orphanedSources.push({
      id,
      pages,
      ...(record.contentImportSourceId !== undefined
        ? { contentImportSourceId: record.contentImportSourceId }
        : {}),
    });
  }
  const counts = await options.queue.getJobCounts(
    "waiting",
    "active",
    "delayed",
    "failed",
    "completed",
    "waiting-children",
    "prioritized",
  );
  const failed = await options.queue.getFailed(0, 19);
  return {
    generatedAt: now,
    ready: await options.ready(),
    sources,
    orphanedSources,
    queue: {
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      completed: counts.completed ?? 0,
      waitingChildren: counts["waiting-children"] ?? 0,
      prioritized: counts.prioritized ?? 0,
    },
    failedJobs: failed.map((job) => ({
      id: String(job.id),
      name: job.name,
      sourceId: typeof job.data?.sourceId === "string" ? job.data.sourceId : undefined,
      reason: job.failedReason ?? "",
      attemptsMade: job.attemptsMade,
      finishedOn: job.finishedOn ?? undefined,
    })),
  };
}

const describeSchedule = (schedule: ScheduleStatus): string =>
  schedule.every !== undefined
    ? `every ${schedule.every / 1000}s`
    : `cron "${schedule.pattern}" ${schedule.tz ?? "UTC"}`;

/** Plain-text rendering for the CLI. */
export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  const q = report.queue;
  lines.push(
    `queue: ${q.waiting} waiting, ${q.active} active, ${q.delayed} delayed, ${q.waitingChildren} waiting for batches, ${q.failed} failed`,
  );
  for (const source of report.sources) {
    lines.push("");
    const state = source.enabled ? (source.runningRun ? `running ${source.runningRun}` : "idle") : "disabled";
    lines.push(`${source.id} (${source.type}) — ${state}`);
    for (const schedule of source.schedules) {
      const next = schedule.next ? `, next ${new Date(schedule.next).toISOString()}` : "";
      lines.push(`  ${schedule.mode} ${describeSchedule(schedule)}${next}`);
    }
    if (source.schedules.length === 0) lines.push("  no schedule");
    lines.push(
      `  lag: ${source.lagSeconds === undefined ? "never synced" : `${source.lagSeconds}s since the last good run`}; ${source.pages} page(s)${source.recovering ? "; recovering (state rebuilt from Intercom, waiting for a full listing)" : ""}`,
    );
    if (source.push) {
      const push = source.push;
      lines.push(
        `  push: ${push.state}${push.expiresAt ? `, expires ${new Date(push.expiresAt).toISOString()}` : ""}${push.lastNotificationAt ? `, last notification ${new Date(push.lastNotificationAt).toISOString()}` : ""}${push.error ? ` — ${push.error} (polling instead)` : ""}`,
      );
    }
    if (source.failures.count > 0) {
      lines.push(
        `  failure ledger: ${source.failures.count} entr${source.failures.count === 1 ? "y" : "ies"}`,
      );
      for (const entry of source.failures.entries.slice(0, 10)) {
        lines.push(
          `    ${entry.kind} ${entry.externalId}: ${entry.reason} (attempts ${entry.attempts}, next retry ${new Date(entry.nextRetryAt).toISOString()})`,
        );
      }
    }
    for (const run of source.lastRuns) {
      const c = run.counts;
      lines.push(
        `  ${new Date(run.finishedAt).toISOString()} ${run.mode} ${run.status}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.failed} failed${run.message ? ` — ${run.message}` : ""}`,
      );
      for (const error of run.errors.slice(0, 5)) lines.push(`    ${error.externalId}: ${error.message}`);
    }
  }
  if (!report.ready)
    lines.unshift("not ready: the keyspace is being recovered (see the sources marked recovering)");
  for (const orphan of report.orphanedSources) {
    lines.push(
      "",
      `${orphan.id}: no longer in the config, but ${orphan.pages} page(s) remain in Intercom${orphan.contentImportSourceId !== undefined ? ` (Content Import Source ${orphan.contentImportSourceId})` : ""}; remove them with \`content-sync remove-source ${orphan.id}\``,
    );
  }
  if (report.failedJobs.length > 0) {
    lines.push("", "failed jobs:");
    for (const job of report.failedJobs)
      lines.push(`  ${job.id} ${job.name} ${job.sourceId ?? ""}: ${job.reason}`);
  }
  return lines.join("\n");
}

async function failuresOf(
  state: StateStore,
  sourceId: string,
  limit: number,
): Promise<SourceStatus["failures"]> {
  const entries: FailureRecord[] = [];
  for await (const entry of state.listFailures(sourceId)) {
    entries.push(entry);
    if (entries.length >= limit) break;
  }
  return { count: await state.countFailures(sourceId), entries };
}

/** Where the status of a service context comes from (for the CLI's `status` and the HTTP status page). */
export function statusSources(context: {
  queue: Queue;
  ledger: RunLedger;
  state: StateStore;
  epoch: { recovering(): Promise<string[]>; ready(): Promise<boolean> };
  config: { sources: readonly SourceConfig[] };
  runHolding(sourceId: string): Promise<string | undefined>;
  push?: { status(sourceId: string): Promise<PushStatus | undefined> } | undefined;
}): CollectStatusOptions {
  return {
    queue: context.queue,
    ledger: context.ledger,
    state: context.state,
    runHolding: (sourceId) => context.runHolding(sourceId),
    recovering: () => context.epoch.recovering(),
    ready: () => context.epoch.ready(),
    pushStatus: (sourceId) => context.push?.status(sourceId) ?? Promise.resolve(undefined),
    sources: context.config.sources,
  };
}
