import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeStateStoreContract } from "../../test/support/state-store-contract.js";
import { purgeKeyspace } from "./purge-keyspace.js";
import { createRedisConnection, type RedisClient, resolveRedisUrl } from "./redis-factory.js";
import { RedisKeyspace } from "./redis-keyspace.js";
import { CorruptStateError, RedisStateStore } from "./redis-state-store.js";

let redis: RedisClient;
beforeAll(() => {
  redis = createRedisConnection({ url: resolveRedisUrl(undefined) });
});
afterAll(async () => {
  await redis.quit();
});

describeStateStoreContract("RedisStateStore", async () => {
  const keyspace = new RedisKeyspace(`cs-test-${randomUUID()}`);
  // A small scan count makes the streaming paths cross many HSCAN pages.
  const store = new RedisStateStore({ redis, keyspace, scanCount: 7 });
  return {
    store,
    // Redis TIME is the store's clock: let it move on for real.
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + 1)),
    close: async () => {
      await purgeKeyspace(redis, keyspace);
    },
  };
});

describe("RedisStateStore specifics", () => {
  const fresh = () => {
    const keyspace = new RedisKeyspace(`cs-test-${randomUUID()}`);
    return { keyspace, store: new RedisStateStore({ redis, keyspace }) };
  };

  it("uses one cluster hash tag per source, so sources spread over slots while a source's scripts stay in one", async () => {
    const { keyspace, store } = fresh();
    try {
      await store.putPage("wiki", "a", { pageId: "1", contentHash: "h", version: "v", syncedAt: 1 });
      await store.beginRun("wiki", { runId: "r", mode: "full" });
      await store.putPage("blog", "a", { pageId: "2", contentHash: "h", version: "v", syncedAt: 1 });
      const keys = await redis.keys(`${keyspace.prefix}:src:*`);
      const tags = new Set(keys.map((key) => /\{([^}]+)\}/.exec(key)?.[1]));
      expect(tags).toEqual(new Set(["wiki", "blog"]));
    } finally {
      await purgeKeyspace(redis, keyspace);
    }
  });

  it("names the key and field when stored data is not a page record", async () => {
    const { keyspace, store } = fresh();
    try {
      await redis.hset(keyspace.pages("wiki"), "broken", "{not json");
      await redis.hset(keyspace.pages("wiki"), "wrong", JSON.stringify({ pageId: 1 }));
      for (const field of ["broken", "wrong"]) {
        const error = await store.getPages("wiki", [field]).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(CorruptStateError);
        expect((error as CorruptStateError).message).toContain(`field ${field}`);
      }
    } finally {
      await purgeKeyspace(redis, keyspace);
    }
  });

  it("rejects source ids and prefixes that would break the key layout", async () => {
    const { store } = fresh();
    await expect(store.getSource("a:b")).rejects.toThrow(/source id "a:b"/);
    expect(() => new RedisKeyspace("{tagged}")).toThrow(/braces/);
  });
});

describe("resolveRedisUrl", () => {
  it("prefers REDIS_URL, then the config, then the local default", () => {
    expect(resolveRedisUrl("redis://config:1", { REDIS_URL: "redis://env:2" })).toBe("redis://env:2");
    expect(resolveRedisUrl("redis://config:1", {})).toBe("redis://config:1");
    expect(resolveRedisUrl(undefined, {})).toBe("redis://127.0.0.1:6379");
  });

  it("refuses URLs that are not redis URLs", () => {
    expect(() => createRedisConnection({ url: "http://x", lazyConnect: true })).toThrow(/redis:\/\//);
    expect(() => createRedisConnection({ url: "redis://a:1/2", cluster: true, lazyConnect: true })).toThrow(
      /database 0/,
    );
  });
});
