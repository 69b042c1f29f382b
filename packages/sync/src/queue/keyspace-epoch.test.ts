import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { SourceConfig } from "../config/types.js";
import { purgeKeyspace } from "../redis/purge-keyspace.js";
import { createRedisConnection, resolveRedisUrl } from "../redis/redis-factory.js";
import { RedisKeyspace } from "../redis/redis-keyspace.js";
import { RedisStateStore } from "../redis/redis-state-store.js";
import { createSyncQueue } from "./enqueue.js";
import { KeyspaceEpoch } from "./keyspace-epoch.js";

const redis = createRedisConnection({ url: resolveRedisUrl(undefined) });
const keyspace = new RedisKeyspace(`cs-epoch-${randomUUID()}`);
const queue = createSyncQueue(redis, keyspace);
const state = new RedisStateStore({ redis, keyspace });
const source = {
  id: "epoch-docs",
  enabled: true,
  type: "filesystem",
  options: { root: "/nonexistent" },
} as unknown as SourceConfig;

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await purgeKeyspace(redis, keyspace);
  await redis.quit();
});

describe("KeyspaceEpoch", () => {
  it("only a run whose listing began in the current epoch ends that epoch's recovery", async () => {
    const epoch = new KeyspaceEpoch(redis, keyspace);
    expect(await epoch.check({ sources: [source], queue, state })).toBe(true);
    const first = await epoch.current();
    expect(first).toBeDefined();
    expect(await epoch.recovering()).toEqual([source.id]);

    // Redis loses its data while a run of the first epoch is still working in its worker.
    await purgeKeyspace(redis, keyspace);
    expect(await epoch.current()).toBeUndefined();
    expect(await epoch.check({ sources: [source], queue, state })).toBe(true);
    const second = await epoch.current();
    expect(second).not.toEqual(first);

    // That older run finishes its complete listing: the rebuilt keyspace must keep waiting.
    expect(await epoch.markRecovered(source.id, first)).toBe(false);
    expect(await epoch.markRecovered(source.id, undefined)).toBe(false);
    expect(await epoch.recovering()).toEqual([source.id]);
    expect(await epoch.ready()).toBe(false);

    // The new epoch's recovery run completes it.
    expect(await epoch.markRecovered(source.id, second)).toBe(true);
    expect(await epoch.recovering()).toEqual([]);
    expect(await epoch.ready()).toBe(true);
  });

  it("a second check in the same epoch starts no second recovery", async () => {
    const epoch = new KeyspaceEpoch(redis, keyspace);
    const before = await epoch.current();
    expect(await epoch.check({ sources: [source], queue, state })).toBe(false);
    expect(await epoch.current()).toEqual(before);
  });

  it("two fleets noticing the wiped keyspace at once: one claims it, and the epoch never shows without its sources", async () => {
    await purgeKeyspace(redis, keyspace);
    const [a, b] = [new KeyspaceEpoch(redis, keyspace), new KeyspaceEpoch(redis, keyspace)];
    const watcher = new KeyspaceEpoch(redis, keyspace);
    const seenReady: boolean[] = [];
    const watching = (async () => {
      for (let i = 0; i < 50; i++) seenReady.push(await watcher.ready());
    })();
    const claims = await Promise.all([
      a.check({ sources: [source], queue, state }),
      b.check({ sources: [source], queue, state }),
    ]);
    await watching;
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(seenReady).not.toContain(true);
    expect(await watcher.recovering()).toEqual([source.id]);
  });
});
