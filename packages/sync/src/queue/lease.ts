import type { RedisClient } from "../redis/redis-factory.js";

// Only the holder may extend or release; compare-and-act must be atomic, hence Lua.
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
const EXTEND = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

interface LeaseCommands {
  csLeaseAcquire(key: string, holder: string, ttlMs: number): Promise<number>;
  csLeaseRelease(key: string, holder: string): Promise<number>;
  csLeaseExtend(key: string, holder: string, ttlMs: number): Promise<number>;
}

/**
 * The one lock mechanism of the services: a Redis key holding its holder's id, with an expiry so a
 * crashed holder cannot block forever. Acquire, extend and release are single atomic scripts (only the
 * holder may extend or release). Re-entrant for the same holder, so a job taken over after a stall
 * (same job id) continues under its own lease. Used for one run per source and one job per document.
 *
 * A lease is about liveness, not correctness: it can lapse (a paused process, a wiped Redis). What
 * keeps a lapsed holder from doing damage is the run's fence (its generation), checked on every commit.
 */
export class RedisLease {
  private readonly redis: RedisClient & LeaseCommands;

  /**
   * @param ttlMs how long the lease survives without a refresh.
   */
  constructor(
    redis: RedisClient,
    readonly key: string,
    readonly ttlMs: number,
  ) {
    const scripted = redis as RedisClient & Partial<LeaseCommands>;
    if (typeof scripted.csLeaseAcquire !== "function") {
      redis.defineCommand("csLeaseAcquire", { numberOfKeys: 1, lua: ACQUIRE });
      redis.defineCommand("csLeaseRelease", { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand("csLeaseExtend", { numberOfKeys: 1, lua: EXTEND });
    }
    this.redis = redis as RedisClient & LeaseCommands;
  }

  /** True when `holder` now holds the lease (newly or already). */
  async acquire(holder: string, ttlMs = this.ttlMs): Promise<boolean> {
    return (await this.redis.csLeaseAcquire(this.key, holder, ttlMs)) === 1;
  }

  /** Pushes the expiry out; false when `holder` no longer holds the lease. */
  async extend(holder: string, ttlMs = this.ttlMs): Promise<boolean> {
    return (await this.redis.csLeaseExtend(this.key, holder, ttlMs)) === 1;
  }

  async release(holder: string): Promise<void> {
    await this.redis.csLeaseRelease(this.key, holder);
  }

  /** Who holds the lease, if anyone. */
  async holder(): Promise<string | undefined> {
    return (await this.redis.get(this.key)) ?? undefined;
  }

  /**
   * Renews the lease every third of `ttlMs` until the returned function is called. Losing it (expired
   * and taken, or the key gone with a wiped Redis) is reported through `onLost` once, so the holder
   * stops working; a Redis hiccup is not a loss, the next tick tries again before the ttl runs out.
   */
  keepAlive(holder: string, onLost: () => void, ttlMs = this.ttlMs): () => void {
    let lost = false;
    const timer = setInterval(
      () => {
        this.extend(holder, ttlMs).then(
          (held) => {
            if (!held && !lost) {
              lost = true;
              onLost();
            }
          },
          () => undefined,
        );
      },
      Math.max(250, Math.floor(ttlMs / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }
}
