import { Cluster } from "ioredis";
import { describe, expect, it } from "vitest";
import { CLUSTER_FAILOVER_PATIENCE_MS, createRedisConnection } from "./redis-factory.js";

// The fault suite's cluster scenario (test/faults/cluster.test.ts) kills a master mid-run; this pins
// the client settings that let commands wait for the replica's election instead of failing.
describe("createRedisConnection with cluster: true", () => {
  const retryBudgetMs = (cluster: Cluster) =>
    (cluster.options.maxRedirections ?? 0) *
    Math.min(cluster.options.retryDelayOnFailover ?? 0, cluster.options.retryDelayOnClusterDown ?? 0);

  it("keeps retrying a command for longer than Redis's default cluster-node-timeout (15 s) plus an election", () => {
    const cluster = createRedisConnection({ url: "redis://127.0.0.1:1", cluster: true, lazyConnect: true });
    expect(cluster).toBeInstanceOf(Cluster);
    expect(CLUSTER_FAILOVER_PATIENCE_MS).toBeGreaterThan(15_000);
    expect(retryBudgetMs(cluster as Cluster)).toBeGreaterThanOrEqual(CLUSTER_FAILOVER_PATIENCE_MS);
    // A MOVED loop while the slot map settles waits between hops too, instead of using up every retry at once.
    expect((cluster as Cluster).options.retryDelayOnMoved).toBeGreaterThan(0);
    cluster.disconnect();
  });

  it("takes a shorter or longer patience when asked", () => {
    const cluster = createRedisConnection({
      url: "redis://127.0.0.1:1",
      cluster: true,
      lazyConnect: true,
      clusterFailoverPatienceMs: 60_000,
    }) as Cluster;
    expect(retryBudgetMs(cluster)).toBeGreaterThanOrEqual(60_000);
    cluster.disconnect();
  });
});
