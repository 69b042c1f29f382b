import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { purgeKeyspace } from "./purge-keyspace.js";
import { createRedisConnection, resolveRedisUrl } from "./redis-factory.js";
import { RedisKeyspace } from "./redis-keyspace.js";
import { CorruptStateError, RedisStateStore } from "./redis-state-store.js";

describe("RedisStateStore", () => {
  let redis: Redis;
  let keyspace: RedisKeyspace;
  let store: RedisStateStore;

  beforeAll(() => {
    redis = createRedisConnection({ url: resolveRedisUrl(undefined) });
  });
  afterEach(async () => {
    await purgeKeyspace(redis, keyspace);
  });
  afterAll(async () => {
    await redis.quit();
  });

  const fresh = () => {
    keyspace = new RedisKeyspace(`cs-test-${randomUUID()}`);
    store = new RedisStateStore({ redis, keyspace, scanCount: 7 });
    return store;
  };

  it("starts empty and merges source patches field by field, removing undefined keys", async () => {
    fresh();
    expect(await store.getSource("wiki")).toEqual({});
    await store.updateSource("wiki", { contentImportSourceId: 42, cursor: "c1" });
    await store.updateSource("wiki", {
      checkpoint: { runId: "r1", mode: "full", startedAt: 1000, cursor: "c2" },
    });
    expect(await store.getSource("wiki")).toEqual({
      contentImportSourceId: 42,
      cursor: "c1",
      checkpoint: { runId: "r1", mode: "full", startedAt: 1000, cursor: "c2" },
    });
    await store.updateSource("wiki", { checkpoint: undefined, cursor: "c3" });
    expect(await store.getSource("wiki")).toEqual({ contentImportSourceId: 42, cursor: "c3" });
    expect(await store.getSource("other")).toEqual({});
  });

  it("stores, reads, lists, counts and deletes page records per source", async () => {
    fresh();
    for (let index = 0; index < 30; index++) {
      await store.putPage("wiki", `doc-${index}`, {
        pageId: String(1000 + index),
        contentHash: `h${index}`,
        version: `v${index}`,
        syncedAt: index,
      });
    }
    await store.putPage("blog", "doc-0", { pageId: "9", contentHash: "x", version: "y", syncedAt: 1 });
    const some = await store.getPages("wiki", ["doc-3", "missing", "doc-29"]);
    expect([...some.keys()]).toEqual(["doc-3", "doc-29"]);
    expect(some.get("doc-3")).toEqual({ pageId: "1003", contentHash: "h3", version: "v3", syncedAt: 3 });
    expect(await store.countPages("wiki")).toBe(30);
    const listed: string[] = [];
    for await (const [externalId] of store.listPages("wiki")) listed.push(externalId);
    expect(listed.sort()).toEqual(Array.from({ length: 30 }, (_, index) => `doc-${index}`).sort());
    await store.deletePage("wiki", "doc-3");
    expect(await store.countPages("wiki")).toBe(29);
    expect((await store.getPages("wiki", ["doc-3"])).size).toBe(0);
    expect(await store.countPages("blog")).toBe(1);
    expect(await store.getPages("wiki", [])).toEqual(new Map());
  });

  it("keeps its keys under one hash tag so they share a cluster slot", async () => {
    fresh();
    await store.putPage("wiki", "a", { pageId: "1", contentHash: "h", version: "v", syncedAt: 1 });
    await store.updateSource("wiki", { cursor: "c" });
    const keys = await redis.keys(`${keyspace.prefix}*`);
    expect(keys.length).toBe(2);
    for (const key of keys) expect(key.startsWith(`{${keyspace.prefix.slice(1, -1)}}:`)).toBe(true);
  });

  it("names the key and field when stored data is not a page record", async () => {
    fresh();
    await redis.hset(keyspace.pages("wiki"), "broken", "{not json");
    const error = await store.getPages("wiki", ["broken"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptStateError);
    expect((error as CorruptStateError).message).toContain("field broken");
  });

  it("rejects source ids that would break the key layout", async () => {
    fresh();
    await expect(store.getSource("a:b")).rejects.toThrow(/source id "a:b"/);
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
  });
});
