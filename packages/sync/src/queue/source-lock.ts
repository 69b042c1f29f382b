import type { Redis } from "ioredis";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";

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

interface LockCommands {
  csLockAcquire(key: string, holder: string, ttlMs: number): Promise<number>;
  csLockRelease(key: string, holder: string): Promise<number>;
  csLockExtend(key: string, holder: string, ttlMs: number): Promise<number>;
}

/**
 * One run per source across the fleet: a Redis key holding the run id, with an expiry so a crashed
 * holder cannot block the source forever. Re-entrant for the same run id, so a run taken over after
 * a stall (same job id) continues under its own lock.
 */
export class SourceLock {
  private readonly redis: Redis & LockCommands;

  /**
   * @param ttlMs how long the lock survives without a refresh. Default 120 000: long enough to span a
   * worker's restart, short enough that a dead holder frees the source within minutes.
   */
  constructor(
    redis: Redis,
    private readonly keys: RedisKeyspace,
    readonly ttlMs: number = 120_000,
  ) {
    const scripted = redis as Redis & Partial<LockCommands>;
    if (typeof scripted.csLockAcquire !== "function") {
      redis.defineCommand("csLockAcquire", { numberOfKeys: 1, lua: ACQUIRE });
      redis.defineCommand("csLockRelease", { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand("csLockExtend", { numberOfKeys: 1, lua: EXTEND });
    }
    this.redis = redis as Redis & LockCommands;
  }

  /** True when `runId` now holds the source (newly or already). */
  async acquire(sourceId: string, runId: string): Promise<boolean> {
    return (await this.redis.csLockAcquire(this.keys.sourceLock(sourceId), runId, this.ttlMs)) === 1;
  }

  /** Pushes the expiry out; false when `runId` no longer holds the lock. */
  async extend(sourceId: string, runId: string): Promise<boolean> {
    return (await this.redis.csLockExtend(this.keys.sourceLock(sourceId), runId, this.ttlMs)) === 1;
  }

  async release(sourceId: string, runId: string): Promise<void> {
    await this.redis.csLockRelease(this.keys.sourceLock(sourceId), runId);
  }

  /** The run holding the source, if any. */
  async holder(sourceId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.sourceLock(sourceId))) ?? undefined;
  }

  /**
   * Refreshes the lock every third of its ttl until the returned function is called. Losing the lock
   * (expired and taken by another run) is reported through `onLost` so the holder can stop writing.
   */
  keepAlive(sourceId: string, runId: string, onLost: () => void): () => void {
    const timer = setInterval(
      () => {
        this.extend(sourceId, runId).then(
          (held) => {
            if (!held) onLost();
          },
          // A Redis hiccup is not a loss: the next tick tries again before the ttl runs out.
          () => undefined,
        );
      },
      Math.max(1_000, Math.floor(this.ttlMs / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }
}
