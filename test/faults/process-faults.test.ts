import { enqueueSourceRun } from "@content-sync/sync";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { stopProcess, waitFor } from "../services/support/harness.js";
import { ProcessFleet } from "./process-support.js";
import { counts, prng, SEED, writeFileResults } from "./support.js";

/**
 * Process faults: workers killed or drained mid-run, the scheduler restarted, Redis restarted with and
 * without persistence, two schedulers at once. Each scenario owns its redis-server, sandbox and
 * processes, and ends with the page-by-page comparison of the sandbox with the source.
 */

const UPSERT = "POST /ai/external_pages";
/** Jobs per worker process × documents in flight per job: the most writes a killed process can leave unrecorded. */
const IN_FLIGHT_PER_WORKER = 2 * 4;

const random = prng(SEED ^ 0x9e3779b9);
const fleets: ProcessFleet[] = [];

async function startFleet(options: Parameters<typeof ProcessFleet.start>[0]): Promise<ProcessFleet> {
  const fleet = await ProcessFleet.start(options);
  fleets.push(fleet);
  return fleet;
}

function expectConverged(fleet: ProcessFleet, sourceId: string): void {
  const result = fleet.compare(sourceId);
  expect(
    {
      lost: result.lost,
      duplicated: result.duplicated,
      stale: result.stale,
      wronglyDeleted: result.wronglyDeleted,
      extra: result.extra,
      recreated: result.recreated,
    },
    `page-by-page comparison of ${sourceId}`,
  ).toEqual({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [], recreated: [] });
  expect(result.compared).toBe(fleet.revisions.get(sourceId)?.size);
}

const upserts = (fleet: ProcessFleet) => fleet.sandbox.stats().succeeded[UPSERT] ?? 0;
const alive = (fleet: ProcessFleet) =>
  fleet.workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);

/** Waits for a scheduler's /readyz to answer 200 (the keyspace has an epoch and no source is recovering). */
const ready = (fleet: ProcessFleet, port: number) =>
  waitFor("/readyz to answer 200", async () => (await fleet.readyz(port)) === 200, 120_000, 200);

// Each scenario's processes, Redis and folders go when it ends, passed or failed.
afterEach(async () => {
  for (const fleet of fleets.splice(0)) await fleet.close().catch(() => undefined);
});
afterAll(async () => {
  await writeFileResults(import.meta.url);
});

describe("process faults (own redis-server per scenario, worker and scheduler processes, sandbox as Intercom)", () => {
  it("SIGKILL of a worker at seeded points of fanned-out runs, 10 trials: each run completes on the fleet, page by page, no page created twice", async () => {
    const sourceId = "killed";
    const fleet = await startFleet({ sources: [{ id: sourceId, documents: 300 }], redis: "persistent" });
    fleet.spawnWorker();
    fleet.spawnWorker();
    await fleet.workersConnected(2);
    let killedMidRun = 0;
    for (let trial = 0; trial < 10; trial++) {
      if (trial > 0) {
        // Every document gets a new revision, a few are deleted and a few added, so the run writes,
        // and sweeps, throughout.
        await fleet.revise(sourceId, trial + 1, random, Math.floor(random() * 4));
        await fleet.addDocuments(sourceId, Math.floor(random() * 4), trial + 1);
      }
      const documents = fleet.revisions.get(sourceId)?.size ?? 0;
      // Anywhere from the listing (0 pages written) to the sweep (every page written); the last trial
      // always waits for every page, so one kill lands in the sweep and cursor write.
      const killAfter = trial === 9 ? documents : Math.floor(random() * (documents + 1));
      const writesBefore = upserts(fleet);
      const runId = await enqueueSourceRun(fleet.context.queue, {
        sourceId,
        mode: "full",
        trigger: "manual",
      });
      await waitFor(
        `${killAfter} pages written`,
        () => fleet.pagesAtRevision(sourceId) >= killAfter,
        60_000,
        10,
      );
      const workers = alive(fleet);
      const victim = workers[Math.floor(random() * workers.length)];
      if (!victim) throw new Error("no live worker to kill");
      const finishedFirst = (await fleet.context.ledger.history(sourceId, 20)).some(
        (run) => run.runId === runId,
      );
      victim.child.kill("SIGKILL");
      await victim.exited;
      counts.faultsInjected++;
      if (!finishedFirst) killedMidRun++;
      fleet.spawnWorker();

      const run = await fleet.finishedRun(sourceId, runId);
      expect(run.status, `trial ${trial}: ${run.message ?? ""}`).toBe("succeeded");
      expectConverged(fleet, sourceId);
      // Writes beyond one per document are only those a killed worker had in flight.
      expect(upserts(fleet) - writesBefore).toBeLessThanOrEqual(documents + 2 * IN_FLIGHT_PER_WORKER);
      await fleet.workersConnected(2);
    }
    counts.scenariosRun++;
    console.log(`SIGKILL trials: ${killedMidRun} of 10 kills landed before the run had finished`);
  }, 360_000);

  it("every worker SIGKILLed at once mid-run, then the fleet restarted: the same run completes, page by page", async () => {
    const sourceId = "blackout";
    const fleet = await startFleet({ sources: [{ id: sourceId, documents: 300 }], redis: "persistent" });
    fleet.spawnWorker();
    fleet.spawnWorker();
    await fleet.workersConnected(2);
    const runId = await enqueueSourceRun(fleet.context.queue, { sourceId, mode: "full", trigger: "manual" });
    const killAfter = 20 + Math.floor(random() * 250);
    await waitFor(
      `${killAfter} pages written`,
      () => fleet.pagesAtRevision(sourceId) >= killAfter,
      60_000,
      10,
    );
    const victims = alive(fleet);
    for (const victim of victims) victim.child.kill("SIGKILL");
    await Promise.all(victims.map((victim) => victim.exited));
    counts.faultsInjected += victims.length;
    expect((await fleet.context.ledger.history(sourceId, 20)).some((run) => run.runId === runId)).toBe(false);
    fleet.spawnWorker();
    fleet.spawnWorker();
    const run = await fleet.finishedRun(sourceId, runId);
    expect(run.status, run.message).toBe("succeeded");
    expectConverged(fleet, sourceId);
    expect(upserts(fleet)).toBeLessThanOrEqual(300 + 2 * IN_FLIGHT_PER_WORKER);
    counts.scenariosRun++;
  }, 180_000);

  it("SIGTERM during a run: the worker drains and exits 0, another completes the run, page by page, no write twice", async () => {
    const sourceId = "drained";
    const fleet = await startFleet({ sources: [{ id: sourceId, documents: 300 }], redis: "persistent" });
    const draining = fleet.spawnWorker();
    await fleet.workersConnected(1);
    const runId = await enqueueSourceRun(fleet.context.queue, { sourceId, mode: "full", trigger: "manual" });
    const stopAfter = 50 + Math.floor(random() * 150);
    await waitFor(
      `${stopAfter} pages written`,
      () => fleet.pagesAtRevision(sourceId) >= stopAfter,
      60_000,
      10,
    );
    draining.child.kill("SIGTERM");
    counts.faultsInjected++;
    expect(await draining.exited).toBe(0);
    expect(fleet.pagesAtRevision(sourceId)).toBeLessThan(300);
    fleet.spawnWorker();
    const run = await fleet.finishedRun(sourceId, runId);
    expect(run.status).toBe("succeeded");
    expectConverged(fleet, sourceId);
    // A drained worker finished (or checkpointed) what it had started: nothing was written twice.
    expect(upserts(fleet)).toBe(300);
    counts.scenariosRun++;
  }, 180_000);

  it("the scheduler restarted mid-run: the run completes and the job schedulers still fire afterwards", async () => {
    const sourceId = "rescheduled";
    const fleet = await startFleet({
      sources: [{ id: sourceId, documents: 300, schedule: "{ every: 2s }" }],
      redis: "persistent",
    });
    fleet.spawnWorker();
    fleet.spawnWorker();
    const first = await fleet.spawnScheduler();
    await fleet.workersConnected(2);
    await ready(fleet, first.port);
    expectConverged(fleet, sourceId);

    await fleet.revise(sourceId, 2, random, 2);
    const runId = await enqueueSourceRun(fleet.context.queue, { sourceId, mode: "full", trigger: "manual" });
    await waitFor("the run to be under way", () => fleet.pagesAtRevision(sourceId) >= 60, 60_000, 10);
    first.process.child.kill("SIGKILL");
    await first.process.exited;
    counts.faultsInjected++;
    const second = await fleet.spawnScheduler();
    const restartedAt = Date.now();

    const run = await fleet.finishedRun(sourceId, runId);
    expect(run.status).toBe("succeeded");
    const scheduled = await waitFor(
      "two scheduled runs after the restart",
      async () => {
        const runs = (await fleet.context.ledger.history(sourceId, 50)).filter(
          (candidate) => candidate.trigger === "schedule" && candidate.startedAt > restartedAt,
        );
        return runs.length >= 2 ? runs : undefined;
      },
      60_000,
      250,
    );
    expect(scheduled.every((candidate) => candidate.status === "succeeded")).toBe(true);
    expect(await fleet.readyz(second.port)).toBe(200);
    expectConverged(fleet, sourceId);
    counts.scenariosRun++;
  }, 240_000);

  it("Redis restarted without persistence mid-run: the fleet notices the wiped keyspace, /readyz fails until each source is rebuilt from Intercom, then page by page with nothing created twice or wrongly deleted", async () => {
    const sourceId = "wiped";
    const fleet = await startFleet({ sources: [{ id: sourceId, documents: 300 }], redis: "volatile" });
    fleet.spawnWorker();
    fleet.spawnWorker();
    const scheduler = await fleet.spawnScheduler();
    await fleet.workersConnected(2);
    await ready(fleet, scheduler.port);
    expectConverged(fleet, sourceId);

    await fleet.revise(sourceId, 2, random, 3);
    const runId = await enqueueSourceRun(fleet.context.queue, { sourceId, mode: "full", trigger: "manual" });
    const restartAfter = 30 + Math.floor(random() * 200);
    await waitFor(
      "the run to be under way",
      () => fleet.pagesAtRevision(sourceId) >= restartAfter,
      60_000,
      10,
    );
    const redis = fleet.redis;
    if (!redis) throw new Error("the scenario owns a single redis-server");
    await redis.kill();
    await redis.start();
    counts.faultsInjected++;
    // The keyspace is empty: no epoch, so the scheduler says not ready (with Redis reachable) until
    // the recovery has run.
    const notReady = await waitFor(
      "/readyz to fail with Redis reachable",
      async () => {
        const answer = await fleet.readiness(scheduler.port);
        return answer?.body.redis === true && answer.status !== 200 ? answer : undefined;
      },
      30_000,
      20,
    );
    expect(notReady.status).toBe(503);
    expect(["recovering", "not initialised"]).toContain(notReady.body.keyspace);
    await ready(fleet, scheduler.port);
    const recovery = (await fleet.context.ledger.history(sourceId, 50)).filter(
      (run) => run.trigger === "recovery",
    );
    expect(recovery.map((run) => run.status)).toEqual(["succeeded"]);
    // The interrupted run's job went with the keyspace; whatever it still wrote, the recovery run
    // rebuilt the page state from Intercom and listed the source completely.
    await waitFor(
      "no job left running",
      async () => (await fleet.context.queue.getActiveCount()) === 0 || undefined,
      60_000,
      250,
    );
    expect(runId).toBeTruthy();
    expectConverged(fleet, sourceId);
    counts.scenariosRun++;
  }, 240_000);

  it("Redis wiped during the first start's recovery run: a second recovery finishes the first, no page created twice", async () => {
    const sourceId = "rewiped";
    const fleet = await startFleet({ sources: [{ id: sourceId, documents: 300 }], redis: "volatile" });
    fleet.spawnWorker();
    fleet.spawnWorker();
    await fleet.workersConnected(2);
    const scheduler = await fleet.spawnScheduler();
    const wipeAfter = 30 + Math.floor(random() * 200);
    await waitFor(
      "the recovery run to be under way",
      () => fleet.pagesAtRevision(sourceId) >= wipeAfter,
      60_000,
      10,
    );
    const redis = fleet.redis;
    if (!redis) throw new Error("the scenario owns a single redis-server");
    await redis.kill();
    fleet.rememberPages(sourceId);
    await redis.start();
    counts.faultsInjected++;
    expect(fleet.pagesAtRevision(sourceId)).toBeLessThan(300);
    await waitFor(
      "/readyz to fail with Redis reachable",
      async () => {
        const answer = await fleet.readiness(scheduler.port);
        return answer?.body.redis === true && answer.status !== 200 ? answer : undefined;
      },
      30_000,
      20,
    );
    // Ready only once the second epoch's recovery run has completed: the first run, still working
    // in its worker when the keyspace went, belongs to the lost epoch and cannot end the recovery.
    await ready(fleet, scheduler.port);
    const recovery = (await fleet.context.ledger.history(sourceId, 50)).filter(
      (run) => run.trigger === "recovery",
    );
    expect(recovery.map((run) => run.status)).toContain("succeeded");
    await waitFor(
      "no job left running",
      async () => (await fleet.context.queue.getActiveCount()) === 0 || undefined,
      60_000,
      250,
    );
    expectConverged(fleet, sourceId);
    counts.scenariosRun++;
  }, 240_000);

  it("Redis restarted with persistence mid-run: the interrupted run resumes from its checkpoint, no recovery, page by page", async () => {
    const sourceId = "persisted";
    const fleet = await startFleet({ sources: [{ id: sourceId, documents: 300 }], redis: "persistent" });
    fleet.spawnWorker();
    fleet.spawnWorker();
    const scheduler = await fleet.spawnScheduler();
    await fleet.workersConnected(2);
    await ready(fleet, scheduler.port);
    expectConverged(fleet, sourceId);

    await fleet.revise(sourceId, 2, random, 2);
    const documents = fleet.revisions.get(sourceId)?.size ?? 0;
    const writesBefore = upserts(fleet);
    const runId = await enqueueSourceRun(fleet.context.queue, { sourceId, mode: "full", trigger: "manual" });
    const restartAfter = 60 + Math.floor(random() * 150);
    await waitFor(
      "the run to be under way",
      () => fleet.pagesAtRevision(sourceId) >= restartAfter,
      60_000,
      10,
    );
    const redis = fleet.redis;
    if (!redis) throw new Error("the scenario owns a single redis-server");
    await redis.kill();
    await redis.start();
    counts.faultsInjected++;

    const run = await fleet.finishedRun(sourceId, runId);
    expect(run.status).toBe("succeeded");
    // Resumed, not restarted: the pages written before the restart were not written again.
    expect(upserts(fleet) - writesBefore).toBeLessThanOrEqual(documents + 2 * IN_FLIGHT_PER_WORKER);
    const recovery = (await fleet.context.ledger.history(sourceId, 50)).filter(
      (entry) => entry.trigger === "recovery",
    );
    expect(recovery).toHaveLength(1); // the first start's, none after the restart
    expect(await fleet.readyz(scheduler.port)).toBe(200);
    expectConverged(fleet, sourceId);
    counts.scenariosRun++;
  }, 240_000);

  it("two schedulers at once on one Redis: one recovery, and each schedule fires once per period", async () => {
    const sourceId = "twice";
    const everyMs = 2_000;
    const fleet = await startFleet({
      sources: [{ id: sourceId, documents: 40, schedule: "{ every: 2s }" }],
      redis: "persistent",
    });
    fleet.spawnWorker();
    const [one, two] = await Promise.all([fleet.spawnScheduler(), fleet.spawnScheduler()]);
    counts.faultsInjected++;
    await fleet.workersConnected(1);
    await ready(fleet, one.port);
    const runs = await waitFor(
      "five scheduled runs",
      async () => {
        const history = (await fleet.context.ledger.history(sourceId, 100)).filter(
          (run) => run.trigger === "schedule",
        );
        return history.length >= 5 ? history : undefined;
      },
      90_000,
      250,
    );
    expect(await fleet.readyz(two.port)).toBe(200);
    const recovery = (await fleet.context.ledger.history(sourceId, 100)).filter(
      (run) => run.trigger === "recovery",
    );
    expect(recovery).toHaveLength(1);
    // A scheduled job's id ends with the time it was due: one job per due time, due times a period apart.
    const due = runs.map((run) => Number(/(\d+)$/.exec(run.runId)?.[1])).sort((a, b) => a - b);
    expect(due.every(Number.isFinite), runs.map((run) => run.runId).join(", ")).toBe(true);
    expect(new Set(due).size).toBe(due.length);
    for (let i = 1; i < due.length; i++)
      expect((due[i] as number) - (due[i - 1] as number)).toBeGreaterThanOrEqual(everyMs);
    expectConverged(fleet, sourceId);
    for (const scheduler of [one, two]) await stopProcess(scheduler.process);
    counts.scenariosRun++;
  }, 180_000);
});
