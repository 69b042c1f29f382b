import { type RateLimiter, type RateLimitSnapshot, sleep } from "@content-sync/intercom";
import type { RedisClient as Redis } from "./redis-factory.js";
import type { Logger } from "pino";
import { pino } from "pino";
import { RedisKeyspace } from "./redis-keyspace.js";

// The fleet's budget is one count of calls per Intercom window, kept in the window hash (KEYS[1]) as
// `used` for the window ending at `usedEnd`: every grant increments it, so calls granted but not yet
// answered count at once, across every process. The current window ends at the latest reset a
// response reported (`resetAt`) while that is ahead, else at the end of the clock's current slot
// (ARGV[4]; Intercom's windows are aligned on the clock). Order: a 429 block set by any worker, then
// the boundary guard, then the count against the last limit Intercom reported (or the initial limit
// before any header). The guard (ARGV[6] ms): Intercom counts a call in the window it arrives in, so a
// call granted just before the window's end would be counted by us in this window and by Intercom in
// the next, where the fleet grants a full window on top of it. An ask inside the guard is therefore
// not counted here and waits for the window's end, to be counted in the next window. A refused grant
// still increments the count; it is over the limit by then, which changes nothing. Answers
// { ms to wait (0: granted), the end of the window the grant or refusal belongs to }.
const ACQUIRE_SCRIPT = `
local now = tonumber(ARGV[1])
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return {blocked - now, blocked} end
local known = tonumber(redis.call('HGET', KEYS[1], 'resetAt') or '0')
local windowEnd = tonumber(ARGV[4])
if known > now then windowEnd = known end
if windowEnd - now < tonumber(ARGV[6]) then return {windowEnd - now, windowEnd} end
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit') or ARGV[2])
local used
if tonumber(redis.call('HGET', KEYS[1], 'usedEnd') or '0') == windowEnd then
  used = redis.call('HINCRBY', KEYS[1], 'used', 1)
else
  redis.call('HSET', KEYS[1], 'usedEnd', windowEnd, 'used', 1)
  used = 1
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
if used > limit - tonumber(ARGV[3]) then return {windowEnd - now, windowEnd} end
return {0, windowEnd}
`;

// Merges one response's headers: its limit becomes the fleet's, a later reset becomes the current
// window's end, and the calls Intercom has counted in that window (limit - remaining) raise the
// fleet's count when they exceed it (another client of the same app). Responses never lower it:
// they arrive out of order, and calls still in flight are not in Intercom's count yet.
const OBSERVE_SCRIPT = `
local limit = tonumber(ARGV[1])
local counted = limit - tonumber(ARGV[2])
local resetAt = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'limit', limit)
if resetAt > tonumber(redis.call('HGET', KEYS[1], 'resetAt') or '0') then
  redis.call('HSET', KEYS[1], 'resetAt', resetAt)
end
local usedEnd = tonumber(redis.call('HGET', KEYS[1], 'usedEnd') or '0')
if resetAt > usedEnd then
  redis.call('HSET', KEYS[1], 'usedEnd', resetAt, 'used', counted)
elseif resetAt == usedEnd and counted > tonumber(redis.call('HGET', KEYS[1], 'used') or '0') then
  redis.call('HSET', KEYS[1], 'used', counted)
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
  /**
   * No call is granted in the last `boundaryGuardMs` of a window: an ask there waits for the window's
   * end and is counted in the next one, and a grant whose answer from Redis comes back inside the
   * guard (a slow round trip, a busy event loop) is given up the same way. It must cover the time from
   * the grant to the call's arrival at Intercom, which counts calls in the window they arrive in;
   * otherwise a call counted by the fleet in one window lands in the next, on top of a full window of
   * grants, and meets a 429. Default 250 (a request's one-way latency to Intercom with room to spare).
   * A fleet that fills its windows by count loses no budget to the pause; one that is not limit-bound
   * loses at most this share of each window's time. 0 turns the guard off.
   */
  boundaryGuardMs?: number;
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
  csAcquire(window: string, block: string, ...args: (string | number)[]): Promise<[number, number]>;
  csObserve(window: string, ...args: (string | number)[]): Promise<number>;
  csBlock(block: string, ...args: (string | number)[]): Promise<number>;
}

/**
 * Intercom's budget shared by every process that reaches the same Redis. Implements the client's
 * `RateLimiter`: `acquire` before each call, `observe` with each response's headers, `block` on a 429.
 *
 * Grants are counted per Intercom window in Redis before the call is sent, so a fleet filling a
 * window to its limit never overshoots it with calls still in flight; the headers of each response
 * only correct the limit, the window's end, and the count when Intercom saw more calls than we sent.
 * No call is granted in the last `boundaryGuardMs` of a window, so none counted in one window reaches
 * Intercom in the next.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis & ScriptedRedis;
  private readonly keys: RedisKeyspace;
  private readonly windowMs: number;
  private readonly initialLimit: number;
  private readonly reserve: number;
  private readonly boundaryGuardMs: number;
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
    this.boundaryGuardMs = options.boundaryGuardMs ?? 250;
    if (
      !Number.isFinite(this.boundaryGuardMs) ||
      this.boundaryGuardMs < 0 ||
      this.boundaryGuardMs >= this.windowMs
    )
      throw new Error(
        `boundaryGuardMs must be at least 0 and shorter than windowMs (${this.windowMs}), got ${this.boundaryGuardMs}`,
      );
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
    const slotEnd = (Math.floor(now / this.windowMs) + 1) * this.windowMs;
    const [waitMs, windowEnd] = await this.redis.csAcquire(
      this.keys.rateLimitWindow(),
      this.keys.rateLimitBlock(),
      now,
      this.initialLimit,
      this.reserve,
      slotEnd,
      this.windowMs * 6,
      this.boundaryGuardMs,
    );
    if (waitMs > 0) return waitMs;
    // The script judged the guard on the clock read before the round trip. When the answer arrives
    // inside the guard, the call would still leave too late for this window: give the grant up (it
    // stays counted here, in a window about to end, so no other call can take it) and wait for the
    // next window like an ask made now would.
    const answeredAt = this.now();
    if (windowEnd - answeredAt < this.boundaryGuardMs) {
      this.logger.debug(
        { lateByMs: answeredAt - now },
        "rate-limit grant answered inside the boundary guard",
      );
      return Math.max(1, windowEnd - answeredAt);
    }
    return 0;
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
    const waitMs = Number(await this.redis.csBlock(this.keys.rateLimitBlock(), untilMs, now));
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
    redis.defineCommand("csAcquire", { numberOfKeys: 2, lua: ACQUIRE_SCRIPT });
    redis.defineCommand("csObserve", { numberOfKeys: 1, lua: OBSERVE_SCRIPT });
    redis.defineCommand("csBlock", { numberOfKeys: 1, lua: BLOCK_SCRIPT });
  }
  return redis as Redis & ScriptedRedis;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got ${value}`);
  return value;
}
