import { burstOf, perSecondOf, type RequestBudget, type RequestRate } from "@content-sync/connectors";
import { sleep } from "@content-sync/intercom";
import type { RedisClient as Redis } from "./redis-factory.js";
import { RedisKeyspace } from "./redis-keyspace.js";

// A token bucket per source, kept in one hash and refilled from Redis's own clock (TIME), so every
// worker of the fleet draws from the same tokens whatever its local clock says. Returns 0 when a
// token was taken, otherwise the ms until one will be there (or until a 429 pause ends).
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local pausedUntil = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if pausedUntil > now then return pausedUntil - now end
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or ARGV[2])
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or now)
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return wait
`;

// Nobody of the fleet draws a token for ARGV[1] ms from Redis's now (a 429 with Retry-After).
const PAUSE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if untilMs > current then redis.call('HSET', KEYS[1], 'pausedUntil', untilMs) end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[2]), tonumber(ARGV[1]) * 2))
return 0
`;

export interface RedisRequestBudgetOptions {
  /** A connection from `createRedisConnection`; not closed by the budget. */
  redis: Redis;
  keyspace?: RedisKeyspace;
  sourceId: string;
  rate: RequestRate;
  /** Longest single wait before asking Redis again. Default 1 000 ms. */
  maxPollMs?: number;
  /** Abortable wait; injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface ScriptedRedis {
  csBudgetTake(key: string, rate: number, burst: number, ttlMs: number): Promise<number>;
  csBudgetPause(key: string, ms: number, ttlMs: number): Promise<number>;
}

/**
 * A source's request budget shared by every process that reaches the same Redis: the connectors of
 * all workers syncing one source together stay within the product's rate (Notion's ~3 requests/s per
 * integration, Graph's throttling), however the run is spread over the fleet.
 */
export class RedisRequestBudget implements RequestBudget {
  private readonly redis: Redis & ScriptedRedis;
  private readonly key: string;
  private readonly ratePerMs: number;
  private readonly burst: number;
  private readonly ttlMs: number;
  private readonly maxPollMs: number;
  private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: RedisRequestBudgetOptions) {
    this.redis = defineScripts(options.redis);
    this.key = (options.keyspace ?? new RedisKeyspace()).requestBudget(options.sourceId);
    this.ratePerMs = perSecondOf(options.rate) / 1000;
    this.burst = burstOf(options.rate);
    if (!(this.ratePerMs > 0)) throw new RangeError("the request rate must be positive");
    // Long enough for the bucket to refill completely; an idle source's key then simply expires.
    this.ttlMs = Math.ceil(this.burst / this.ratePerMs) + 60_000;
    this.maxPollMs = options.maxPollMs ?? 1_000;
    this.wait = options.sleep ?? sleep;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const waitMs = Number(await this.redis.csBudgetTake(this.key, this.ratePerMs, this.burst, this.ttlMs));
      if (waitMs <= 0) return;
      await this.wait(Math.min(waitMs, this.maxPollMs), signal);
    }
  }

  async pause(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    await this.redis.csBudgetPause(this.key, Math.ceil(ms), this.ttlMs);
  }
}

function defineScripts(redis: Redis): Redis & ScriptedRedis {
  const scripted = redis as Redis & Partial<ScriptedRedis>;
  if (typeof scripted.csBudgetTake !== "function") {
    redis.defineCommand("csBudgetTake", { numberOfKeys: 1, lua: TAKE_SCRIPT });
    redis.defineCommand("csBudgetPause", { numberOfKeys: 1, lua: PAUSE_SCRIPT });
  }
  return redis as Redis & ScriptedRedis;
}
