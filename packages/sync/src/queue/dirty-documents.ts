import { enqueueTargeted } from "./enqueue.js";
import type { HandlerContext } from "./handler-context.js";

/**
 * A run in progress may have loaded an older version of documents a webhook just changed; they are
 * marked while the run holds the source and checked once more when it releases it, so the newest
 * version wins.
 */
export async function markDirtyDocuments(
  context: HandlerContext,
  sourceId: string,
  externalIds: readonly string[],
): Promise<void> {
  if (externalIds.length > 0)
    await context.redis.sadd(context.keyspace.dirtyDocuments(sourceId), ...externalIds);
}

/** After a run released its source, documents touched by webhooks during it are checked once more. */
export async function requeueDirtyDocuments(context: HandlerContext, sourceId: string): Promise<void> {
  const key = context.keyspace.dirtyDocuments(sourceId);
  const [[, members]] = (await context.redis.multi().smembers(key).del(key).exec()) as [
    [Error | null, string[]],
    unknown,
  ];
  for (const externalId of members ?? []) {
    await enqueueTargeted(
      context.queue,
      { sourceId, externalIds: [externalId], receivedAt: Date.now() },
      { redis: context.redis, keyspace: context.keyspace },
    );
  }
}
