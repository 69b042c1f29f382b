import { randomUUID } from "node:crypto";
import type { Connector, PushSubscription } from "@content-sync/connectors";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SourceConfig } from "../config/types.js";
import { purgeKeyspace } from "../redis/purge-keyspace.js";
import { createRedisConnection, type RedisClient, resolveRedisUrl } from "../redis/redis-factory.js";
import { RedisKeyspace } from "../redis/redis-keyspace.js";
import { SYNC_QUEUE_NAME } from "./job-catalog.js";
import { PushSubscriptionManager } from "./push-subscriptions.js";

/** A product that hands out subscriptions with a lifetime, and can refuse to. */
class Provider {
  live = new Map<string, { expiresAt: number; url: string; clientState: string }>();
  refuse = false;
  removed: string[] = [];
  private next = 1;

  constructor(
    private readonly now: () => number,
    private readonly lifetimeMs: number,
  ) {}

  handler(): NonNullable<Connector["push"]> {
    return {
      create: async ({ notificationUrl, clientState }) => this.issue(notificationUrl, clientState),
      renew: async (subscription) => {
        if (this.refuse) throw new Error("403 from the product: subscription quota exceeded");
        const current = this.live.get(subscription.id);
        if (!current || current.expiresAt <= this.now()) throw new Error("404: subscription expired");
        current.expiresAt = this.now() + this.lifetimeMs;
        return { id: subscription.id, expiresAt: new Date(current.expiresAt) };
      },
      remove: async (subscription) => {
        this.removed.push(subscription.id);
        this.live.delete(subscription.id);
      },
    };
  }

  private issue(url: string, clientState: string): PushSubscription {
    if (this.refuse) throw new Error("403 from the product: subscription quota exceeded");
    const id = `sub-${this.next++}`;
    const expiresAt = this.now() + this.lifetimeMs;
    this.live.set(id, { expiresAt, url, clientState });
    return { id, expiresAt: new Date(expiresAt) };
  }
}

const source = (id: string, push = true): SourceConfig => ({
  id,
  name: id,
  type: "drive-like",
  enabled: true,
  contentImportSource: { url: `https://${id}.example.test/` },
  availability: { aiAgent: false, aiCopilot: true },
  rules: {},
  transform: {} as SourceConfig["transform"],
  deletion: { maxDeletes: 10, windowMs: 86_400_000 },
  webhook: { secretEnv: "PUSH_SECRET" },
  ...(push
    ? { push: { notificationUrl: `https://sync.example.test/webhooks/${id}`, fallbackEveryMs: 60_000 } }
    : {}),
  concurrency: 2,
  options: {},
});

describe("push subscriptions (real Redis)", () => {
  let redis: RedisClient;
  let keyspace: RedisKeyspace;
  let queue: Queue;
  let now: number;
  let provider: Provider;
  let manager: PushSubscriptionManager;

  beforeAll(() => {
    redis = createRedisConnection({ url: resolveRedisUrl(undefined) });
  });
  beforeEach(() => {
    keyspace = new RedisKeyspace(`cs-test-${randomUUID()}`);
    queue = new Queue(SYNC_QUEUE_NAME, { connection: redis, prefix: keyspace.queuePrefix });
    now = Date.UTC(2026, 11, 1);
    provider = new Provider(() => now, 3 * 86_400_000);
    const handler = provider.handler();
    manager = new PushSubscriptionManager({
      redis,
      keyspace,
      queue,
      connectorFor: () => ({
        listAll: async function* () {},
        fetchByIds: async function* () {},
        push: handler,
      }),
      env: { PUSH_SECRET: "client-state-secret" },
      now: () => now,
    });
  });
  afterEach(async () => {
    await queue.close();
    await purgeKeyspace(redis, keyspace);
  });
  afterAll(async () => {
    await redis.quit();
  });

  const fallbacks = async () =>
    (await queue.getJobSchedulers(0, -1))
      .map((scheduler) => scheduler.id ?? scheduler.key)
      .filter((id) => id.startsWith("push-fallback:"));

  it("subscribes, renews before expiry (not on every tick) and shows expiry and the last notification", async () => {
    await manager.tick([source("drive")]);
    expect([...provider.live.values()]).toEqual([
      {
        expiresAt: now + 3 * 86_400_000,
        url: "https://sync.example.test/webhooks/drive",
        clientState: "client-state-secret",
      },
    ]);
    const first = await manager.status("drive");
    expect(first).toMatchObject({
      state: "active",
      subscriptionId: "sub-1",
      expiresAt: now + 3 * 86_400_000,
    });

    now += 86_400_000; // a third of the lifetime used: nothing to do yet
    await manager.tick([source("drive")]);
    expect((await manager.status("drive"))?.expiresAt).toBe(first?.expiresAt);

    now += 86_400_000; // two thirds used: renewed
    await manager.tick([source("drive")]);
    expect((await manager.status("drive"))?.expiresAt).toBe(now + 3 * 86_400_000);
    await manager.noteNotification("drive");
    expect((await manager.status("drive"))?.lastNotificationAt).toBe(now);
    expect(await fallbacks()).toEqual([]);
  });

  it("falls back to polling, with the reason shown, while it cannot renew; recovers with a new subscription", async () => {
    await manager.tick([source("drive")]);
    provider.refuse = true;
    now += 2.5 * 86_400_000;
    await manager.tick([source("drive")]);
    expect(await manager.status("drive")).toMatchObject({
      state: "failing",
      error: expect.stringContaining("quota exceeded"),
    });
    expect(await fallbacks()).toEqual(["push-fallback:drive"]);
    // The subscription expires meanwhile; once the product accepts again, a new one replaces it.
    now += 86_400_000;
    await manager.tick([source("drive")]);
    provider.refuse = false;
    await manager.tick([source("drive")]);
    expect(await manager.status("drive")).toMatchObject({ state: "active", subscriptionId: "sub-2" });
    expect(await fallbacks()).toEqual([]);
  });

  it("removes the subscription of a source that left the config or stopped asking for push", async () => {
    await manager.tick([source("drive"), source("graph")]);
    expect(provider.live.size).toBe(2);
    await manager.tick([source("graph")], [source("drive"), source("graph")]);
    expect(provider.removed).toEqual(["sub-1"]);
    await manager.tick([source("graph", false)], [source("graph")]);
    expect(provider.removed).toEqual(["sub-1", "sub-2"]);
    expect(await manager.status("graph")).toBeUndefined();
  });

  it("polls instead when the webhook secret (the client state) is not set", async () => {
    const unset = new PushSubscriptionManager({
      redis,
      keyspace,
      queue,
      connectorFor: () => ({
        listAll: async function* () {},
        fetchByIds: async function* () {},
        push: provider.handler(),
      }),
      env: {},
    });
    await unset.tick([source("drive")]);
    expect(await unset.status("drive")).toMatchObject({
      state: "failing",
      error: "the webhook secret PUSH_SECRET is not set",
    });
    expect(provider.live.size).toBe(0);
  });
});
