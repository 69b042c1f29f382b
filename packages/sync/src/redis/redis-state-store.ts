import type { Redis } from "ioredis";
import { z } from "zod";
import type { PageRecord, SourceRecord, StateStore } from "../state/state-store.js";
import { RedisKeyspace } from "./redis-keyspace.js";

const pageRecordSchema = z.object({
  pageId: z.string(),
  contentHash: z.string(),
  version: z.string(),
  syncedAt: z.number(),
});

const checkpointSchema = z.object({
  runId: z.string(),
  mode: z.enum(["full", "incremental"]),
  startedAt: z.number(),
  cursor: z.string().optional(),
});

/** A stored value that does not parse means someone else wrote the key: fail loudly with its name. */
export class CorruptStateError extends Error {
  override readonly name = "CorruptStateError";
  constructor(
    readonly key: string,
    readonly field: string,
    cause: unknown,
  ) {
    super(`redis state at ${key} field ${field} is not valid content-sync state`, { cause });
  }
}

export const isCorruptStateError = (error: unknown): error is CorruptStateError =>
  error instanceof CorruptStateError;

export interface RedisStateStoreOptions {
  /** A connection from `createRedisConnection`. The store does not close it: its owner does. */
  redis: Redis;
  /** Key layout; default `new RedisKeyspace()` (prefix `{content-sync}`). */
  keyspace?: RedisKeyspace;
  /** HSCAN batch size for `listPages`. Default 500. */
  scanCount?: number;
}

/**
 * State of every source in Redis, so any worker of the fleet continues where another stopped. Per
 * source: one hash for the source record (one field per key, so concurrent patches of different
 * fields never overwrite each other) and one hash of page records. Every write is durable when its
 * promise resolves; `flush` has nothing to do.
 */
export class RedisStateStore implements StateStore {
  private readonly redis: Redis;
  private readonly keys: RedisKeyspace;
  private readonly scanCount: number;

  constructor(options: RedisStateStoreOptions) {
    this.redis = options.redis;
    this.keys = options.keyspace ?? new RedisKeyspace();
    this.scanCount = options.scanCount ?? 500;
  }

  async getSource(sourceId: string): Promise<SourceRecord> {
    const key = this.keys.sourceRecord(sourceId);
    const fields = await this.redis.hgetall(key);
    const record: SourceRecord = {};
    if (fields.contentImportSourceId !== undefined) {
      const id = Number(fields.contentImportSourceId);
      if (!Number.isInteger(id))
        throw new CorruptStateError(key, "contentImportSourceId", fields.contentImportSourceId);
      record.contentImportSourceId = id;
    }
    if (fields.cursor !== undefined) record.cursor = fields.cursor;
    if (fields.checkpoint !== undefined) {
      record.checkpoint = parseJson(key, "checkpoint", fields.checkpoint, checkpointSchema);
    }
    return record;
  }

  async updateSource(sourceId: string, patch: Partial<SourceRecord>): Promise<void> {
    const key = this.keys.sourceRecord(sourceId);
    const set: Record<string, string> = {};
    const remove: string[] = [];
    for (const [field, value] of Object.entries(patch) as [
      keyof SourceRecord,
      SourceRecord[keyof SourceRecord],
    ][]) {
      if (value === undefined) remove.push(field);
      else set[field] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    const multi = this.redis.multi();
    if (Object.keys(set).length > 0) multi.hset(key, set);
    if (remove.length > 0) multi.hdel(key, ...remove);
    await multi.exec();
  }

  async getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>> {
    const result = new Map<string, PageRecord>();
    if (externalIds.length === 0) return result;
    const key = this.keys.pages(sourceId);
    const values = await this.redis.hmget(key, ...externalIds);
    externalIds.forEach((externalId, index) => {
      const value = values[index];
      if (value != null) result.set(externalId, parseJson(key, externalId, value, pageRecordSchema));
    });
    return result;
  }

  async putPage(sourceId: string, externalId: string, record: PageRecord): Promise<void> {
    await this.redis.hset(this.keys.pages(sourceId), externalId, JSON.stringify(record));
  }

  async deletePage(sourceId: string, externalId: string): Promise<void> {
    await this.redis.hdel(this.keys.pages(sourceId), externalId);
  }

  async *listPages(sourceId: string): AsyncIterable<[externalId: string, record: PageRecord]> {
    const key = this.keys.pages(sourceId);
    let cursor = "0";
    // HSCAN may return a field twice while the hash is rehashing; report each once.
    const seen = new Set<string>();
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, "COUNT", this.scanCount);
      cursor = next;
      for (let index = 0; index + 1 < flat.length; index += 2) {
        const externalId = flat[index] as string;
        if (seen.has(externalId)) continue;
        seen.add(externalId);
        yield [externalId, parseJson(key, externalId, flat[index + 1] as string, pageRecordSchema)];
      }
    } while (cursor !== "0");
  }

  async countPages(sourceId: string): Promise<number> {
    return this.redis.hlen(this.keys.pages(sourceId));
  }

  /** Writes are durable as they resolve; nothing is buffered. */
  async flush(): Promise<void> {}

  /** The connection belongs to whoever created it; closing the store leaves it open. */
  async close(): Promise<void> {}

  /** Removes every key of one source (used when a source is reset). */
  async clearSource(sourceId: string): Promise<void> {
    await this.redis.del(this.keys.sourceRecord(sourceId), this.keys.pages(sourceId));
  }
}

function parseJson<T>(key: string, field: string, raw: string, schema: z.ZodType<T>): T {
  try {
    return schema.parse(JSON.parse(raw));
  } catch (error) {
    throw new CorruptStateError(key, field, error);
  }
}
