import type { Redis } from "ioredis";
import type { RedisKeyspace } from "./redis-keyspace.js";

/**
 * Deletes every key under the keyspace's prefix (state, locks, limiter, BullMQ queues). Meant for
 * tests and for tearing down an installation; it scans, so it never blocks Redis on a large keyspace.
 * Returns the number of keys removed.
 */
export async function purgeKeyspace(redis: Redis, keyspace: RedisKeyspace): Promise<number> {
  let removed = 0;
  let cursor = "0";
  // SCAN's MATCH treats `[`, `*`, `?` and `\` specially; braces are literal.
  const pattern = `${keyspace.prefix.replace(/([*?[\]\\])/g, "\\$1")}*`;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== "0");
  return removed;
}
