import { type RateLimiter, type RateLimitSnapshot, sleep } from "@content-sync/intercom";
import type { RedisClient as Redis } from "./redis-factory.js";
import type { Logger } from "pino";
import { pino } from "pino";
import { RedisKeyspace } from "./redis-keyspace.js";

// Takes one call from the fleet's budget or answers how long to wait. Three regimes, in order: a 429
// block set by any worker; the current window as Intercom's headers described it (remaining is
// decremented per call so in-flight calls count before their responses arrive); and, before any
// header was seen or after the known window expired, a fixed-slot counter against the last known limit.
const ACQUIRE_SCRIPT = `
local now = tonumber(ARGV[1])
local reserve = tonumber(ARGV[3])
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return blocked - now end
local resetAt = tonumber(redis.call('HGET', KEYS[1], 'resetAt') or '0')
if resetAt > now then
  local remaining = tonumber(redis.call('HGET', KEYS[1], 'remaining') or '0')
  if remaining <= reserve then return resetAt - now end
  redis.call('HINCRBY', KEYS[1], 'remaining', -1)
  return 0
end
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit') or ARGV[2])
local used = redis.call('INCR', KEYS[3])
if used == 1 then redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[5]) * 2) end
if used > limit - reserve then return tonumber(ARGV[4]) - now end
return 0
`;

// Merges one response's headers into the shared window: a later window replaces the stored one; the
// same window keeps the lower remaining (responses arrive out of order, and our own decrements may be
// ahead of what the server had counted when it answered).
const OBSERVE_SCRIPT = `
local limit = tonumber(ARGV[1])
local remaining = tonumber(ARGV[2])
local resetAt = tonumber(ARGV[3])
local storedReset = tonumber(redis.call('HGET', KEYS[1], 'resetAt') or '0')
if resetAt > storedReset then
  redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', remaining, 'resetAt', resetAt)
elseif resetAt == storedReset then
  local storedRemaining = tonumber(redis.call('HGET', KEYS[1], 'remaining') or remaining)
  if remaining < storedRemaining then storedRemaining = remaining end
  redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', storedRemaining)
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return 0
`;

// Blocks the fleet until resetAt unless a later block is already in place.
const BLOCK_SCRIPT = `
local blockUntil = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if blockUntil > current and blockUntil > now then
  redis.call('SET', KEYS[1], blockUntil, 'PX', blockUntil - now)
end
local resetAt = tonumber(redis.call('HGET', KEYS[2], 'resetAt') or '0')
if resetAt > now then redis.call('HSET', KEYS[2], 'remaining', 0) end
return blockUntil - now
`;

export interface RedisRateLimiterOptions {
  /** A connection from `createRedisConnection`; not closed by the limiter. */
  redis: Redis;
  /** Key layout; default `new RedisKeyspace()`. */
  keyspace?: RedisKeyspace;
  /**
   * Length of Intercom's rate-limit window in ms. Default 10 000 (Intercom enforces per-minute limits
   * in six 10-second windows). Used only until headers describe the real window.
   */
  windowMs?: number;
  /**
   * Calls allowed per window before any `X-RateLimit-Limit` header was seen. Default 1 000: well under
   * the 10 000/min (≈1 666 per window) of a private app, so a cold fleet cannot trigger 429s.
   */
  initialLimitPerWindow?: number;
  /** Calls per window left untouched for other clients of the same Intercom app. Default 0. */
  reserve?: number;
  /** Longest single wait before asking Redis again, in ms. Default 1 000. */
  maxPollMs?: number;
  /**
   * Called (once per distinct block) when a 429 blocks the fleet, with the wait in ms. The worker
   * runtime passes BullMQ's `queue.rateLimit` here so no worker even fetches jobs until the reset.
   */
  onBlock?: (waitMs: number) => void | Promise<void>;
  /** Clock in unix ms; injectable for tests. Default `Date.now`. */
  now?: () => number;
  /** Abortable wait; injectable for tests. Default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  logger?: Logger;
}

interface ScriptedRedis {
  csAcquire(window: string, block: string, slot: string, ...args: (string | number)[]): Promise<number>;
  csObserve(window: string, ...args: (string | number)[]): Promise<number>;
  csBlock(block: string, window: string, ...args: (string | number)[]): Promise<number>;
}

/**
 * Intercom's budget shared by every process that reaches the same Redis. Implements the client's
 * `RateLimiter`: `acquire` before each call, `observe` with each response's headers, `block` on a 429.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis & ScriptedRedis;
  private readonly keys: RedisKeyspace;
  private readonly windowMs: number;
  private readonly initialLimit: number;
  private readonly reserve: number;
  private readonly maxPollMs: number;
  private readonly onBlock: ((waitMs: number) => void | Promise<void>) | undefined;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly logger: Logger;
  private lastBlockUntil = 0;

  constructor(options: RedisRateLimiterOptions) {
    this.redis = defineScripts(options.redis);
    this.keys = options.keyspace ?? new RedisKeyspace();
    this.windowMs = positive("windowMs", options.windowMs ?? 10_000);
    this.initialLimit = positive("initialLimitPerWindow", options.initialLimitPerWindow ?? 1_000);
    this.reserve = options.reserve ?? 0;
    if (!Number.isInteger(this.reserve) || this.reserve < 0)
      throw new Error("reserve must be a non-negative integer");
    this.maxPollMs = positive("maxPollMs", options.maxPollMs ?? 1_000);
    this.onBlock = options.onBlock;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
    this.logger = options.logger ?? pino({ level: "silent" });
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const waitMs = await this.tryAcquire();
      if (waitMs <= 0) return;
      // Spread the wake-ups of a waiting fleet over a little time so they do not stampede together.
      await this.sleep(Math.min(waitMs, this.maxPollMs) + Math.floor(Math.random() * 25), signal);
    }
  }

  /** One attempt: 0 when a call was granted, otherwise the ms to wait before asking again. */
  async tryAcquire(): Promise<number> {
    const now = this.now();
    const slot = Math.floor(now / this.windowMs);
    const slotEnd = (slot + 1) * this.windowMs;
    return Number(
      await this.redis.csAcquire(
        this.keys.rateLimitWindow(),
        this.keys.rateLimitBlock(),
        this.keys.rateLimitSlot(slot),
        now,
        this.initialLimit,
        this.reserve,
        slotEnd,
        this.windowMs,
      ),
    );
  }

  async observe(snapshot: RateLimitSnapshot): Promise<void> {
    if (![snapshot.limit, snapshot.remaining, snapshot.resetAt].every(Number.isFinite)) return;
    await this.redis.csObserve(
      this.keys.rateLimitWindow(),
      Math.floor(snapshot.limit),
      Math.max(0, Math.floor(snapshot.remaining)),
      Math.floor(snapshot.resetAt * 1000),
      this.windowMs * 6,
    );
  }

  async block(resetAt: number): Promise<void> {
    const untilMs = Math.floor(resetAt * 1000);
    const now = this.now();
    const waitMs = Number(
      await this.redis.csBlock(this.keys.rateLimitBlock(), this.keys.rateLimitWindow(), untilMs, now),
    );
    if (waitMs > 0 && untilMs > this.lastBlockUntil) {
      this.lastBlockUntil = untilMs;
      this.logger.warn({ waitMs }, "intercom answered 429: the fleet pauses until the window resets");
      await this.onBlock?.(waitMs);
    }
  }

  /** How long the fleet is blocked by a 429 from now, in ms (0 when not blocked). */
  async blockedForMs(): Promise<number> {
    const until = Number((await this.redis.get(this.keys.rateLimitBlock())) ?? 0);
    return Math.max(0, until - this.now());
  }
}

function defineScripts(redis: Redis): Redis & ScriptedRedis {
  const scripted = redis as Redis & Partial<ScriptedRedis>;
  if (typeof scripted.csAcquire !== "function") {
    redis.defineCommand("csAcquire", { numberOfKeys: 3, lua: ACQUIRE_SCRIPT });
    redis.defineCommand("csObserve", { numberOfKeys: 1, lua: OBSERVE_SCRIPT });
    redis.defineCommand("csBlock", { numberOfKeys: 2, lua: BLOCK_SCRIPT });
  }
  return redis as Redis & ScriptedRedis;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got ${value}`);
  return value;
}
