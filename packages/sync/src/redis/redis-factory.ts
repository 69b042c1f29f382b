import { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import { pino } from "pino";

/** Where the services find Redis when neither the config nor the environment says otherwise. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. Default {@link DEFAULT_REDIS_URL}. */
  url?: string;
  /** Shown in `CLIENT LIST` so an operator can tell the scheduler's connections from a worker's. */
  connectionName?: string;
  /** Injected logger; default silent. Connection errors are logged at warn without the URL's password. */
  logger?: Logger;
  /**
   * Longest pause between reconnect attempts, in ms. Default 5 000. Reconnects never give up: a
   * worker outlives a Redis restart instead of exiting.
   */
  maxReconnectDelayMs?: number;
  /** Connect on first command instead of at construction. Default false. */
  lazyConnect?: boolean;
  /**
   * Talk to a Redis Cluster: `url` names one seed node (several may be given comma-separated), the
   * client discovers the rest and follows slot moves and failovers. Default false.
   */
  cluster?: boolean;
  /**
   * Cluster only: how long a command keeps retrying while its slot has no reachable master (a master
   * died and its replica is not elected yet), in ms. Default {@link CLUSTER_FAILOVER_PATIENCE_MS}.
   */
  clusterFailoverPatienceMs?: number;
}

/**
 * A dead master's replica takes over only after `cluster-node-timeout` (15 s by default) and an
 * election; ioredis's own defaults (16 redirections, 100 ms apart) give up after about 1.6 s, so every
 * state write and job update in that window failed (documents recorded as failed, runs partial).
 * Twice the default node timeout covers a default cluster's failover with room to spare.
 */
export const CLUSTER_FAILOVER_PATIENCE_MS = 30_000;
/** The pause between retries while a slot's master is unreachable or the cluster is down. */
const CLUSTER_RETRY_DELAY_MS = 250;
/** A pause before following MOVED too, so a redirection loop during a failover cannot use up the retries at once. */
const CLUSTER_MOVED_DELAY_MS = 50;

/** A connection from the factory: one Redis server, or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * The URL the services use: `REDIS_URL` from the environment wins over the config's `redis.url`, so
 * one config file serves a laptop and a cluster deployment alike.
 */
export function resolveRedisUrl(
  configUrl: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const fromEnv = env.REDIS_URL?.trim();
  if (fromEnv) return fromEnv;
  return configUrl ?? DEFAULT_REDIS_URL;
}

/** The URL with any password replaced, for logs and error messages. */
export function redactRedisUrl(url: string): string {
  return url
    .split(",")
    .map((item) => {
      try {
        const parsed = new URL(item.trim());
        if (parsed.password) parsed.password = "***";
        return parsed.toString();
      } catch {
        return "<unparseable redis url>";
      }
    })
    .join(",");
}

/**
 * The one place connections are made. BullMQ needs `maxRetriesPerRequest: null` (its blocking
 * commands must wait through reconnects rather than fail after a fixed number of retries), and every
 * other user (state store, limiter, locks) benefits from the same patience during a Redis restart.
 */
export function createRedisConnection(options: RedisConnectionOptions = {}): RedisClient {
  const logger = options.logger ?? pino({ level: "silent" });
  const url = options.url ?? DEFAULT_REDIS_URL;
  const maxDelay = options.maxReconnectDelayMs ?? 5_000;
  const seeds = (options.cluster ? url.split(",") : [url]).map((item) => parseRedisUrl(item.trim()));
  const first = seeds[0] as ParsedRedisUrl;
  // Exponential back-off with a ceiling; returning a number keeps ioredis reconnecting forever.
  const retryStrategy = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), maxDelay);
  const common = {
    username: first.username,
    password: first.password,
    tls: first.tls ? {} : undefined,
    connectionName: options.connectionName,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  };
  let connection: RedisClient;
  if (options.cluster) {
    if (seeds.some((seed) => seed.db !== 0))
      throw new Error("a Redis Cluster has only database 0; remove the /db from the url");
    connection = new Cluster(
      seeds.map((seed) => ({ host: seed.host, port: seed.port })),
      {
        lazyConnect: options.lazyConnect ?? false,
        enableReadyCheck: true,
        clusterRetryStrategy: retryStrategy,
        // Ride out a failover instead of failing commands after ioredis's default 1.6 s.
        maxRedirections: Math.max(
          16,
          Math.ceil(
            (options.clusterFailoverPatienceMs ?? CLUSTER_FAILOVER_PATIENCE_MS) / CLUSTER_RETRY_DELAY_MS,
          ),
        ),
        retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
        retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
        retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
        retryDelayOnMoved: CLUSTER_MOVED_DELAY_MS,
        redisOptions: common,
      },
    );
  } else {
    connection = new Redis({
      ...common,
      host: first.host,
      port: first.port,
      db: first.db,
      lazyConnect: options.lazyConnect ?? false,
      retryStrategy,
    });
  }
  let lastErrorLoggedAt = 0;
  connection.on("error", (error: Error) => {
    // A down Redis produces an error per reconnect attempt; one line every 10 s is enough.
    const now = Date.now();
    if (now - lastErrorLoggedAt < 10_000) return;
    lastErrorLoggedAt = now;
    logger.warn({ err: error.message, redis: redactRedisUrl(url) }, "redis connection error");
  });
  return connection;
}

interface ParsedRedisUrl {
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  db: number;
  tls: boolean;
}

function parseRedisUrl(url: string): ParsedRedisUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`redis url is not a valid URL: ${redactRedisUrl(url)}`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new Error(`redis url must start with redis:// or rediss://, got ${parsed.protocol}//`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new Error(`redis url names an invalid database: ${parsed.pathname}`);
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db,
    tls: parsed.protocol === "rediss:",
  };
}

/** The nodes holding keys: the one server, or every master of a cluster (SCAN is per node there). */
export function dataNodes(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes("master") : [client];
}
