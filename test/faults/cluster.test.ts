import { enqueueSourceRun } from "@content-sync/sync";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../services/support/harness.js";
import { ProcessFleet, runRedisCli } from "./process-support.js";
import { counts, prng, SEED, writeFileResults } from "./support.js";

/**
 * A fleet (scheduler and two workers, `redis.cluster: true`) on a real Redis Cluster of three masters
 * with a replica each, started on loopback by the scenario, with a failover of a master that owns
 * slots in use, mid-run: first a graceful `CLUSTER FAILOVER`, then a master killed outright.
 */

const SOURCES = ["alpha", "bravo", "charlie"];
const DOCUMENTS = 150;
const random = prng(SEED ^ 0x51ed270b);
let fleet: ProcessFleet | undefined;

afterAll(async () => {
  await fleet?.close().catch(() => undefined);
  await writeFileResults(import.meta.url);
});

function expectConverged(current: ProcessFleet, sourceId: string): void {
  const result = current.compare(sourceId);
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
  expect(result.compared).toBe(current.revisions.get(sourceId)?.size);
}

describe("Redis Cluster: three masters with a replica each (redis-server --cluster-enabled yes)", () => {
  it("a fleet over several sources converges page by page, each source's state on its own slot, and through a failover of a master in use mid-run", async () => {
    const current = await ProcessFleet.start({
      sources: SOURCES.map((id) => ({ id, documents: DOCUMENTS })),
      redis: "cluster",
    });
    fleet = current;
    const cluster = current.cluster;
    if (!cluster) throw new Error("the scenario owns a cluster");
    current.spawnWorker();
    current.spawnWorker();
    const scheduler = await current.spawnScheduler();
    await current.workersConnected(2);
    // The first start's recovery runs build each source from Intercom and list it completely.
    await waitFor(
      "/readyz to answer 200",
      async () => (await current.readyz(scheduler.port)) === 200,
      180_000,
      250,
    );
    for (const sourceId of SOURCES) expectConverged(current, sourceId);

    // Each source's state lives under its own hash tag: different sources, different slots, and the
    // keys really are in the cluster.
    const slots = new Map<string, number>();
    for (const sourceId of SOURCES) {
      const key = current.context.keyspace.pages(sourceId);
      const owner = await cluster.ownerOf(key);
      slots.set(sourceId, owner.slot);
      expect(await current.context.connection.exists(key), `${key} exists`).toBe(1);
    }
    expect(new Set(slots.values()).size).toBe(SOURCES.length);

    // A second round of full runs, every document revised; mid-run, the master owning the slot of a
    // source being written hands over to its replica.
    for (const sourceId of SOURCES) await current.revise(sourceId, 2, random, 2);
    const runs = new Map<string, string>();
    for (const sourceId of SOURCES) {
      runs.set(
        sourceId,
        await enqueueSourceRun(current.context.queue, { sourceId, mode: "full", trigger: "manual" }),
      );
    }
    const target = SOURCES[Math.floor(random() * SOURCES.length)] as string;
    const { master, replica } = await cluster.ownerOf(current.context.keyspace.pages(target));
    await waitFor(`${target} under way`, () => current.pagesAtRevision(target) >= 30, 120_000, 10);
    const history = await current.context.ledger.history(target, 20);
    expect(history.some((run) => run.runId === runs.get(target))).toBe(false); // still running
    const failover = await runRedisCli(["-p", String(replica.port), "CLUSTER", "FAILOVER"]);
    expect(failover.output.trim()).toBe("OK");
    counts.faultsInjected++;
    // The replica is promoted, and the old master turns into its replica.
    await waitFor(
      "the replica to take over",
      async () => (await cluster.isMaster(replica)) && !(await cluster.isMaster(master)),
      30_000,
      100,
    );

    for (const sourceId of SOURCES) {
      const run = await current.finishedRun(sourceId, runs.get(sourceId) as string, 180_000);
      expect(run.status, `${sourceId}: ${run.message ?? ""} ${JSON.stringify(run.errors.slice(0, 3))}`).toBe(
        "succeeded",
      );
      expectConverged(current, sourceId);
    }

    // A third round, and this time the master owning another source being written dies (SIGKILL):
    // its replica is elected once the others stop hearing from it.
    for (const sourceId of SOURCES) await current.revise(sourceId, 3, random, 1);
    for (const sourceId of SOURCES) {
      runs.set(
        sourceId,
        await enqueueSourceRun(current.context.queue, { sourceId, mode: "full", trigger: "manual" }),
      );
    }
    const victim = SOURCES[(SOURCES.indexOf(target) + 1) % SOURCES.length] as string;
    const owner = await cluster.ownerOf(current.context.keyspace.pages(victim));
    await waitFor(`${victim} under way`, () => current.pagesAtRevision(victim) >= 30, 120_000, 10);
    const before = await current.context.ledger.history(victim, 20);
    expect(before.some((run) => run.runId === runs.get(victim))).toBe(false); // still running
    await owner.master.kill();
    counts.faultsInjected++;
    await waitFor("the replica to be elected", () => cluster.isMaster(owner.replica), 60_000, 100);

    for (const sourceId of SOURCES) {
      const run = await current.finishedRun(sourceId, runs.get(sourceId) as string, 180_000);
      expect(run.status, `${sourceId}: ${run.message ?? ""} ${JSON.stringify(run.errors.slice(0, 3))}`).toBe(
        "succeeded",
      );
      expectConverged(current, sourceId);
    }
    counts.scenariosRun++;
  }, 420_000);
});
