import type { ConnectorRegistry, RequestRate } from "@content-sync/connectors";
import { IntercomClient } from "@content-sync/intercom";
import type { Queue } from "bullmq";
import type { Logger } from "pino";
import { pino } from "pino";
import type { ContentSyncConfig, SourceConfig } from "../config/types.js";
import { ApiCallCounter } from "../engine/api-call-counter.js";
import { createRedisConnection, type RedisClient, resolveRedisUrl } from "../redis/redis-factory.js";
import { RedisKeyspace } from "../redis/redis-keyspace.js";
import { RedisRateLimiter } from "../redis/redis-rate-limiter.js";
import { RedisRequestBudget } from "../redis/redis-request-budget.js";
import { RedisStateStore } from "../redis/redis-state-store.js";
import { ConnectorCache } from "./connector-cache.js";
import { EngineAdapter } from "./engine-adapter.js";
import { createSyncQueue } from "./enqueue.js";
import { KeyspaceEpoch } from "./keyspace-epoch.js";
import type { PushSubscriptionManager } from "./push-subscriptions.js";
import { RedisLease } from "./lease.js";
import { RunLedger } from "./run-ledger.js";

/** The services cannot start: a clear, single-cause message (missing token, bad Redis URL…). */
export class ServiceSetupError extends Error {
  override readonly name = "ServiceSetupError";
}

export const isServiceSetupError = (error: unknown): error is ServiceSetupError =>
  error instanceof ServiceSetupError;

export interface ServiceContextOptions {
  config: ContentSyncConfig;
  registry: ConnectorRegistry;
  /** Environment for REDIS_URL, the Intercom token and connector credentials. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Who is connecting, shown in Redis `CLIENT LIST`. */
  role: string;
  logger?: Logger;
}

/**
 * What the scheduler and the workers share: one Redis connection from the factory, the keyspace, the
 * sync queue, the state store, the run ledger, the keyspace epoch, and the current sources (swapped on
 * config reload).
 */
export class ServiceContext {
  readonly connection: RedisClient;
  readonly keyspace: RedisKeyspace;
  readonly queue: Queue;
  readonly state: RedisStateStore;
  readonly ledger: RunLedger;
  readonly epoch: KeyspaceEpoch;
  /** Push subscriptions, once a scheduler runs in this process (webhooks note notifications on it). */
  push: PushSubscriptionManager | undefined;
  readonly connectors: ConnectorCache;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly registry: ConnectorRegistry;
  private current: ContentSyncConfig;
  private byId: ReadonlyMap<string, SourceConfig>;

  constructor(options: ServiceContextOptions) {
    this.env = options.env ?? process.env;
    this.logger = options.logger ?? pino({ level: "silent" });
    this.registry = options.registry;
    this.current = options.config;
    this.byId = indexSources(options.config);
    this.keyspace = new RedisKeyspace(options.config.redis.keyPrefix);
    try {
      this.connection = createRedisConnection({
        url: resolveRedisUrl(options.config.redis.url, this.env),
        cluster: options.config.redis.cluster,
        connectionName: `content-sync:${options.role}`,
        logger: this.logger,
      });
    } catch (error) {
      throw new ServiceSetupError((error as Error).message, { cause: error });
    }
    this.queue = createSyncQueue(this.connection, this.keyspace);
    this.state = new RedisStateStore({ redis: this.connection, keyspace: this.keyspace });
    this.ledger = new RunLedger(this.connection, this.keyspace);
    this.epoch = new KeyspaceEpoch(this.connection, this.keyspace, this.logger.child({ module: "epoch" }));
    this.connectors = new ConnectorCache(options.registry, this.env, this.logger, this.budgets);
  }

  get config(): ContentSyncConfig {
    return this.current;
  }

  /** The current sources by id; pass `() => context.sources()` to anything that outlives a reload. */
  sources(): ReadonlyMap<string, SourceConfig> {
    return this.byId;
  }

  /** Each source's request budget is one Redis token bucket, shared by the whole fleet. */
  readonly budgets = (sourceId: string, rate: RequestRate) =>
    new RedisRequestBudget({ redis: this.connection, keyspace: this.keyspace, sourceId, rate });

  /** The run holding a source right now, if any. */
  async runHolding(sourceId: string): Promise<string | undefined> {
    return new RedisLease(this.connection, this.keyspace.sourceLock(sourceId), 1).holder();
  }

  replaceConfig(config: ContentSyncConfig): void {
    this.current = config;
    this.byId = indexSources(config);
  }

  /** True when Redis answers PING within `timeoutMs`. */
  async redisReachable(timeoutMs = 1_000): Promise<boolean> {
    if (this.connection.status !== "ready") return false;
    // A Cluster answers PING from any node; what matters is that it is connected (`ready`).
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    const ping = this.connection.ping().then(
      (answer) => answer === "PONG",
      () => false,
    );
    return Promise.race([ping, timeout]);
  }

  /**
   * The engine for this process's workers: Redis state, the fleet rate limiter (a 429 rate-limits the
   * whole queue), and an Intercom client counting its calls in the ledger.
   */
  createEngine(): { engine: EngineAdapter; limiter: RedisRateLimiter } {
    const { intercom } = this.current;
    const token = this.env[intercom.tokenEnv];
    if (intercom.target === "sandbox") {
      throw new ServiceSetupError(
        "intercom.target: sandbox embeds a sandbox in one inline run; workers share one Intercom: set intercom.target: intercom with intercom.baseUrl pointing at `content-sync sandbox` for a local fleet",
      );
    }
    if (!token) {
      throw new ServiceSetupError(
        `the worker needs an Intercom access token in the env var ${intercom.tokenEnv}` +
          " (the embedded sandbox is for inline CLI runs; for a local fleet start `content-sync sandbox` and set intercom.baseUrl)",
      );
    }
    const limiter = new RedisRateLimiter({
      redis: this.connection,
      keyspace: this.keyspace,
      logger: this.logger,
      onBlock: (waitMs) => this.queue.rateLimit(waitMs),
    });
    const apiCalls = new ApiCallCounter();
    const client = new IntercomClient({
      token,
      region: intercom.region,
      baseUrl: intercom.baseUrl,
      rateLimiter: limiter,
      logger: this.logger,
      onResponse: (info) => {
        apiCalls.onResponse(info);
        this.ledger.countIntercomCall(info.status, info.durationMs).catch(() => undefined);
      },
    });
    const engine = new EngineAdapter({
      registry: this.registry,
      client,
      state: this.state,
      env: this.env,
      apiCalls,
      logger: this.logger,
      // One budget per source for the whole fleet: workers share the product's rate through Redis.
      budgets: (sourceId, rate) =>
        new RedisRequestBudget({ redis: this.connection, keyspace: this.keyspace, sourceId, rate }),
    });
    return { engine, limiter };
  }

  async close(): Promise<void> {
    await this.connectors.close();
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

function indexSources(config: ContentSyncConfig): ReadonlyMap<string, SourceConfig> {
  return new Map(config.sources.map((source) => [source.id, source]));
}
