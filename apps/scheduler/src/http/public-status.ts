import type { StatusReport } from "@content-sync/sync";

/** A run as anyone who reaches the scheduler may see it: counts and timing, no document data. */
export interface PublicRun {
  runId: string;
  mode: string;
  trigger: string;
  status: string;
  startedAt: number;
  finishedAt: number;
  counts: Record<string, number>;
  /** How many documents failed with an error (their names and messages need the admin token). */
  errorCount: number;
}

/** The status report without the admin token: the same aggregates `/metrics` exposes. */
export interface PublicStatusReport {
  detail: "summary";
  generatedAt: number;
  ready: boolean;
  sources: {
    id: string;
    name: string;
    type: string;
    enabled: boolean;
    webhook: boolean;
    schedules: StatusReport["sources"][number]["schedules"];
    runningRun?: string;
    lastRuns: PublicRun[];
    lastSuccessAt?: number;
    lagSeconds?: number;
    pages: number;
    /** Entries in the failure ledger (which documents, and why, need the admin token). */
    failureCount: number;
    recovering: boolean;
    push?: { state: string; expiresAt?: number; lastNotificationAt?: number };
  }[];
  orphanedSources: StatusReport["orphanedSources"];
  queue: StatusReport["queue"];
  /** How many jobs failed (ids, payloads and reasons need the admin token). */
  failedJobCount: number;
}

/**
 * The status report cut down to what is readable without the admin token. Built field by field (an
 * allowlist), so whatever the report gains later (document errors, audit trails) stays private until
 * someone decides otherwise here. Left out: external ids, error messages and run notes (they name
 * documents and can quote their content), and failed jobs' payloads and reasons.
 */
export function publicStatus(report: StatusReport): PublicStatusReport {
  return {
    detail: "summary",
    generatedAt: report.generatedAt,
    ready: report.ready,
    sources: report.sources.map((source) => ({
      id: source.id,
      name: source.name,
      type: source.type,
      enabled: source.enabled,
      webhook: source.webhook,
      schedules: source.schedules,
      runningRun: source.runningRun,
      lastRuns: source.lastRuns.map((run) => ({
        runId: run.runId,
        mode: run.mode,
        trigger: run.trigger,
        status: run.status,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        counts: { ...run.counts },
        errorCount: run.errors.length,
      })),
      lastSuccessAt: source.lastSuccessAt,
      lagSeconds: source.lagSeconds,
      pages: source.pages,
      failureCount: source.failures.count,
      recovering: source.recovering,
      ...(source.push
        ? {
            push: {
              state: source.push.state,
              ...(source.push.expiresAt !== undefined ? { expiresAt: source.push.expiresAt } : {}),
              ...(source.push.lastNotificationAt !== undefined
                ? { lastNotificationAt: source.push.lastNotificationAt }
                : {}),
            },
          }
        : {}),
    })),
    orphanedSources: report.orphanedSources,
    queue: report.queue,
    failedJobCount: report.failedJobs.length,
  };
}
