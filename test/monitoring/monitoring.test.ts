import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import { type SchedulerApp, startSchedulerApp } from "@content-sync/scheduler";
import { enqueueSourceRun, purgeKeyspace } from "@content-sync/sync";
import { parseWorkerEnv, startWorkerApp, type WorkerApp } from "@content-sync/worker";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  REPO_ROOT,
  redisUrl,
  waitFor,
  writeDocuments,
  writeServiceConfig,
} from "../services/support/harness.js";

const RULES = path.join(REPO_ROOT, "config/monitoring/alert-rules.yml");
const DASHBOARD = path.join(REPO_ROOT, "config/monitoring/grafana-dashboard.json");

/** Metric names a PromQL expression reads (ours and Node's default ones; label names never match). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(?:content_sync|process|nodejs)_[a-zA-Z0-9_]+\b/g)].map((match) => match[0]);
}

/** Every expression of the alert rules and of the dashboard's panels. */
async function queriedExpressions(): Promise<{ where: string; expr: string }[]> {
  const rules = parse(await readFile(RULES, "utf8")) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  const dashboard = JSON.parse(await readFile(DASHBOARD, "utf8")) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  return [
    ...rules.groups.flatMap((group) =>
      group.rules.map((rule) => ({ where: `rule ${rule.alert}`, expr: rule.expr })),
    ),
    ...dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
    ),
  ];
}

/** Metric families of an exposition (`# TYPE name kind`), histograms with their series' suffixes. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, kind] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (!name) continue;
    names.add(name);
    if (kind === "histogram" || kind === "summary") {
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
    }
  }
  return names;
}

describe("monitoring: alert rules and dashboard", () => {
  it("pass promtool check rules", async () => {
    const { stdout } = await promisify(execFile)("promtool", ["check", "rules", RULES]).catch((error) => {
      throw new Error(
        `promtool check rules failed (promtool comes with Debian's prometheus package: bash test/setup/prepare-system.sh promtool): ${error.stdout ?? ""}${error.stderr ?? error}`,
      );
    });
    expect(stdout).toContain("SUCCESS");
  });

  it("cover failed runs, freshness lag, the deletion guard, 429s and queue depth", async () => {
    const used = new Set((await queriedExpressions()).flatMap(({ expr }) => metricNames(expr)));
    for (const name of [
      "content_sync_runs_total",
      "content_sync_source_freshness_lag_seconds",
      "content_sync_deletion_guard_tripped_total",
      "content_sync_intercom_rate_limited_total",
      "content_sync_queue_jobs",
      "content_sync_run_duration_seconds_bucket",
      "content_sync_intercom_request_duration_seconds_bucket",
      "process_cpu_seconds_total",
    ]) {
      expect(used, name).toContain(name);
    }
  });
});

/**
 * Every metric the dashboard and the rules query must exist on a running service: the scheduler
 * (with its in-process worker) and a worker process's own endpoint, after a real run.
 */
describe("monitoring: every queried metric is exported by a running service (real Redis)", {
  timeout: 120_000,
}, () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let scheduler: SchedulerApp;
  let worker: WorkerApp;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-monitoring-"));
    await writeDocuments(path.join(dir, "docs"), 5);
    sandbox = await startSandbox();
    const file = path.join(dir, "content-sync.yaml");
    await writeServiceConfig(file, {
      prefix: `cs-test-${randomUUID()}`,
      sandboxUrl: sandbox.url,
      sources: [{ id: "handbook", root: path.join(dir, "docs") }],
    });
    const env = { TEST_INTERCOM_TOKEN: sandbox.token, REDIS_URL: redisUrl() };
    scheduler = await startSchedulerApp({
      configFile: file,
      env,
      port: 0,
      withWorker: true,
      watchConfig: false,
    });
    worker = await startWorkerApp(
      parseWorkerEnv({ CONTENT_SYNC_CONFIG: file, PORT: "0" }),
      env,
      pino({ level: "silent" }),
      dir,
    );
  });
  afterAll(async () => {
    await worker?.close();
    if (scheduler) {
      await purgeKeyspace(scheduler.context.connection, scheduler.context.keyspace);
      await scheduler.close();
    }
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("finds each one on the scheduler's or a worker's /metrics", async () => {
    const runId = await enqueueSourceRun(scheduler.context.queue, {
      sourceId: "handbook",
      mode: "full",
      trigger: "manual",
    });
    await waitFor("the run", async () =>
      (await scheduler.context.ledger.history("handbook")).find((run) => run.runId === runId),
    );
    const schedulerMetrics = await (await fetch(`${scheduler.url}/metrics`)).text();
    const workerMetrics = await (await fetch(`http://${worker.health.address}/metrics`)).text();
    const exported = new Set([...exportedNames(schedulerMetrics), ...exportedNames(workerMetrics)]);
    const missing = (await queriedExpressions()).flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
    // And they carry data after a run, not only their type lines (the first start's recovery run
    // and the manual one both count).
    expect(schedulerMetrics).toMatch(
      /content_sync_run_duration_seconds_count\{source="handbook",mode="full"\} [1-9]\d*/,
    );
    expect(schedulerMetrics).toMatch(/content_sync_intercom_request_duration_seconds_count \d+/);
  });
});
