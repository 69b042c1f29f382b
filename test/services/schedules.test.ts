import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import {
  builtInRegistry,
  loadConfig,
  purgeKeyspace,
  type SchedulerService,
  ServiceContext,
  startSchedulerService,
  startWorkerService,
  type SyncWorkerHandle,
} from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrl, waitFor, writeDocuments, writeServiceConfig } from "./support/harness.js";

describe("job schedulers (real Redis, sandbox as Intercom)", () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let context: ServiceContext;
  let scheduler: SchedulerService;
  let worker: SyncWorkerHandle;
  const prefix = `cs-test-${randomUUID()}`;
  const registry = builtInRegistry();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-schedules-"));
    sandbox = await startSandbox();
    await writeDocuments(path.join(dir, "docs"), 3);
    await writeDocuments(path.join(dir, "other"), 2);
  });
  afterAll(async () => {
    scheduler?.close();
    await worker?.close();
    if (context) {
      await purgeKeyspace(context.connection, context.keyspace);
      await context.close();
    }
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a source with `every: 1s` produces runs; removing it from the config removes its scheduler", async () => {
    const file = path.join(dir, "content-sync.yaml");
    const env = { TEST_INTERCOM_TOKEN: sandbox.token, REDIS_URL: redisUrl() };
    await writeServiceConfig(file, {
      prefix,
      sandboxUrl: sandbox.url,
      sources: [
        {
          id: "ticking",
          root: path.join(dir, "docs"),
          schedule: '{ every: 1s, full: { cron: "0 3 * * *", timezone: Europe/Paris } }',
        },
        { id: "steady", root: path.join(dir, "other"), schedule: "{ every: 1h }" },
      ],
    });
    const load = (configFile: string) => loadConfig(configFile, { registry, env });
    context = new ServiceContext({ config: await load(file), registry, env, role: "test" });
    scheduler = await startSchedulerService(context, { configFile: file, load, watchFile: false });
    worker = await startWorkerService(context, { concurrency: 2 });

    const schedulers = await context.queue.getJobSchedulers(0, -1);
    expect(schedulers.map((entry) => entry.key).sort()).toEqual([
      "source:steady:incremental",
      "source:ticking:full",
      "source:ticking:incremental",
    ]);
    const full = schedulers.find((entry) => entry.key === "source:ticking:full");
    expect(full).toMatchObject({ pattern: "0 3 * * *", tz: "Europe/Paris" });

    // A first start recovers: one full run per source builds the state from Intercom and lists it.
    // Then `ticking` runs every second: at least three scheduled runs in history.
    const runs = await waitFor(
      "three scheduled runs",
      async () => {
        const history = (await context.ledger.history("ticking", 20)).filter(
          (run) => run.trigger === "schedule",
        );
        return history.length >= 3 ? history : undefined;
      },
      30_000,
    );
    expect(runs.every((run) => run.mode === "incremental")).toBe(true);
    const recovery = (await context.ledger.history("ticking", 20)).filter(
      (run) => run.trigger === "recovery",
    );
    expect(recovery).toMatchObject([{ mode: "full", status: "succeeded", counts: { created: 3 } }]);
    expect(await context.epoch.ready()).toBe(true);
    expect(
      sandbox.store.listPages().filter((page) => page.external_id.includes("doc-")).length,
    ).toBeGreaterThanOrEqual(3);

    // Drop `ticking` from the config and reload (what SIGHUP does).
    await writeServiceConfig(file, {
      prefix,
      sandboxUrl: sandbox.url,
      sources: [{ id: "steady", root: path.join(dir, "other"), schedule: "{ every: 1h }" }],
    });
    await scheduler.reload();
    const after = await context.queue.getJobSchedulers(0, -1);
    expect(after.map((entry) => entry.key)).toEqual(["source:steady:incremental"]);
    expect(context.sources().has("ticking")).toBe(false);
    // Removing the scheduler also removed its next scheduled run.
    const pending = await context.queue.getJobs(["delayed", "waiting"]);
    expect(pending.filter((job) => job.data?.sourceId === "ticking")).toEqual([]);
  });
});
