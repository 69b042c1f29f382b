import { mkdir } from "node:fs/promises";
import path from "node:path";
import { open, type RootDatabase } from "lmdb";
import { nextFailureRecord } from "./failure-records.js";
import { migrateStateFile } from "./legacy-state-file.js";
import type {
  BeginRunOptions,
  FailureRecord,
  FailureReport,
  PageRecord,
  RunFence,
  SourcePatch,
  SourceRecord,
  StateStore,
  StoredPage,
} from "./state-store.js";

// Key layout: array keys (LMDB's ordered-binary encoding sorts them element by element), one kind per
// first element, so a source's records of one kind form one contiguous range:
//   ["s", source]                → SourceRecord
//   ["p", source, externalId]    → PageRecord
//   ["m", source, externalId]    → generation of the last run whose listing saw the document
//   ["f", source, key]           → FailureRecord
//   ["d", source, at, n]         → 1 (a deletion made outside a full run, for the rolling limit)
// Ids are array elements, never joined into one string: any character, NUL included, stays an id.
type Key = (string | number)[];
const sourceKey = (sourceId: string): Key => ["s", sourceId];
const itemKey = (kind: string, sourceId: string, id: string): Key => [kind, sourceId, id];
/** The deletion log keeps what the rolling limit can look at, and a little more. */
const DELETION_LOG_RETENTION_MS = 31 * 86_400_000;

export interface LmdbStateStoreOptions {
  /** A JSON state file of an earlier version to import on first open (then renamed `*.migrated`). */
  legacyJsonFile?: string;
  /** Clock; default Date.now. */
  clock?: () => number;
}

/**
 * State of inline runs in an embedded LMDB database: every write touches one record (no whole-state
 * rewrite, whatever the source's size), commits are atomic and ordered, and a crash leaves the last
 * committed transaction. Run fencing uses synchronous transactions, so two processes on the same file
 * cannot both commit a cursor for one source. Reads are synchronous memory-mapped lookups.
 */
export class LmdbStateStore implements StateStore {
  private deletionSeq = 0;

  private constructor(
    readonly file: string,
    private readonly db: RootDatabase<unknown, Key>,
    private readonly clock: () => number,
  ) {}

  /** Opens (creating) the database; imports a legacy JSON state file the first time. */
  static async open(file: string, options: LmdbStateStoreOptions = {}): Promise<LmdbStateStore> {
    await mkdir(path.dirname(file), { recursive: true });
    const db = open<unknown, Key>({ path: file, noSubdir: true, compression: false });
    const store = new LmdbStateStore(file, db, options.clock ?? Date.now);
    if (options.legacyJsonFile) await migrateStateFile(options.legacyJsonFile, store.importer());
    return store;
  }

  async now(): Promise<number> {
    return this.clock();
  }

  async getSource(sourceId: string): Promise<SourceRecord> {
    return { ...((this.db.get(sourceKey(sourceId)) as SourceRecord | undefined) ?? {}) };
  }

  async updateSource(sourceId: string, patch: SourcePatch): Promise<void> {
    this.db.transactionSync(() => {
      const merged: Record<string, unknown> = { ...this.sourceRecord(sourceId) };
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) delete merged[key];
        else merged[key] = value;
      }
      this.db.putSync(sourceKey(sourceId), merged);
    });
  }

  async beginRun(sourceId: string, options: BeginRunOptions): Promise<RunFence & { resumed: boolean }> {
    return this.db.transactionSync(() => {
      const record = this.sourceRecord(sourceId);
      const checkpoint = record.checkpoint;
      if (
        options.resume &&
        checkpoint?.runId === options.runId &&
        checkpoint.generation === record.generation
      ) {
        return {
          sourceId,
          runId: options.runId,
          generation: checkpoint.generation,
          startedAt: checkpoint.startedAt,
          resumed: true,
        };
      }
      const generation = (record.generation ?? 0) + 1;
      const startedAt = this.clock();
      this.db.putSync(sourceKey(sourceId), {
        ...record,
        generation,
        checkpoint: { runId: options.runId, mode: options.mode, generation, startedAt },
      });
      return { sourceId, runId: options.runId, generation, startedAt, resumed: false };
    });
  }

  async commitCursor(fence: RunFence, cursor: string): Promise<boolean> {
    return this.db.transactionSync(() => {
      const record = this.sourceRecord(fence.sourceId);
      if (record.generation !== fence.generation) return false;
      this.db.putSync(sourceKey(fence.sourceId), { ...record, cursor });
      return true;
    });
  }

  async isCurrent(fence: RunFence): Promise<boolean> {
    return this.sourceRecord(fence.sourceId).generation === fence.generation;
  }

  async finishRun(fence: RunFence, options: { fullListingCompleted?: boolean } = {}): Promise<boolean> {
    return this.db.transactionSync(() => {
      const { checkpoint: _checkpoint, ...record } = this.sourceRecord(fence.sourceId);
      if (record.generation !== fence.generation) return false;
      if (options.fullListingCompleted) delete record.fullListingRequired;
      this.db.putSync(sourceKey(fence.sourceId), record);
      return true;
    });
  }

  async getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>> {
    const found = new Map<string, PageRecord>();
    for (const id of externalIds) {
      const record = this.db.get(itemKey("p", sourceId, id)) as PageRecord | undefined;
      if (record) found.set(id, { ...record });
    }
    return found;
  }

  async putPage(sourceId: string, externalId: string, record: PageRecord): Promise<void> {
    await this.db.put(itemKey("p", sourceId, externalId), { ...record });
  }

  async deletePage(sourceId: string, externalId: string): Promise<void> {
    await this.db.batch(() => {
      this.db.remove(itemKey("p", sourceId, externalId));
      this.db.remove(itemKey("m", sourceId, externalId));
    });
  }

  async *listPages(sourceId: string): AsyncIterable<StoredPage> {
    yield* this.scanPages(sourceId, () => true);
  }

  async countPages(sourceId: string): Promise<number> {
    return this.countPrefix(["p", sourceId]);
  }

  async markSeen(fence: RunFence, externalIds: readonly string[]): Promise<string[]> {
    if (externalIds.length === 0) return [];
    const again: string[] = [];
    const fresh: string[] = [];
    for (const id of externalIds) {
      // Reads see committed marks; an id twice within one call is caught by the set below.
      if (this.db.get(itemKey("m", fence.sourceId, id)) === fence.generation || fresh.includes(id))
        again.push(id);
      else fresh.push(id);
    }
    await this.db.batch(() => {
      for (const id of fresh) this.db.put(itemKey("m", fence.sourceId, id), fence.generation);
    });
    return again;
  }

  async seenAmong(fence: RunFence, externalIds: readonly string[]): Promise<Set<string>> {
    return new Set(
      externalIds.filter((id) => this.db.get(itemKey("m", fence.sourceId, id)) === fence.generation),
    );
  }

  async *sweepCandidates(fence: RunFence): AsyncIterable<StoredPage> {
    yield* this.scanPages(
      fence.sourceId,
      (id, record) =>
        record.syncedAt < fence.startedAt &&
        this.db.get(itemKey("m", fence.sourceId, id)) !== fence.generation,
    );
  }

  async getFailures(sourceId: string, keys: readonly string[]): Promise<Map<string, FailureRecord>> {
    const found = new Map<string, FailureRecord>();
    for (const key of keys) {
      const record = this.db.get(itemKey("f", sourceId, key)) as FailureRecord | undefined;
      if (record) found.set(key, { ...record });
    }
    return found;
  }

  async recordFailure(
    sourceId: string,
    failure: FailureReport,
    retryAfterMs: (attempts: number) => number,
  ): Promise<FailureRecord> {
    return this.db.transactionSync(() => {
      const key = itemKey("f", sourceId, failure.key);
      const previous = this.db.get(key) as FailureRecord | undefined;
      const record = nextFailureRecord(previous, failure, this.clock(), retryAfterMs);
      this.db.putSync(key, record);
      return record;
    });
  }

  async clearFailures(sourceId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.batch(() => {
      for (const key of keys) this.db.remove(itemKey("f", sourceId, key));
    });
  }

  async *listFailures(sourceId: string, options: { dueBy?: number } = {}): AsyncIterable<FailureRecord> {
    for (const [, value] of this.prefixChunks(["f", sourceId])) {
      const record = value as FailureRecord;
      if (options.dueBy === undefined || record.nextRetryAt <= options.dueBy) yield { ...record };
    }
  }

  async countFailures(sourceId: string): Promise<number> {
    return this.countPrefix(["f", sourceId]);
  }

  async noteDeletions(sourceId: string, count: number, at: number): Promise<void> {
    if (count <= 0) return;
    const expired: Key[] = [];
    for (const [key] of this.prefixChunks(["d", sourceId])) {
      if (Number(key[2]) >= at - DELETION_LOG_RETENTION_MS) break;
      expired.push(key);
    }
    await this.db.batch(() => {
      for (let index = 0; index < count; index++) this.db.put(["d", sourceId, at, this.deletionSeq++], 1);
      for (const key of expired) this.db.remove(key);
    });
  }

  async deletionsSince(sourceId: string, since: number): Promise<number> {
    let count = 0;
    for (const _ of this.prefixChunks(["d", sourceId], ["d", sourceId, since])) count++;
    return count;
  }

  async listSourceIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const [key] of this.prefixChunks(["s"])) ids.push(String(key[1]));
    return ids;
  }

  async clearSource(sourceId: string): Promise<void> {
    const keys: Key[] = [];
    for (const kind of ["p", "m", "f", "d"]) {
      for (const [key] of this.prefixChunks([kind, sourceId])) keys.push(key);
    }
    await this.db.batch(() => {
      for (const key of keys) this.db.remove(key);
      this.db.remove(sourceKey(sourceId));
    });
  }

  async flush(): Promise<void> {
    await this.db.flushed;
  }

  async close(): Promise<void> {
    await this.db.flushed;
    await this.db.close();
  }

  private sourceRecord(sourceId: string): SourceRecord {
    return { ...((this.db.get(sourceKey(sourceId)) as SourceRecord | undefined) ?? {}) };
  }

  /** A source's pages in key order, filtered by `keep`. */
  private *scanPages(
    sourceId: string,
    keep: (externalId: string, record: PageRecord) => boolean,
  ): Generator<StoredPage> {
    for (const [key, value] of this.prefixChunks(["p", sourceId])) {
      const externalId = String(key[2]);
      const record = value as PageRecord;
      if (keep(externalId, record)) yield [externalId, { ...record }];
    }
  }

  /**
   * Every entry whose key starts with `prefix` (from `start` on, default the prefix itself), in key
   * order, a chunk at a time. Each chunk is read completely before anything is yielded, so a caller
   * that writes while it iterates never shares a cursor with its own writes, and each read
   * transaction stays short (LMDB pins old pages while one is open).
   */
  private *prefixChunks(prefix: Key, start: Key = prefix): Generator<[Key, unknown]> {
    const within = (key: Key) => prefix.every((part, index) => key[index] === part);
    let from: Key = start;
    let skip: Key | undefined;
    for (;;) {
      const chunk: [Key, unknown][] = [];
      let ended = false;
      for (const { key, value } of this.db.getRange({ start: from, limit: 1_001 })) {
        if (!within(key)) {
          ended = true;
          break;
        }
        if (skip && sameKey(key, skip)) continue;
        chunk.push([key, value]);
        if (chunk.length === 1_000) break;
      }
      yield* chunk;
      const last = chunk.at(-1);
      if (ended || chunk.length < 1_000 || !last) return;
      from = last[0];
      skip = last[0];
    }
  }

  private countPrefix(prefix: Key): number {
    let count = 0;
    for (const _ of this.prefixChunks(prefix)) count++;
    return count;
  }

  /** What the legacy-file migration writes through. */
  private importer() {
    return {
      hasSources: () => this.countPrefix(["s"]) > 0,
      write: async (sourceId: string, source: SourceRecord, pages: Iterable<[string, PageRecord]>) => {
        await this.db.batch(() => {
          this.db.put(sourceKey(sourceId), source);
          for (const [externalId, record] of pages) this.db.put(itemKey("p", sourceId, externalId), record);
        });
      },
    };
  }
}

function sameKey(a: Key, b: Key): boolean {
  return a.length === b.length && a.every((part, index) => part === b[index]);
}
