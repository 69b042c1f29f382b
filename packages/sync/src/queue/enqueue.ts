import { createHash } from "node:crypto";
import { Queue } from "bullmq";
import type { RedisClient } from "../redis/redis-factory.js";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";
import {
  JOB,
  jobOptionsFor,
  SYNC_QUEUE_NAME,
  type SourceRunInput,
  sourceRunDataSchema,
  type TargetedData,
} from "./job-catalog.js";

/** The sync queue on a connection from the factory, under the keyspace's hash-tagged prefix. */
export function createSyncQueue(connection: RedisClient, keyspace: RedisKeyspace): Queue {
  return new Queue(SYNC_QUEUE_NAME, { connection, prefix: keyspace.queuePrefix });
}

/**
 * Enqueues a run outside the schedule (backfill, "sync now"). Returns the job id, which is also the
 * run id shown in the run history.
 */
export async function enqueueSourceRun(queue: Queue, input: SourceRunInput): Promise<string> {
  const data = sourceRunDataSchema.parse(input);
  const jobId = `${data.trigger}-${data.sourceId}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const job = await queue.add(JOB.sourceRun, data, { ...jobOptionsFor(JOB.sourceRun), jobId });
  return String(job.id);
}

/** Default quiet period that ends a burst of webhook events for one document, ms. */
export const DEFAULT_COALESCE_WINDOW_MS = 1_000;

export interface EnqueueTargetedOptions {
  /** Connection for the per-document burst marker. */
  redis: RedisClient;
  keyspace: RedisKeyspace;
  /**
   * How long after the last event of a burst its trailing job runs, ms. Default 1 000. The first
   * event of a quiet document is never delayed.
   */
  coalesceWindowMs?: number;
}

/**
 * Enqueues targeted jobs, one per document, coalesced per document (leading and trailing edge):
 * - the first event for a document that has been quiet runs at once (no debounce delay);
 * - events arriving within the window after it collapse into ONE trailing job (BullMQ deduplication
 *   in debounce mode: each event replaces the delayed job and pushes it back), which runs once the
 *   burst has been quiet for the window and fetches the document then, so it sees the final version.
 * A burst therefore costs at most two writes. The handler serialises jobs of one document, so the
 * trailing job never races the leading one. Returns the ids of the jobs added or joined.
 */
export async function enqueueTargeted(
  queue: Queue,
  data: TargetedData,
  options: EnqueueTargetedOptions,
): Promise<string[]> {
  const windowMs = options.coalesceWindowMs ?? DEFAULT_COALESCE_WINDOW_MS;
  if (!Number.isInteger(windowMs) || windowMs < 1) {
    // Redis refuses `SET … PX 0`; a window is needed to tell a burst from a lone event.
    throw new RangeError(`coalesceWindowMs must be a whole number of milliseconds ≥ 1, got ${windowMs}`);
  }
  const { redis, keyspace } = options;
  const ids: string[] = [];
  for (const externalId of data.externalIds) {
    const single: TargetedData = {
      sourceId: data.sourceId,
      externalIds: [externalId],
      receivedAt: data.receivedAt,
      ...(data.deletedByWebhook?.includes(externalId) ? { deletedByWebhook: [externalId] } : {}),
    };
    const digest = createHash("sha1").update(externalId).digest("hex");
    const marker = keyspace.burstMarker(data.sourceId, digest);
    // The marker outlives the burst by one window; while it exists, events feed the trailing job.
    const leading = (await redis.set(marker, "1", "PX", windowMs, "NX")) === "OK";
    if (!leading) await redis.pexpire(marker, windowMs);
    const job = leading
      ? await queue.add(JOB.targeted, single, jobOptionsFor(JOB.targeted))
      : await queue.add(JOB.targeted, single, {
          ...jobOptionsFor(JOB.targeted),
          delay: windowMs,
          deduplication: {
            id: `trailing:${data.sourceId}:${digest}`,
            ttl: windowMs,
            extend: true,
            replace: true,
          },
        });
    ids.push(String(job.id));
  }
  return ids;
}
