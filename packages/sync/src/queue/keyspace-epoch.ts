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

/** Both scripts touch the epoch key and the recovering set, which share the `{fleet}` hash tag. */
const CLAIM_EPOCH = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
if #ARGV > 1 then redis.call('SADD', KEYS[2], unpack(ARGV, 2)) end
return 1
`;

/** Compare-and-remove: only a run of the current epoch ends its recovery. */
const MARK_RECOVERED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
return redis.call('SREM', KEYS[2], ARGV[2])
`;

interface EpochCommands {
  csClaimEpoch(
    epochKey: string,
    recoveringKey: string,
    epoch: string,
    ...sourceIds: string[]
  ): Promise<number>;
  csMarkRecovered(epochKey: string, recoveringKey: string, epoch: string, sourceId: string): Promise<number>;
}

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
    const enabled = options.sources.filter((source) => source.enabled);
    // The epoch and the sources it waits for appear together: between a bare SET and the SADD,
    // /readyz would see an epoch with nothing recovering and answer ready.
    const claimed = await this.commands().csClaimEpoch(
      this.keyspace.epoch(),
      this.keyspace.recovering(),
      randomUUID(),
      ...enabled.map((source) => source.id),
    );
    if (claimed !== 1) return false;
    this.logger.warn(
      { sources: enabled.map((source) => source.id) },
      "the Redis keyspace holds no content-sync state (first start, or Redis lost its data): rebuilding each source from Intercom",
    );
    for (const source of enabled) {
      await options.state.updateSource(source.id, { fullListingRequired: true });
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

  private commands(): RedisClient & EpochCommands {
    const scripted = this.redis as RedisClient & Partial<EpochCommands>;
    if (typeof scripted.csMarkRecovered !== "function") {
      this.redis.defineCommand("csClaimEpoch", { numberOfKeys: 2, lua: CLAIM_EPOCH });
      this.redis.defineCommand("csMarkRecovered", { numberOfKeys: 2, lua: MARK_RECOVERED });
    }
    return this.redis as RedisClient & EpochCommands;
  }

  /** Sources whose recovery run has not completed yet. */
  async recovering(): Promise<string[]> {
    return (await this.redis.smembers(this.keyspace.recovering())).sort();
  }

  /** The current epoch; undefined while the keyspace has none (wiped, not yet noticed). */
  async current(): Promise<string | undefined> {
    return (await this.redis.get(this.keyspace.epoch())) ?? undefined;
  }

  /**
   * Takes the source off the recovering set, only if the run that completed began in the epoch that
   * is still current. A run that was under way when Redis lost its data may still finish in its
   * worker; its listing belongs to the lost epoch, so it must not mark the new epoch's recovery
   * done (that would open `/readyz` before the recovery run rebuilt the state). Returns whether it did.
   */
  async markRecovered(sourceId: string, runEpoch: string | undefined): Promise<boolean> {
    if (runEpoch === undefined) return false;
    const removed = await this.commands().csMarkRecovered(
      this.keyspace.epoch(),
      this.keyspace.recovering(),
      runEpoch,
      sourceId,
    );
    if (removed === -1) {
      this.logger.warn(
        { sourceId },
        "a run from before the keyspace was lost finished; the source still waits for its recovery run",
      );
    }
    return removed === 1;
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
