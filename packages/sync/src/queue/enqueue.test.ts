import type { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import type { RedisClient } from "../redis/redis-factory.js";
import { RedisKeyspace } from "../redis/redis-keyspace.js";
import { enqueueTargeted } from "./enqueue.js";

describe("enqueueTargeted", () => {
  it("refuses a coalescing window Redis cannot hold (SET … PX 0) before it queues anything", async () => {
    let touched = false;
    const untouchable = new Proxy({}, { get: () => (touched = true) }) as unknown;
    await expect(
      enqueueTargeted(
        untouchable as Queue,
        { sourceId: "docs", externalIds: ["a"], receivedAt: 0 },
        { redis: untouchable as RedisClient, keyspace: new RedisKeyspace("t"), coalesceWindowMs: 0 },
      ),
    ).rejects.toThrow(/coalesceWindowMs must be a whole number of milliseconds ≥ 1, got 0/);
    expect(touched).toBe(false);
  });
});
