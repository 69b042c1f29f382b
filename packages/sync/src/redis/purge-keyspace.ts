import { dataNodes, type RedisClient } from "./redis-factory.js";
import type { RedisKeyspace } from "./redis-keyspace.js";

/**
 * Deletes every key under the keyspace's prefix (state, locks, limiter, BullMQ queues). Meant for
 * tests and for tearing down an installation; it scans (every master of a cluster), so it never blocks
 * Redis on a large keyspace. Returns the number of keys removed.
 */
export async function purgeKeyspace(redis: RedisClient, keyspace: RedisKeyspace): Promise<number> {
  let removed = 0;
  // SCAN's MATCH treats `[`, `*`, `?` and `\` specially.
  const pattern = `${keyspace.prefix.replace(/([*?[\]\\])/g, "\\$1")}:*`;
  for (const node of dataNodes(redis)) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      // One UNLINK per key: keys of different slots may not share a command on a cluster.
      for (const key of keys) removed += await node.unlink(key);
    } while (cursor !== "0");
  }
  return removed;
}
