import { createHmac, randomUUID } from "node:crypto";
import { ghostConnector } from "@content-sync/connectors";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { SourceConfig } from "../config/types.js";
import { purgeKeyspace } from "../redis/purge-keyspace.js";
import { createRedisConnection, resolveRedisUrl } from "../redis/redis-factory.js";
import { RedisKeyspace } from "../redis/redis-keyspace.js";
import { createSyncQueue } from "./enqueue.js";
import { type IncomingWebhook, receiveWebhook } from "./webhook-intake.js";

const SECRET = "intake-replay-test-secret";
const redis = createRedisConnection({ url: resolveRedisUrl(undefined) });
const keyspace = new RedisKeyspace(`cs-intake-${randomUUID()}`);
const queue = createSyncQueue(redis, keyspace);
const env = { INTAKE_GHOST_SECRET: SECRET, INTAKE_GHOST_KEY: "unused-content-key" };
const source: SourceConfig = {
  id: "intake-ghost",
  name: "intake-ghost",
  type: "ghost",
  enabled: true,
  contentImportSource: { url: "https://blog.example.com/intake" },
  availability: { aiAgent: false, aiCopilot: true },
  rules: {},
  transform: {},
  deletion: { maxDeletes: 10, windowMs: 86_400_000 },
  concurrency: 1,
  webhook: { secretEnv: "INTAKE_GHOST_SECRET" },
  options: ghostConnector.optionsSchema.parse({
    apiUrl: "http://127.0.0.1:9/",
    contentApiKeyEnv: "INTAKE_GHOST_KEY",
  }),
};
const connector = ghostConnector.create(source.options as never, {
  sourceId: source.id,
  logger: pino({ level: "silent" }),
  env,
});

/** A Ghost delivery signed as Ghost signs it (hex HMAC-SHA256 of the raw body then `t`, in ms). */
function signed(raw: string, t: number): IncomingWebhook {
  const digest = createHmac("sha256", SECRET).update(`${raw}${t}`).digest("hex");
  return {
    headers: { "content-type": "application/json", "x-ghost-signature": `sha256=${digest}, t=${t}` },
    rawBody: Buffer.from(raw),
    query: {},
    method: "POST",
    path: `/webhooks/${source.id}`,
  };
}

const intake = (replayWindowMs?: number) => ({
  queue,
  redis,
  keyspace,
  coalesceWindowMs: 100,
  sources: () => new Map([[source.id, source]]),
  connectorFor: () => connector,
  env,
  ...(replayWindowMs !== undefined ? { replayWindowMs } : {}),
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await purgeKeyspace(redis, keyspace);
  await redis.quit();
});

describe("receiveWebhook replay guard", () => {
  it("takes a signed delivery once: the same request again within the tolerance queues nothing", async () => {
    const raw = JSON.stringify({ post: { current: { id: "replayed-post" }, previous: {} } });
    const delivery = signed(raw, Date.now());
    const first = await receiveWebhook(intake(), source.id, delivery);
    expect(first).toMatchObject({ status: 202, enqueued: 1 });
    const replay = await receiveWebhook(intake(), source.id, delivery);
    expect(replay).toMatchObject({ status: 200, enqueued: 0 });
    expect(JSON.parse(replay.body)).toEqual({ accepted: 0, duplicate: true });
  });

  it("a new delivery of the same body (a new signature timestamp) is a new event and is queued", async () => {
    const raw = JSON.stringify({ post: { current: { id: "edited-twice" }, previous: {} } });
    const now = Date.now();
    expect(await receiveWebhook(intake(), source.id, signed(raw, now))).toMatchObject({ status: 202 });
    expect(await receiveWebhook(intake(), source.id, signed(raw, now + 1))).toMatchObject({ status: 202 });
  });

  it("forgets a delivery once the replay window has passed (the key's TTL)", async () => {
    const raw = JSON.stringify({ post: { current: { id: "short-window" }, previous: {} } });
    const delivery = signed(raw, Date.now());
    expect(await receiveWebhook(intake(50), source.id, delivery)).toMatchObject({ status: 202 });
    const keys = await redis.keys(`${keyspace.prefix}:*webhook-delivery*`);
    expect(keys.length).toBeGreaterThan(0);
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
    // Every marker expires (none is kept for ever), and the last one within its 50 ms window.
    expect(ttls.every((ttl) => ttl > 0)).toBe(true);
    expect(Math.min(...ttls)).toBeLessThanOrEqual(50);
  });

  it("an unverified request leaves no marker, so it cannot block the genuine delivery", async () => {
    const raw = JSON.stringify({ post: { current: { id: "forged-first" }, previous: {} } });
    const t = Date.now();
    const forged = signed(raw, t);
    const bad = {
      ...forged,
      headers: { ...forged.headers, "x-ghost-signature": `sha256=${"0".repeat(64)}, t=${t}` },
    };
    expect(await receiveWebhook(intake(), source.id, bad)).toMatchObject({ status: 401, enqueued: 0 });
    expect(await receiveWebhook(intake(), source.id, forged)).toMatchObject({ status: 202, enqueued: 1 });
  });

  it("a verified delivery that was not taken (body not understood) is not marked as received", async () => {
    const t = Date.now();
    const delivery = signed("{not json", t);
    expect(await receiveWebhook(intake(), source.id, delivery)).toMatchObject({ status: 400, enqueued: 0 });
    // Sent again, it is judged again (400), not waved through as a duplicate (200).
    expect(await receiveWebhook(intake(), source.id, delivery)).toMatchObject({ status: 400, enqueued: 0 });
  });

  it("a delivery whose queueing failed gets through when the product retries it", async () => {
    const raw = JSON.stringify({ post: { current: { id: "queue-down-first" }, previous: {} } });
    const delivery = signed(raw, Date.now());
    // The queue refuses the job as BullMQ does when its connection is gone.
    const unreachable = new Proxy(queue, {
      get: (target, property, receiver) =>
        property === "add"
          ? () => Promise.reject(new Error("Connection is closed."))
          : Reflect.get(target, property, receiver),
    });
    await expect(receiveWebhook({ ...intake(), queue: unreachable }, source.id, delivery)).rejects.toThrow(
      "Connection is closed.",
    );
    expect(await receiveWebhook(intake(), source.id, delivery)).toMatchObject({ status: 202, enqueued: 1 });
    expect(await receiveWebhook(intake(), source.id, delivery)).toMatchObject({ status: 200, enqueued: 0 });
  });
});
