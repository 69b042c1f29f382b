import { randomBytes } from "node:crypto";
import { nextFailureRecord } from "../state/failure-records.js";
import type {
  BeginRunOptions,
  FailureRecord,
  FailureReport,
  PageRecord,
  RunCheckpoint,
  RunFence,
  SourcePatch,
  SourceRecord,
  StateStore,
  StoredPage,
} from "../state/state-store.js";
import type { RedisClient } from "./redis-factory.js";
import { RedisKeyspace } from "./redis-keyspace.js";

/** A stored value that does not parse means someone else wrote the key: fail loudly with its name. */
export class CorruptStateError extends Error {
  override readonly name = "CorruptStateError";
  constructor(
    readonly key: string,
    readonly field: string,
    cause?: unknown,
  ) {
    super(`redis state at ${key} field ${field} is not valid content-sync state`, { cause });
  }
}

export const isCorruptStateError = (error: unknown): error is CorruptStateError =>
  error instanceof CorruptStateError;

// Every script reads the clock with TIME inside Redis, so the whole fleet shares one clock, and
// compares the generation in the same step as it writes: fencing is a compare-and-set, never a
// read followed by a write from a worker that may have lost the source in between.
const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const BEGIN_RUN = `${NOW_MS}
local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
if ARGV[3] == '1' then
  local raw = redis.call('HGET', KEYS[1], 'checkpoint')
  if raw then
    local checkpoint = cjson.decode(raw)
    if checkpoint.runId == ARGV[1] and tonumber(checkpoint.generation) == generation then
      return {generation, tostring(checkpoint.startedAt), 1}
    end
  end
end
generation = generation + 1
local checkpoint = cjson.encode({runId = ARGV[1], mode = ARGV[2], generation = generation, startedAt = now})
redis.call('HSET', KEYS[1], 'generation', generation, 'checkpoint', checkpoint)
return {generation, tostring(now), 0}`;

const COMMIT_CURSOR = `
if tonumber(redis.call('HGET', KEYS[1], 'generation') or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'cursor', ARGV[2])
return 1`;

// Adds each id to the run's seen-set and returns those that were already in it, in one round trip.
const MARK_SEEN = `
local again = {}
for index = 2, #ARGV do
  if redis.call('SADD', KEYS[1], ARGV[index]) == 0 then again[#again + 1] = ARGV[index] end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return again`;

const FINISH_RUN = `
if tonumber(redis.call('HGET', KEYS[1], 'generation') or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('HDEL', KEYS[1], 'checkpoint')
if ARGV[2] == '1' then redis.call('HDEL', KEYS[1], 'fullListingRequired') end
redis.call('DEL', KEYS[2])
return 1`;

interface StateCommands {
  csBeginRun(key: string, runId: string, mode: string, resume: string): Promise<[number, string, number]>;
  csCommitCursor(key: string, generation: number, cursor: string): Promise<number>;
  csFinishRun(key: string, seenKey: string, generation: number, full: string): Promise<number>;
  csMarkSeen(key: string, ttlMs: number, ...externalIds: string[]): Promise<string[]>;
}

export interface RedisStateStoreOptions {
  /** A connection from `createRedisConnection`. The store does not close it: its owner does. */
  redis: RedisClient;
  /** Key layout; default `new RedisKeyspace()` (prefix `content-sync`). */
  keyspace?: RedisKeyspace;
  /** HSCAN batch size for streaming listings. Default 500. */
  scanCount?: number;
}

/** Seen-sets of a run live at most this long even if it never finishes (crashed for good). */
const SEEN_TTL_MS = 7 * 86_400_000;
/** The deletion log keeps what the rolling limit can look at, and a little more. */
const DELETION_LOG_RETENTION_MS = 31 * 86_400_000;

/**
 * State of every source in Redis, so any worker of the fleet continues where another stopped. Per
 * source (all under one hash tag, so its scripts may touch several keys): a hash for the source record
 * (one field per key, so concurrent patches of different fields never overwrite each other), a hash of
 * page records, a set per run of the ids its listing saw, the failure ledger (a hash plus a sorted set
 * of retry times) and a deletion log. Every write is one command or script; nothing is buffered.
 */
export class RedisStateStore implements StateStore {
  private readonly redis: RedisClient & StateCommands;
  private readonly keys: RedisKeyspace;
  private readonly scanCount: number;

  constructor(options: RedisStateStoreOptions) {
    const scripted = options.redis as RedisClient & Partial<StateCommands>;
    if (typeof scripted.csBeginRun !== "function") {
      options.redis.defineCommand("csBeginRun", { numberOfKeys: 1, lua: BEGIN_RUN });
      options.redis.defineCommand("csCommitCursor", { numberOfKeys: 1, lua: COMMIT_CURSOR });
      options.redis.defineCommand("csFinishRun", { numberOfKeys: 2, lua: FINISH_RUN });
      options.redis.defineCommand("csMarkSeen", { numberOfKeys: 1, lua: MARK_SEEN });
    }
    this.redis = options.redis as RedisClient & StateCommands;
    this.keys = options.keyspace ?? new RedisKeyspace();
    this.scanCount = options.scanCount ?? 500;
  }

  async now(): Promise<number> {
    const [seconds, micros] = await this.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  async getSource(sourceId: string): Promise<SourceRecord> {
    const key = this.keys.sourceRecord(sourceId);
    const fields = await this.redis.hgetall(key);
    const record: SourceRecord = {};
    if (fields.contentImportSourceId !== undefined) {
      const id = Number(fields.contentImportSourceId);
      if (!Number.isInteger(id)) throw new CorruptStateError(key, "contentImportSourceId");
      record.contentImportSourceId = id;
    }
    if (fields.contentImportSourceUrl !== undefined)
      record.contentImportSourceUrl = fields.contentImportSourceUrl;
    if (fields.cursor !== undefined) record.cursor = fields.cursor;
    if (fields.generation !== undefined) {
      const generation = Number(fields.generation);
      if (!Number.isInteger(generation)) throw new CorruptStateError(key, "generation");
      record.generation = generation;
    }
    if (fields.fullListingRequired === "1") record.fullListingRequired = true;
    if (fields.checkpoint !== undefined) record.checkpoint = parseCheckpoint(key, fields.checkpoint);
    return record;
  }

  async updateSource(sourceId: string, patch: SourcePatch): Promise<void> {
    const key = this.keys.sourceRecord(sourceId);
    const set: Record<string, string> = {};
    const remove: string[] = [];
    if ("contentImportSourceId" in patch) {
      if (patch.contentImportSourceId === undefined) remove.push("contentImportSourceId");
      else set.contentImportSourceId = String(patch.contentImportSourceId);
    }
    if ("contentImportSourceUrl" in patch) {
      if (patch.contentImportSourceUrl === undefined) remove.push("contentImportSourceUrl");
      else set.contentImportSourceUrl = patch.contentImportSourceUrl;
    }
    if ("fullListingRequired" in patch) {
      if (patch.fullListingRequired) set.fullListingRequired = "1";
      else remove.push("fullListingRequired");
    }
    const multi = this.redis.multi();
    if (Object.keys(set).length > 0) multi.hset(key, set);
    if (remove.length > 0) multi.hdel(key, ...remove);
    await multi.exec();
    await this.redis.sadd(this.keys.knownSources(), sourceId);
  }

  async beginRun(sourceId: string, options: BeginRunOptions): Promise<RunFence & { resumed: boolean }> {
    const [generation, startedAt, resumed] = await this.redis.csBeginRun(
      this.keys.sourceRecord(sourceId),
      options.runId,
      options.mode,
      options.resume ? "1" : "0",
    );
    await this.redis.sadd(this.keys.knownSources(), sourceId);
    return {
      sourceId,
      runId: options.runId,
      generation: Number(generation),
      startedAt: Number(startedAt),
      resumed: resumed === 1,
    };
  }

  async commitCursor(fence: RunFence, cursor: string): Promise<boolean> {
    return (
      (await this.redis.csCommitCursor(this.keys.sourceRecord(fence.sourceId), fence.generation, cursor)) ===
      1
    );
  }

  async isCurrent(fence: RunFence): Promise<boolean> {
    const generation = await this.redis.hget(this.keys.sourceRecord(fence.sourceId), "generation");
    return Number(generation) === fence.generation;
  }

  async finishRun(fence: RunFence, options: { fullListingCompleted?: boolean } = {}): Promise<boolean> {
    const finished = await this.redis.csFinishRun(
      this.keys.sourceRecord(fence.sourceId),
      this.keys.seen(fence.sourceId, fence.generation),
      fence.generation,
      options.fullListingCompleted ? "1" : "0",
    );
    return finished === 1;
  }

  async getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>> {
    const result = new Map<string, PageRecord>();
    if (externalIds.length === 0) return result;
    const key = this.keys.pages(sourceId);
    const values = await this.redis.hmget(key, ...externalIds);
    externalIds.forEach((externalId, index) => {
      const value = values[index];
      if (value != null) result.set(externalId, parsePage(key, externalId, value));
    });
    return result;
  }

  async putPage(sourceId: string, externalId: string, record: PageRecord): Promise<void> {
    await this.redis.hset(this.keys.pages(sourceId), externalId, JSON.stringify(record));
  }

  async deletePage(sourceId: string, externalId: string): Promise<void> {
    await this.redis.hdel(this.keys.pages(sourceId), externalId);
  }

  async *listPages(sourceId: string): AsyncIterable<StoredPage> {
    for await (const chunk of this.scanPages(sourceId)) yield* chunk;
  }

  async countPages(sourceId: string): Promise<number> {
    return this.redis.hlen(this.keys.pages(sourceId));
  }

  async markSeen(fence: RunFence, externalIds: readonly string[]): Promise<string[]> {
    if (externalIds.length === 0) return [];
    return this.redis.csMarkSeen(
      this.keys.seen(fence.sourceId, fence.generation),
      SEEN_TTL_MS,
      ...externalIds,
    );
  }

  async seenAmong(fence: RunFence, externalIds: readonly string[]): Promise<Set<string>> {
    if (externalIds.length === 0) return new Set();
    const flags = await this.redis.smismember(
      this.keys.seen(fence.sourceId, fence.generation),
      ...externalIds,
    );
    return new Set(externalIds.filter((_, index) => flags[index] === 1));
  }

  async *sweepCandidates(fence: RunFence): AsyncIterable<StoredPage> {
    const seenKey = this.keys.seen(fence.sourceId, fence.generation);
    for await (const chunk of this.scanPages(fence.sourceId)) {
      const old = chunk.filter(([, record]) => record.syncedAt < fence.startedAt);
      if (old.length === 0) continue;
      const seen = await this.redis.smismember(seenKey, ...old.map(([externalId]) => externalId));
      for (let index = 0; index < old.length; index++) {
        if (seen[index] !== 1) yield old[index] as StoredPage;
      }
    }
  }

  async getFailures(sourceId: string, keys: readonly string[]): Promise<Map<string, FailureRecord>> {
    const result = new Map<string, FailureRecord>();
    if (keys.length === 0) return result;
    const hash = this.keys.failures(sourceId);
    const values = await this.redis.hmget(hash, ...keys);
    keys.forEach((key, index) => {
      const value = values[index];
      if (value != null) result.set(key, parseFailure(hash, key, value));
    });
    return result;
  }

  async recordFailure(
    sourceId: string,
    failure: FailureReport,
    retryAfterMs: (attempts: number) => number,
  ): Promise<FailureRecord> {
    const hash = this.keys.failures(sourceId);
    const raw = await this.redis.hget(hash, failure.key);
    const previous = raw == null ? undefined : parseFailure(hash, failure.key, raw);
    const record = nextFailureRecord(previous, failure, await this.now(), retryAfterMs);
    await this.redis
      .multi()
      .hset(hash, failure.key, JSON.stringify(record))
      .zadd(this.keys.failuresDue(sourceId), record.nextRetryAt, failure.key)
      .exec();
    return record;
  }

  async clearFailures(sourceId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis
      .multi()
      .hdel(this.keys.failures(sourceId), ...keys)
      .zrem(this.keys.failuresDue(sourceId), ...keys)
      .exec();
  }

  async *listFailures(sourceId: string, options: { dueBy?: number } = {}): AsyncIterable<FailureRecord> {
    const hash = this.keys.failures(sourceId);
    if (options.dueBy === undefined) {
      let cursor = "0";
      do {
        const [next, flat] = await this.redis.hscan(hash, cursor, "COUNT", this.scanCount);
        cursor = next;
        for (let index = 0; index + 1 < flat.length; index += 2) {
          yield parseFailure(hash, flat[index] as string, flat[index + 1] as string);
        }
      } while (cursor !== "0");
      return;
    }
    let offset = 0;
    for (;;) {
      const keys = await this.redis.zrangebyscore(
        this.keys.failuresDue(sourceId),
        "-inf",
        options.dueBy,
        "LIMIT",
        offset,
        this.scanCount,
      );
      if (keys.length === 0) return;
      offset += keys.length;
      const values = await this.redis.hmget(hash, ...keys);
      for (let index = 0; index < keys.length; index++) {
        const value = values[index];
        if (value != null) yield parseFailure(hash, keys[index] as string, value);
      }
      if (keys.length < this.scanCount) return;
    }
  }

  async countFailures(sourceId: string): Promise<number> {
    return this.redis.hlen(this.keys.failures(sourceId));
  }

  async noteDeletions(sourceId: string, count: number, at: number): Promise<void> {
    if (count <= 0) return;
    const key = this.keys.deletionLog(sourceId);
    const members: (string | number)[] = [];
    const nonce = randomBytes(6).toString("hex");
    for (let index = 0; index < count; index++) members.push(at, `${at}:${nonce}:${index}`);
    await this.redis
      .multi()
      .zadd(key, ...members)
      .zremrangebyscore(key, "-inf", at - DELETION_LOG_RETENTION_MS)
      .exec();
  }

  async deletionsSince(sourceId: string, since: number): Promise<number> {
    return this.redis.zcount(this.keys.deletionLog(sourceId), since, "+inf");
  }

  async listSourceIds(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.knownSources())).sort();
  }

  async clearSource(sourceId: string): Promise<void> {
    const generation = Number((await this.redis.hget(this.keys.sourceRecord(sourceId), "generation")) ?? 0);
    await this.redis.del(
      this.keys.sourceRecord(sourceId),
      this.keys.pages(sourceId),
      this.keys.failures(sourceId),
      this.keys.failuresDue(sourceId),
      this.keys.deletionLog(sourceId),
      this.keys.seen(sourceId, generation),
    );
    await this.redis.srem(this.keys.knownSources(), sourceId);
  }

  /** Writes are durable as they resolve; nothing is buffered. */
  async flush(): Promise<void> {}

  /** The connection belongs to whoever created it; closing the store leaves it open. */
  async close(): Promise<void> {}

  /**
   * HSCAN in chunks. While Redis rehashes a hash, HSCAN may return a field twice; callers that must
   * not act twice on one page (the sweep) de-duplicate the few candidates they collect, so no set of
   * every id is kept here: memory stays flat whatever the source's size.
   */
  private async *scanPages(sourceId: string): AsyncIterable<StoredPage[]> {
    const key = this.keys.pages(sourceId);
    let cursor = "0";
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, "COUNT", this.scanCount);
      cursor = next;
      const chunk: StoredPage[] = [];
      for (let index = 0; index + 1 < flat.length; index += 2) {
        const externalId = flat[index] as string;
        chunk.push([externalId, parsePage(key, externalId, flat[index + 1] as string)]);
      }
      if (chunk.length > 0) yield chunk;
    } while (cursor !== "0");
  }
}

function parseJson(key: string, field: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new CorruptStateError(key, field, error);
  }
}

// Hand-written checks rather than a schema library: these run once per page on every run.
function parsePage(key: string, field: string, raw: string): PageRecord {
  const value = parseJson(key, field, raw) as Partial<PageRecord> | null;
  if (
    value === null ||
    typeof value !== "object" ||
    typeof value.pageId !== "string" ||
    typeof value.contentHash !== "string" ||
    typeof value.version !== "string" ||
    typeof value.syncedAt !== "number"
  ) {
    throw new CorruptStateError(key, field);
  }
  return {
    pageId: value.pageId,
    contentHash: value.contentHash,
    version: value.version,
    syncedAt: value.syncedAt,
  };
}

function parseFailure(key: string, field: string, raw: string): FailureRecord {
  const value = parseJson(key, field, raw) as Partial<FailureRecord> | null;
  if (
    value === null ||
    typeof value !== "object" ||
    typeof value.key !== "string" ||
    typeof value.externalId !== "string" ||
    (value.kind !== "document" && value.kind !== "missing" && value.kind !== "deletion") ||
    typeof value.reason !== "string" ||
    typeof value.attempts !== "number" ||
    typeof value.nextRetryAt !== "number"
  ) {
    throw new CorruptStateError(key, field);
  }
  return value as FailureRecord;
}

function parseCheckpoint(key: string, raw: string): RunCheckpoint {
  const value = parseJson(key, "checkpoint", raw) as Partial<RunCheckpoint> | null;
  if (
    value === null ||
    typeof value !== "object" ||
    typeof value.runId !== "string" ||
    (value.mode !== "full" && value.mode !== "incremental") ||
    typeof value.generation !== "number" ||
    typeof value.startedAt !== "number"
  ) {
    throw new CorruptStateError(key, "checkpoint");
  }
  return { runId: value.runId, mode: value.mode, generation: value.generation, startedAt: value.startedAt };
}
