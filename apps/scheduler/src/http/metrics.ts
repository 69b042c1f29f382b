import { INTERCOM_LATENCY_BUCKETS, RUN_DURATION_BUCKETS, type ServiceContext } from "@content-sync/sync";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { type HistogramSeries, registerFleetHistogram } from "./fleet-histogram.js";

/**
 * Prometheus metrics for the whole fleet. Counters live in Redis (every worker adds to them), so each
 * scrape reads them there: a scheduler restart or a worker added elsewhere never loses or splits a count.
 * Names follow Prometheus conventions: one `content_sync_` prefix, base units in the name (`_seconds`),
 * `_total` on counters; Node's default metrics keep their standard names (`process_cpu_seconds_total`,
 * `nodejs_*`) so stock dashboards find them. Workers expose their own process metrics (apps/worker).
 */
export function createMetricsRegistry(context: ServiceContext, now: () => number = Date.now): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  registerFleetHistogram(registry, {
    name: "content_sync_run_duration_seconds",
    help: "Duration of finished runs, per source and mode (start to the run's record, batches included).",
    bounds: RUN_DURATION_BUCKETS,
    async read() {
      const { runDurationBuckets, runSeconds } = await counters();
      const series = new Map<string, HistogramSeries & { buckets: Map<string, number> }>();
      const seriesFor = (sourceId: string, mode: string) => {
        const key = `${sourceId}|${mode}`;
        let entry = series.get(key);
        if (!entry) {
          entry = { labels: { source: sourceId, mode }, buckets: new Map(), sum: 0 };
          series.set(key, entry);
        }
        return entry;
      };
      for (const entry of runDurationBuckets)
        seriesFor(entry.sourceId, entry.mode).buckets.set(entry.le, entry.value);
      for (const entry of runSeconds) {
        // Runs recorded before the histogram existed have a sum but no buckets: no series for them.
        const key = `${entry.sourceId}|${entry.mode}`;
        if (series.has(key)) seriesFor(entry.sourceId, entry.mode).sum = entry.value;
      }
      return [...series.values()];
    },
  });
  registerFleetHistogram(registry, {
    name: "content_sync_intercom_request_duration_seconds",
    help: "Latency of each HTTP attempt to Intercom, answered or not, across the fleet.",
    bounds: INTERCOM_LATENCY_BUCKETS,
    async read() {
      const { intercomLatencyBuckets, intercomSeconds } = await counters();
      if (intercomLatencyBuckets.length === 0) return [];
      return [
        {
          labels: {},
          buckets: new Map(intercomLatencyBuckets.map((entry) => [entry.le, entry.value])),
          sum: intercomSeconds,
        },
      ];
    },
  });
  new Counter({
    name: "content_sync_deletion_guard_tripped_total",
    help: "Runs whose deletions the deletion guard held back (more than the source's deletion.maxDeletes).",
    labelNames: ["source"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const entry of (await counters()).deletionGuard) this.inc({ source: entry.sourceId }, entry.value);
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
