import { randomUUID } from "node:crypto";
import type { Queue } from "bullmq";
import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { RedisClient } from "../redis/redis-factory.js";
import type { RedisKeyspace } from "../redis/redis-keyspace.js";
import type { StateStore } from "../state/state-store.js";
import { enqueueSourceRun } from "./enqueue.js";
import { syncSchedules } from "./scheduler-runtime.js";

/**
 * Notices a wiped keyspace. The fleet writes an epoch key when it first meets a Redis; when it is gone
 * (Redis restarted without persistence, a flush, a failover to an empty replica), so are the page
 * state, checkpoints, locks and job schedulers. Whoever notices first claims the new epoch and starts
 * the recovery: every source is marked as needing a full listing before anything may be deleted, a
 * recovery run per source rebuilds its page state from the pages in Intercom and lists it completely,
 * and the job schedulers are registered again. Until every recovery run has completed, `/readyz` fails.
 */
export class KeyspaceEpoch {
  private readonly logger: Logger;

  constructor(
    private readonly redis: RedisClient,
    private readonly keyspace: RedisKeyspace,
    logger?: Logger,
  ) {
    this.logger = logger ?? pino({ level: "silent" });
  }

  /** True when the keyspace was found empty and this call started its recovery. */
  async check(options: {
    sources: readonly SourceConfig[];
    queue: Queue;
    state: StateStore;
  }): Promise<boolean> {
    if ((await this.redis.exists(this.keyspace.epoch())) === 1) return false;
    const epoch = randomUUID();
    if ((await this.redis.set(this.keyspace.epoch(), epoch, "NX")) !== "OK") return false;
    const enabled = options.sources.filter((source) => source.enabled);
    this.logger.warn(
      { sources: enabled.map((source) => source.id) },
      "the Redis keyspace holds no content-sync state (first start, or Redis lost its data): rebuilding each source from Intercom",
    );
    for (const source of enabled) {
      await options.state.updateSource(source.id, { fullListingRequired: true });
      await this.redis.sadd(this.keyspace.recovering(), source.id);
      await enqueueSourceRun(options.queue, {
        sourceId: source.id,
        mode: "full",
        trigger: "recovery",
        reconcile: true,
      });
    }
    await syncSchedules(options.queue, options.sources, this.logger);
    return true;
  }

  /** Sources whose recovery run has not completed yet. */
  async recovering(): Promise<string[]> {
    return (await this.redis.smembers(this.keyspace.recovering())).sort();
  }

  async markRecovered(sourceId: string): Promise<void> {
    await this.redis.srem(this.keyspace.recovering(), sourceId);
  }

  /** True once an epoch exists and no source waits for its recovery run. */
  async ready(): Promise<boolean> {
    const [exists, waiting] = await Promise.all([
      this.redis.exists(this.keyspace.epoch()),
      this.redis.scard(this.keyspace.recovering()),
    ]);
    return exists === 1 && waiting === 0;
  }
}
