import type { SyncWorkerHandle } from "@content-sync/sync";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/**
 * What one worker process exposes on `/metrics`: Node's default metrics under their standard names
 * (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`…, so stock dashboards find them) and
 * this process's jobs. Fleet-wide counts (pages, runs, Intercom calls, queue depth) come from the
 * scheduler's `/metrics`, which reads them from Redis: exporting them here too would count them
 * once per worker.
 */
export function createWorkerMetrics(handle: SyncWorkerHandle): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const jobs = new Counter({
    name: "content_sync_worker_jobs_total",
    help: "Jobs this worker finished, by job name and result (completed, failed).",
    labelNames: ["job", "result"],
    registers: [registry],
  });
  handle.worker.on("completed", (job) => jobs.inc({ job: job.name, result: "completed" }));
  handle.worker.on("failed", (job) => jobs.inc({ job: job?.name ?? "unknown", result: "failed" }));
  new Gauge({
    name: "content_sync_worker_concurrency",
    help: "Jobs this worker runs at once at most.",
    registers: [registry],
    collect() {
      this.set(handle.worker.concurrency);
    },
  });
  new Gauge({
    name: "content_sync_worker_up",
    help: "1 while this worker takes jobs, 0 while it drains or is paused.",
    registers: [registry],
    collect() {
      this.set(handle.worker.isRunning() && !handle.worker.isPaused() ? 1 : 0);
    },
  });
  return registry;
}
