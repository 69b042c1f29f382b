import type { ServiceContext } from "@content-sync/sync";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/**
 * Prometheus metrics for the whole fleet. Counters live in Redis (every worker adds to them), so each
 * scrape reads them there: a scheduler restart or a worker added elsewhere never loses or splits a count.
 */
export function createMetricsRegistry(context: ServiceContext, now: () => number = Date.now): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "content_sync_process_" });
  // One read of the Redis counters per scrape, shared by the metrics below.
  let pending: ReturnType<typeof context.ledger.counters> | undefined;
  const counters = () => {
    pending ??= context.ledger.counters().finally(() => {
      setImmediate(() => {
        pending = undefined;
      });
    });
    return pending;
  };

  new Counter({
    name: "content_sync_pages_total",
    help: "External Pages handled by outcome (created, updated, unchanged, deleted, failed), per source.",
    labelNames: ["source", "outcome"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const entry of (await counters()).pages)
        this.inc({ source: entry.sourceId, outcome: entry.kind }, entry.value);
    },
  });
  new Counter({
    name: "content_sync_intercom_calls_total",
    help: "HTTP attempts made to Intercom by status code (`network` when no response came back).",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const entry of (await counters()).intercomCalls) this.inc({ status: entry.status }, entry.value);
    },
  });
  new Counter({
    name: "content_sync_intercom_rate_limited_total",
    help: "Intercom answers with 429 (each paused the whole fleet until the window reset).",
    registers: [registry],
    async collect() {
      this.reset();
      const limited = (await counters()).intercomCalls.find((entry) => entry.status === "429");
      this.inc(limited?.value ?? 0);
    },
  });
  new Counter({
    name: "content_sync_runs_total",
    help: "Finished runs per source, mode and status.",
    labelNames: ["source", "mode", "status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const entry of (await counters()).runs) {
        this.inc({ source: entry.sourceId, mode: entry.mode, status: entry.status }, entry.value);
      }
    },
  });
  new Counter({
    name: "content_sync_run_duration_seconds_total",
    help: "Time spent in runs per source and mode; divide by content_sync_runs_total for the mean.",
    labelNames: ["source", "mode"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const entry of (await counters()).runSeconds)
        this.inc({ source: entry.sourceId, mode: entry.mode }, entry.value);
    },
  });
  new Gauge({
    name: "content_sync_source_freshness_lag_seconds",
    help: "Seconds since the source's last successful run finished (how stale Intercom may be).",
    labelNames: ["source"],
    registers: [registry],
    async collect() {
      this.reset();
      const last = new Map((await counters()).lastSuccess.map((entry) => [entry.sourceId, entry.at]));
      for (const source of context.config.sources) {
        const at = last.get(source.id);
        if (at !== undefined) this.set({ source: source.id }, Math.max(0, (now() - at) / 1000));
      }
    },
  });
  new Gauge({
    name: "content_sync_failure_ledger_entries",
    help: "Entries in each source's failure ledger: documents that failed (retried with back-off) and deletions held back.",
    labelNames: ["source"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const source of context.config.sources) {
        this.set({ source: source.id }, await context.state.countFailures(source.id));
      }
    },
  });
  new Counter({
    name: "content_sync_deletions_blocked_total",
    help: "Runs whose deletions a deletion limit (or a state rebuild) held back, per source.",
    labelNames: ["source"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const entry of (await counters()).deletionsBlocked)
        this.inc({ source: entry.sourceId }, entry.value);
    },
  });
  new Gauge({
    name: "content_sync_recovering_sources",
    help: "Sources waiting for their recovery run after Redis lost the state (1 each); /readyz fails meanwhile.",
    registers: [registry],
    async collect() {
      this.reset();
      this.set((await context.epoch.recovering()).length);
    },
  });
  new Gauge({
    name: "content_sync_queue_jobs",
    help: "Jobs in the sync queue by state (waiting vs active, delayed, waiting for batches, failed).",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await context.queue.getJobCounts(
        "waiting",
        "active",
        "delayed",
        "waiting-children",
        "failed",
        "prioritized",
      );
      for (const [state, value] of Object.entries(counts)) this.set({ state }, value);
    },
  });
  return registry;
}
