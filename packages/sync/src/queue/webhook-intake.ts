import { createHash } from "node:crypto";
import type { Connector, WebhookEvents, WebhookHandler, WebhookRequest } from "@content-sync/connectors";
import { isWebhookPayloadError, isWebhookVerificationError } from "@content-sync/connectors";
import type { Queue } from "bullmq";
import type { RedisClient as Redis } from "../redis/redis-factory.js";
import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";
import { DEFAULT_COALESCE_WINDOW_MS, enqueueTargeted } from "./enqueue.js";
import { JOB, jobOptionsFor, type SourceRunData } from "./job-catalog.js";

export interface WebhookIntakeOptions {
  queue: Queue;
  redis: Redis;
  keyspace: RedisKeyspace;
  /** Quiet period ending a burst of events for one document, ms (see enqueueTargeted). */
  coalesceWindowMs?: number;
  /** Current sources by id (follows config reloads). */
  sources: () => ReadonlyMap<string, SourceConfig>;
  /** The source's connector (cached by the caller). */
  connectorFor: (source: SourceConfig) => Connector;
  /** Where the secret env vars named by `webhook.secretEnv` are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Called once a notification passed verification (push sources record their last notification). */
  onVerified?: (sourceId: string) => Promise<void> | void;
  /**
   * How long a verified delivery is remembered, ms: the same signed request again within it is
   * answered as a duplicate and queues nothing. Must outlast every connector's timestamp tolerance
   * (a replay older than that fails verification anyway). Default 24 h.
   */
  replayWindowMs?: number;
  /** Clock handed to the connector's timestamp check. Default the system clock. */
  now?: () => Date;
  logger?: Logger;
}

/** The HTTP request as the server received it: raw bytes, lower-cased headers, query. */
export interface IncomingWebhook {
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
  query: Readonly<Record<string, string | undefined>>;
  /** HTTP method as received; schemes that sign the request line (Contentful) need it. */
  method?: string;
  /** Request target as received, path plus query string. */
  path?: string;
}

/** What to answer. `enqueued` counts targeted jobs (coalesced jobs count too). */
export interface WebhookAnswer {
  status: number;
  body: string;
  contentType: string;
  enqueued: number;
  /**
   * From a handshake that carries a secret for the operator (Notion's verification token): for
   * the admin-only status, never for the sender or a log.
   */
  adminNotice?: { message: string; secret: string };
}

const json = (status: number, body: object, enqueued = 0): WebhookAnswer => ({
  status,
  body: JSON.stringify(body),
  contentType: "application/json; charset=utf-8",
  enqueued,
});

/**
 * Handles `POST /webhooks/:sourceId` without depending on an HTTP framework: handshake if the connector
 * defines one, then verification over the raw bytes BEFORE any parsing, then parsing, then one
 * coalesced targeted job per changed or deleted document. Nothing is enqueued on any rejection.
 */
export async function receiveWebhook(
  options: WebhookIntakeOptions,
  sourceId: string,
  incoming: IncomingWebhook,
): Promise<WebhookAnswer> {
  const logger = options.logger ?? pino({ level: "silent" });
  const source = options.sources().get(sourceId);
  if (!source?.enabled) return json(404, { error: `unknown source "${sourceId}"` });
  if (!source.webhook) return json(404, { error: `source "${sourceId}" has no webhook configured` });
  const connector = options.connectorFor(source);
  const handler = connector.webhook;
  if (!handler)
    return json(404, { error: `the ${source.type} connector of "${sourceId}" does not receive webhooks` });

  const request: WebhookRequest = {
    headers: incoming.headers,
    rawBody: incoming.rawBody,
    query: incoming.query,
    ...(incoming.method !== undefined ? { method: incoming.method } : {}),
    ...(incoming.path !== undefined ? { path: incoming.path } : {}),
    secret: options.env[source.webhook.secretEnv] || undefined,
    now: (options.now ?? (() => new Date()))(),
  };
  const handshake = handler.handshake?.(request);
  if (handshake) {
    if (handshake.adminNotice) {
      logger.warn(
        { sourceId },
        "webhook handshake carried a secret for the admin: shown on the admin status page",
      );
    }
    return {
      status: handshake.status,
      body: handshake.body,
      contentType: handshake.contentType ?? "text/plain",
      enqueued: 0,
      ...(handshake.adminNotice ? { adminNotice: handshake.adminNotice } : {}),
    };
  }
  try {
    handler.verify(request);
  } catch (error) {
    if (isWebhookVerificationError(error)) {
      logger.warn({ sourceId, reason: error.message }, "webhook rejected: verification failed");
      return json(401, { error: "webhook verification failed" });
    }
    throw error;
  }
  const delivery = handler.deliveryId?.(request);
  const marker =
    delivery === undefined ? undefined : deliveryMarker(options, sourceId, delivery, incoming.rawBody);
  if (marker !== undefined && !(await claimDelivery(options, marker))) {
    logger.warn({ sourceId }, "webhook ignored: the same signed delivery was already received");
    return json(200, { accepted: 0, duplicate: true });
  }
  // A delivery that is not taken (its body not understood, the queue unreachable) is not marked as
  // received: the product's retry, or the same request sent again, must get through.
  let answer: WebhookAnswer;
  try {
    answer = await acceptVerified(options, sourceId, handler, request, logger);
  } catch (error) {
    if (marker !== undefined) await options.redis.del(marker).catch(() => undefined);
    throw error;
  }
  if (marker !== undefined && answer.status >= 400) await options.redis.del(marker);
  return answer;
}

/** A verified delivery: parse it, then queue what it names. */
async function acceptVerified(
  options: WebhookIntakeOptions,
  sourceId: string,
  handler: WebhookHandler,
  request: WebhookRequest,
  logger: Logger,
): Promise<WebhookAnswer> {
  await options.onVerified?.(sourceId);
  let events: WebhookEvents;
  try {
    events = handler.parse(request);
  } catch (error) {
    if (isWebhookPayloadError(error))
      return json(400, { error: `webhook payload not understood: ${error.message}` });
    throw error;
  }
  const ids = [...new Set([...events.changed, ...events.deleted])];
  if (events.resync === true && ids.length === 0) {
    await enqueueResync(options, sourceId);
    logger.debug({ sourceId }, "notification accepted: incremental run queued");
    return json(202, { accepted: 0, resync: true }, 1);
  }
  if (ids.length === 0) return json(202, { accepted: 0 });
  const jobs = await enqueueTargeted(
    options.queue,
    { sourceId, externalIds: ids, receivedAt: Date.now(), deletedByWebhook: events.deleted },
    { redis: options.redis, keyspace: options.keyspace, coalesceWindowMs: options.coalesceWindowMs },
  );
  logger.debug({ sourceId, documents: ids.length }, "webhook accepted");
  return json(202, { accepted: ids.length }, jobs.length);
}

/** The default of `replayWindowMs`: longer than any product's signature timestamp tolerance. */
const DEFAULT_REPLAY_WINDOW_MS = 24 * 3_600_000;

/** The Redis key of one delivery: a digest of the connector's delivery id and the body, so neither is stored. */
function deliveryMarker(
  options: WebhookIntakeOptions,
  sourceId: string,
  delivery: string,
  rawBody: Buffer,
): string {
  const digest = createHash("sha256").update(delivery).update("\n").update(rawBody).digest("hex");
  return options.keyspace.webhookDelivery(sourceId, digest);
}

/** Records the verified delivery (SET NX with a TTL) and says whether it is the first time. */
async function claimDelivery(options: WebhookIntakeOptions, marker: string): Promise<boolean> {
  const ttl = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  return (await options.redis.set(marker, "1", "PX", ttl, "NX")) === "OK";
}

/**
 * Queues an incremental run for a notification that names no documents (Graph, Drive). A burst of
 * notifications collapses into one run: the first one queues it, delayed by the coalescing window, and
 * the others within that window join it (BullMQ's deduplication id for the source, alive as long as
 * the window). A notification after the window queues the next run, which waits for this one.
 */
async function enqueueResync(options: WebhookIntakeOptions, sourceId: string): Promise<void> {
  const windowMs = options.coalesceWindowMs ?? DEFAULT_COALESCE_WINDOW_MS;
  const data: SourceRunData = { sourceId, mode: "incremental", trigger: "push" };
  await options.queue.add(JOB.sourceRun, data, {
    ...jobOptionsFor(JOB.sourceRun),
    jobId: `push-${sourceId}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    delay: windowMs,
    deduplication: { id: `push:${sourceId}`, ttl: windowMs },
  });
}
