import type { Connector, PushSubscription } from "@content-sync/connectors";
import type { Queue } from "bullmq";
import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { RedisClient } from "../redis/redis-factory.js";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";
import { JOB, jobOptionsFor, type SourceRunData } from "./job-catalog.js";

/** What the status page shows about one source's push subscription. */
export interface PushStatus {
  sourceId: string;
  /** `active`: delivering; `failing`: could not be created or renewed, polling instead. */
  state: "active" | "failing";
  subscriptionId?: string;
  expiresAt?: number;
  lastNotificationAt?: number;
  /** Why it is failing (never a secret). */
  error?: string;
}

export interface PushSubscriptionManagerOptions {
  redis: RedisClient;
  keyspace: RedisKeyspace;
  queue: Queue;
  connectorFor: (source: SourceConfig) => Connector;
  /** Where webhook secrets (the subscriptions' client state) are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Renew when less than this share of the subscription's lifetime is left. Default 0.5. */
  renewWhenLeft?: number;
  /** Renew at the latest this long before expiry, ms. Default 3 600 000. */
  renewMarginMs?: number;
  now?: () => number;
  logger?: Logger;
}

/** Job schedulers that poll a source while its push subscription is failing. */
const FALLBACK_PREFIX = "push-fallback:";

interface Stored {
  subscription?: PushSubscription & { createdAt: number };
  state: "active" | "failing";
  error?: string;
}

/**
 * Keeps push subscriptions alive. Graph subscriptions and Drive channels expire (hours to days) and
 * then stop silently, so every tick (the scheduler runs one a minute) it: creates a subscription for
 * each source that asks for push and has none; renews one whose remaining lifetime passed the
 * threshold; removes the subscriptions of sources that left the config. While a subscription cannot
 * be created or renewed, the source is polled by a fallback job scheduler, with a warning, until it can.
 */
export class PushSubscriptionManager {
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: PushSubscriptionManagerOptions) {
    this.logger = options.logger ?? pino({ level: "silent" });
    this.now = options.now ?? Date.now;
  }

  /**
   * One pass over the sources. `previous` are the sources of the config before a reload: those that
   * left (or stopped asking for push) have their subscriptions removed at the product.
   */
  async tick(
    sources: readonly SourceConfig[],
    previous: readonly SourceConfig[] = [],
    signal: AbortSignal = new AbortController().signal,
  ): Promise<void> {
    const wanted = new Map<string, SourceConfig>();
    for (const source of sources) if (source.enabled && source.push) wanted.set(source.id, source);
    for (const source of wanted.values()) await this.keep(source, signal);
    await this.removeLeftovers(wanted, [...sources, ...previous], signal);
  }

  /** Records that a notification arrived (the webhook intake calls this for push sources). */
  async noteNotification(sourceId: string): Promise<void> {
    await this.options.redis.hset(
      this.options.keyspace.pushSubscription(sourceId),
      "lastNotificationAt",
      String(this.now()),
    );
  }

  async status(sourceId: string): Promise<PushStatus | undefined> {
    const raw = await this.options.redis.hgetall(this.options.keyspace.pushSubscription(sourceId));
    if (raw.state === undefined) return undefined;
    const stored = parse(raw);
    return {
      sourceId,
      state: stored.state,
      ...(stored.subscription
        ? {
            subscriptionId: stored.subscription.id,
            expiresAt: new Date(stored.subscription.expiresAt).getTime(),
          }
        : {}),
      ...(raw.lastNotificationAt ? { lastNotificationAt: Number(raw.lastNotificationAt) } : {}),
      ...(stored.error ? { error: stored.error } : {}),
    };
  }

  private async keep(source: SourceConfig, signal: AbortSignal): Promise<void> {
    const push = source.push;
    const handler = this.options.connectorFor(source).push;
    const key = this.options.keyspace.pushSubscription(source.id);
    if (!push) return;
    if (!handler) {
      await this.fail(source, `the ${source.type} connector has no push notifications`);
      return;
    }
    const clientState = source.webhook ? this.options.env[source.webhook.secretEnv] : undefined;
    if (!clientState) {
      await this.fail(source, `the webhook secret ${source.webhook?.secretEnv ?? "(none)"} is not set`);
      return;
    }
    const stored = parse(await this.options.redis.hgetall(key));
    const params = { notificationUrl: push.notificationUrl, clientState, signal };
    try {
      let next: PushSubscription | undefined;
      if (!stored.subscription) next = await handler.create(params);
      else if (this.dueForRenewal(stored.subscription))
        next = await handler.renew(stored.subscription, params);
      if (next) {
        await this.options.redis.hset(key, {
          subscription: JSON.stringify({ ...next, createdAt: this.now() }),
          state: "active",
        });
        await this.options.redis.hdel(key, "error");
        this.logger.info(
          { sourceId: source.id, subscriptionId: next.id, expiresAt: next.expiresAt },
          "push subscription in place",
        );
      } else if (stored.state === "failing") {
        await this.options.redis.hset(key, "state", "active");
      }
      await this.options.queue.removeJobScheduler(`${FALLBACK_PREFIX}${source.id}`);
    } catch (error) {
      if (signal.aborted) throw error;
      // An expired subscription delivers nothing: forget it, so the next tick creates a new one.
      if (stored.subscription && new Date(stored.subscription.expiresAt).getTime() <= this.now()) {
        await this.options.redis.hdel(key, "subscription");
      }
      await this.fail(source, (error as Error).message);
    }
  }

  private dueForRenewal(subscription: PushSubscription & { createdAt: number }): boolean {
    const expiresAt = new Date(subscription.expiresAt).getTime();
    const lifetime = Math.max(0, expiresAt - subscription.createdAt);
    const left = expiresAt - this.now();
    return (
      left <= lifetime * (1 - (this.options.renewWhenLeft ?? 0.5)) ||
      left <= (this.options.renewMarginMs ?? 3_600_000)
    );
  }

  private async fail(source: SourceConfig, reason: string): Promise<void> {
    const key = this.options.keyspace.pushSubscription(source.id);
    await this.options.redis.hset(key, { state: "failing", error: reason });
    const every = source.push?.fallbackEveryMs ?? 15 * 60_000;
    const data: SourceRunData = { sourceId: source.id, mode: "incremental", trigger: "schedule" };
    await this.options.queue.upsertJobScheduler(
      `${FALLBACK_PREFIX}${source.id}`,
      { every },
      {
        name: JOB.sourceRun,
        data,
        opts: jobOptionsFor(JOB.sourceRun),
      },
    );
    this.logger.warn(
      { sourceId: source.id, reason, pollEveryMs: every },
      "push subscription unavailable: polling instead",
    );
  }

  private async removeLeftovers(
    wanted: ReadonlyMap<string, SourceConfig>,
    sources: readonly SourceConfig[],
    signal: AbortSignal,
  ): Promise<void> {
    for (const scheduler of await this.options.queue.getJobSchedulers(0, -1)) {
      const id = scheduler.id ?? scheduler.key;
      if (id.startsWith(FALLBACK_PREFIX) && !wanted.has(id.slice(FALLBACK_PREFIX.length))) {
        await this.options.queue.removeJobScheduler(id);
      }
    }
    // A source that left, or no longer asks for push, loses its subscription (with its old options).
    const done = new Set<string>();
    for (const source of sources) {
      if (wanted.has(source.id) || done.has(source.id) || !source.push) continue;
      done.add(source.id);
      if ((await this.options.redis.exists(this.options.keyspace.pushSubscription(source.id))) === 1) {
        await this.removeSubscription(source, signal);
      }
    }
  }

  /** Removes a source's subscription at the product and forgets it (a source that left the config). */
  async removeSubscription(
    source: SourceConfig,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<void> {
    const key = this.options.keyspace.pushSubscription(source.id);
    const stored = parse(await this.options.redis.hgetall(key));
    if (stored.subscription) {
      try {
        await this.options.connectorFor(source).push?.remove(stored.subscription, signal);
      } catch (error) {
        this.logger.warn(
          { sourceId: source.id, err: (error as Error).message },
          "could not remove the push subscription; it expires by itself",
        );
      }
    }
    await this.options.redis.del(key);
  }
}

function parse(raw: Record<string, string>): Stored {
  let subscription: Stored["subscription"];
  if (raw.subscription) {
    try {
      subscription = JSON.parse(raw.subscription) as Stored["subscription"];
    } catch {
      subscription = undefined;
    }
  }
  return {
    state: raw.state === "failing" ? "failing" : "active",
    ...(subscription ? { subscription } : {}),
    ...(raw.error ? { error: raw.error } : {}),
  };
}
