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

/**
 * Records read or written between two reopenings of the environment. LMDB reads through a memory map,
 * and every page a lookup or a write's search touches stays mapped into the process (its RSS) until
 * the map goes away: a full run over a million-page state would end up holding the whole file. Closing
 * and reopening the environment now and then drops those pages; the kernel still caches them, so the
 * next touch is a minor fault, not a disk read. A reopening waits for the queued writes to commit
 * (about 10 ms, operations wait meanwhile); at 50,000 touches a run's records, which it mostly reads
 * in key order, keep the mapped part of the file to a few megabytes (the memory bench's rows).
 */
const DEFAULT_REOPEN_AFTER_TOUCHES = 50_000;

export interface LmdbStateStoreOptions {
  /** A JSON state file of an earlier version to import on first open (then renamed `*.migrated`). */
  legacyJsonFile?: string;
  /** Clock; default Date.now. */
  clock?: () => number;
  /** Records touched before the environment is reopened to unmap them; default 50,000. */
  reopenAfterTouches?: number;
}

function openDatabase(file: string): RootDatabase<unknown, Key> {
  return open<unknown, Key>({ path: file, noSubdir: true, compression: false });
}

/**
 * State of inline runs in an embedded LMDB database: every write touches one record (no whole-state
 * rewrite, whatever the source's size), commits are atomic and ordered, and a crash leaves the last
 * committed transaction. Run fencing uses synchronous transactions, so two processes on the same file
 * cannot both commit a cursor for one source. Reads are synchronous memory-mapped lookups.
 */
export class LmdbStateStore implements StateStore {
  /**
   * Stores open per file in this process. LMDB shares one environment among them, and closing it
   * under another store's queued writes stalls both, so a store reopens only while it is alone.
   */
  private static readonly openInProcess = new Map<string, number>();
  private deletionSeq = 0;
  private closed = false;
  private touches = 0;
  /**
   * Set while the environment is being reopened. Every operation checks it synchronously right before
   * using `db` (`while (this.reopening) await this.reopening;`): any await between that check and the
   * use would let a reopening start in between and close the environment under the operation.
   */
  private reopening: Promise<void> | undefined;
  private opens = 1;
  /** The file as `openInProcess` counts it (one absolute path, however the caller spelled it). */
  private readonly processKey: string;

  private constructor(
    readonly file: string,
    private db: RootDatabase<unknown, Key>,
    private readonly clock: () => number,
    private readonly reopenAfterTouches: number,
  ) {
    this.processKey = path.resolve(file);
    LmdbStateStore.openInProcess.set(this.processKey, this.storesOnFile() + 1);
  }

  /** Opens (creating) the database; imports a legacy JSON state file the first time. */
  static async open(file: string, options: LmdbStateStoreOptions = {}): Promise<LmdbStateStore> {
    const reopenAfter = options.reopenAfterTouches ?? DEFAULT_REOPEN_AFTER_TOUCHES;
    if (!Number.isInteger(reopenAfter) || reopenAfter < 1) {
      throw new RangeError(`reopenAfterTouches must be a positive integer, got ${reopenAfter}`);
    }
    await mkdir(path.dirname(file), { recursive: true });
    const store = new LmdbStateStore(file, openDatabase(file), options.clock ?? Date.now, reopenAfter);
    if (options.legacyJsonFile) {
      // A legacy file that cannot be imported leaves nothing open behind the error.
      await migrateStateFile(options.legacyJsonFile, store.importer()).catch(async (error: unknown) => {
        await store.close();
        throw error;
      });
    }
    return store;
  }

  /** How many times this store has opened its environment (1 + the reopenings). */
  get environmentOpens(): number {
    return this.opens;
  }

  async now(): Promise<number> {
    return this.clock();
  }

  async getSource(sourceId: string): Promise<SourceRecord> {
    while (this.reopening) await this.reopening;
    return { ...((this.db.get(sourceKey(sourceId)) as SourceRecord | undefined) ?? {}) };
  }

  async updateSource(sourceId: string, patch: SourcePatch): Promise<void> {
    while (this.reopening) await this.reopening;
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
    while (this.reopening) await this.reopening;
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
    while (this.reopening) await this.reopening;
    return this.db.transactionSync(() => {
      const record = this.sourceRecord(fence.sourceId);
      if (record.generation !== fence.generation) return false;
      this.db.putSync(sourceKey(fence.sourceId), { ...record, cursor });
      return true;
    });
  }

  async isCurrent(fence: RunFence): Promise<boolean> {
    while (this.reopening) await this.reopening;
    return this.sourceRecord(fence.sourceId).generation === fence.generation;
  }

  async finishRun(fence: RunFence, options: { fullListingCompleted?: boolean } = {}): Promise<boolean> {
    while (this.reopening) await this.reopening;
    return this.db.transactionSync(() => {
      const { checkpoint: _checkpoint, ...record } = this.sourceRecord(fence.sourceId);
      if (record.generation !== fence.generation) return false;
      if (options.fullListingCompleted) delete record.fullListingRequired;
      this.db.putSync(sourceKey(fence.sourceId), record);
      return true;
    });
  }

  async getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>> {
    while (this.reopening) await this.reopening;
    const found = new Map<string, PageRecord>();
    for (const id of externalIds) {
      const record = this.db.get(itemKey("p", sourceId, id)) as PageRecord | undefined;
      if (record) found.set(id, { ...record });
    }
    this.touched(externalIds.length);
    return found;
  }

  async putPage(sourceId: string, externalId: string, record: PageRecord): Promise<void> {
    while (this.reopening) await this.reopening;
    const written = this.db.put(itemKey("p", sourceId, externalId), { ...record });
    this.touched(1);
    await written;
  }

  async deletePage(sourceId: string, externalId: string): Promise<void> {
    while (this.reopening) await this.reopening;
    const written = this.db.batch(() => {
      this.db.remove(itemKey("p", sourceId, externalId));
      this.db.remove(itemKey("m", sourceId, externalId));
    });
    this.touched(2);
    await written;
  }

  async *listPages(sourceId: string): AsyncIterable<StoredPage> {
    yield* this.scanPages(sourceId, () => true);
  }

  async countPages(sourceId: string): Promise<number> {
    while (this.reopening) await this.reopening;
    return this.countPrefix(["p", sourceId]);
  }

  async markSeen(fence: RunFence, externalIds: readonly string[]): Promise<string[]> {
    while (this.reopening) await this.reopening;
    if (externalIds.length === 0) return [];
    const again: string[] = [];
    const fresh: string[] = [];
    for (const id of externalIds) {
      // Reads see committed marks; an id twice within one call is caught by the set below.
      if (this.db.get(itemKey("m", fence.sourceId, id)) === fence.generation || fresh.includes(id))
        again.push(id);
      else fresh.push(id);
    }
    const written = this.db.batch(() => {
      for (const id of fresh) this.db.put(itemKey("m", fence.sourceId, id), fence.generation);
    });
    this.touched(externalIds.length + fresh.length);
    await written;
    return again;
  }

  async seenAmong(fence: RunFence, externalIds: readonly string[]): Promise<Set<string>> {
    while (this.reopening) await this.reopening;
    const seen = new Set(
      externalIds.filter((id) => this.db.get(itemKey("m", fence.sourceId, id)) === fence.generation),
    );
    this.touched(externalIds.length);
    return seen;
  }

  async *sweepCandidates(fence: RunFence): AsyncIterable<StoredPage> {
    yield* this.scanPages(fence.sourceId, (id, record) => {
      if (record.syncedAt >= fence.startedAt) return false;
      const seen = this.db.get(itemKey("m", fence.sourceId, id)) === fence.generation;
      this.touched(1);
      return !seen;
    });
  }

  async getFailures(sourceId: string, keys: readonly string[]): Promise<Map<string, FailureRecord>> {
    while (this.reopening) await this.reopening;
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
    while (this.reopening) await this.reopening;
    return this.db.transactionSync(() => {
      const key = itemKey("f", sourceId, failure.key);
      const previous = this.db.get(key) as FailureRecord | undefined;
      const record = nextFailureRecord(previous, failure, this.clock(), retryAfterMs);
      this.db.putSync(key, record);
      return record;
    });
  }

  async clearFailures(sourceId: string, keys: readonly string[]): Promise<void> {
    while (this.reopening) await this.reopening;
    if (keys.length === 0) return;
    await this.db.batch(() => {
      for (const key of keys) this.db.remove(itemKey("f", sourceId, key));
    });
  }

  async *listFailures(sourceId: string, options: { dueBy?: number } = {}): AsyncIterable<FailureRecord> {
    for await (const [, value] of this.scanChunks(["f", sourceId])) {
      const record = value as FailureRecord;
      if (options.dueBy === undefined || record.nextRetryAt <= options.dueBy) yield { ...record };
    }
  }

  async countFailures(sourceId: string): Promise<number> {
    while (this.reopening) await this.reopening;
    return this.countPrefix(["f", sourceId]);
  }

  async noteDeletions(sourceId: string, count: number, at: number): Promise<void> {
    while (this.reopening) await this.reopening;
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
    while (this.reopening) await this.reopening;
    let count = 0;
    for (const _ of this.prefixChunks(["d", sourceId], ["d", sourceId, since])) count++;
    return count;
  }

  async listSourceIds(): Promise<string[]> {
    while (this.reopening) await this.reopening;
    const ids: string[] = [];
    for (const [key] of this.prefixChunks(["s"])) ids.push(String(key[1]));
    return ids;
  }

  async clearSource(sourceId: string): Promise<void> {
    while (this.reopening) await this.reopening;
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
    while (this.reopening) await this.reopening;
    await this.db.flushed;
  }

  async close(): Promise<void> {
    while (this.reopening) await this.reopening;
    if (this.closed) return;
    this.closed = true;
    const remaining = this.storesOnFile() - 1;
    if (remaining > 0) LmdbStateStore.openInProcess.set(this.processKey, remaining);
    else LmdbStateStore.openInProcess.delete(this.processKey);
    await this.db.flushed;
    await this.db.close();
  }

  /**
   * Counts records read or written and, past the limit, reopens the environment. Called right after
   * an operation's synchronous part: its writes are already queued on the current environment, which
   * the reopening flushes before closing, and every later operation waits for the new one.
   */
  private touched(records: number): void {
    this.touches += records;
    if (this.touches < this.reopenAfterTouches || this.reopening || this.closed) return;
    if (this.storesOnFile() > 1) return;
    this.reopening = this.reopen().finally(() => {
      this.reopening = undefined;
    });
  }

  /** Stores open on this file in this process, this one included while it is open. */
  private storesOnFile(): number {
    return LmdbStateStore.openInProcess.get(this.processKey) ?? 0;
  }

  private async reopen(): Promise<void> {
    const previous = this.db;
    await previous.flushed;
    await previous.close();
    this.db = openDatabase(this.file);
    this.opens++;
    this.touches = 0;
  }

  private sourceRecord(sourceId: string): SourceRecord {
    return { ...((this.db.get(sourceKey(sourceId)) as SourceRecord | undefined) ?? {}) };
  }

  /**
   * A source's pages in key order, filtered by `keep`. `keep` may read the store, so each entry waits
   * for a reopening the consumer's own writes started between two entries.
   */
  private async *scanPages(
    sourceId: string,
    keep: (externalId: string, record: PageRecord) => boolean,
  ): AsyncGenerator<StoredPage> {
    for await (const [key, value] of this.scanChunks(["p", sourceId])) {
      while (this.reopening) await this.reopening;
      const externalId = String(key[2]);
      const record = value as PageRecord;
      if (keep(externalId, record)) yield [externalId, { ...record }];
    }
  }

  /**
   * `prefixChunks` for iterations that hand entries to a caller: the caller runs between entries (and
   * may write, and so reopen the environment), so each chunk is read only once no reopening is under
   * way, and counts as touched.
   */
  private async *scanChunks(prefix: Key): AsyncGenerator<[Key, unknown]> {
    let after: Key | undefined;
    for (;;) {
      while (this.reopening) await this.reopening;
      const { entries, more } = this.readChunk(prefix, after ?? prefix, after);
      this.touched(entries.length);
      yield* entries;
      after = entries.at(-1)?.[0];
      if (!more || after === undefined) return;
    }
  }

  /**
   * Every entry whose key starts with `prefix` (from `start` on, default the prefix itself), in key
   * order, a chunk at a time, for loops that finish within one synchronous step.
   */
  private *prefixChunks(prefix: Key, start: Key = prefix): Generator<[Key, unknown]> {
    let from = start;
    let after: Key | undefined;
    for (;;) {
      const { entries, more } = this.readChunk(prefix, from, after);
      yield* entries;
      after = entries.at(-1)?.[0];
      if (!more || after === undefined) return;
      from = after;
    }
  }

  /**
   * Up to 1,000 entries within `prefix` from `start` on (skipping `after`, the last key of the
   * previous chunk). A chunk is read completely before anything is yielded, so a caller that writes
   * while it iterates never shares a cursor with its own writes, and each read transaction stays
   * short (LMDB pins old pages while one is open).
   */
  private readChunk(
    prefix: Key,
    start: Key,
    after: Key | undefined,
  ): { entries: [Key, unknown][]; more: boolean } {
    const within = (key: Key) => prefix.every((part, index) => key[index] === part);
    const entries: [Key, unknown][] = [];
    for (const { key, value } of this.db.getRange({ start, limit: 1_001 })) {
      if (!within(key)) return { entries, more: false };
      if (after && sameKey(key, after)) continue;
      entries.push([key, value]);
      if (entries.length === 1_000) return { entries, more: true };
    }
    return { entries, more: false };
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
