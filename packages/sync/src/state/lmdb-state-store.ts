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

// Key layout, one keyspace per kind, ordered so a source's records form one contiguous range:
//   s␀<source>              → SourceRecord
//   p␀<source>␀<externalId> → PageRecord
//   m␀<source>␀<externalId> → generation of the last run whose listing saw the document
//   f␀<source>␀<key>        → FailureRecord
//   d␀<source>␀<at>␀<n>     → 1 (a deletion made outside a full run, for the rolling limit)
const SEP = "\u0000";
const AFTER_SEP = "\u0001";
const sourceKey = (sourceId: string) => `s${SEP}${sourceId}`;
const rangeOf = (kind: string, sourceId: string) => ({
  start: `${kind}${SEP}${sourceId}${SEP}`,
  end: `${kind}${SEP}${sourceId}${AFTER_SEP}`,
});
const itemKey = (kind: string, sourceId: string, id: string) => `${kind}${SEP}${sourceId}${SEP}${id}`;
const idOf = (kind: string, sourceId: string, key: string) => key.slice(kind.length + sourceId.length + 2);
/** Deletion-log keys sort by time: zero-padded ms. */
const deletionKey = (sourceId: string, at: number, seq: number) =>
  `d${SEP}${sourceId}${SEP}${String(at).padStart(15, "0")}${SEP}${seq}`;
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
    private readonly db: RootDatabase<unknown, string>,
    private readonly clock: () => number,
  ) {}

  /** Opens (creating) the database; imports a legacy JSON state file the first time. */
  static async open(file: string, options: LmdbStateStoreOptions = {}): Promise<LmdbStateStore> {
    await mkdir(path.dirname(file), { recursive: true });
    const db = open<unknown, string>({ path: file, noSubdir: true, compression: false });
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
    return this.db.getKeysCount(rangeOf("p", sourceId));
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
    for (const { value } of this.db.getRange(rangeOf("f", sourceId))) {
      const record = value as FailureRecord;
      if (options.dueBy === undefined || record.nextRetryAt <= options.dueBy) yield { ...record };
    }
  }

  async countFailures(sourceId: string): Promise<number> {
    return this.db.getKeysCount(rangeOf("f", sourceId));
  }

  async noteDeletions(sourceId: string, count: number, at: number): Promise<void> {
    if (count <= 0) return;
    const horizon = deletionKey(sourceId, at - DELETION_LOG_RETENTION_MS, 0);
    await this.db.batch(() => {
      for (let index = 0; index < count; index++)
        this.db.put(deletionKey(sourceId, at, this.deletionSeq++), 1);
      for (const key of this.db.getKeys({ start: rangeOf("d", sourceId).start, end: horizon }))
        this.db.remove(key);
    });
  }

  async deletionsSince(sourceId: string, since: number): Promise<number> {
    return this.db.getKeysCount({ start: deletionKey(sourceId, since, 0), end: rangeOf("d", sourceId).end });
  }

  async listSourceIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const key of this.db.getKeys({ start: `s${SEP}`, end: `s${AFTER_SEP}` })) ids.push(key.slice(2));
    return ids;
  }

  async clearSource(sourceId: string): Promise<void> {
    await this.db.batch(() => {
      for (const kind of ["p", "m", "f", "d"]) {
        for (const key of this.db.getKeys(rangeOf(kind, sourceId))) this.db.remove(key);
      }
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

  /** Streams a source's pages in key order, a read snapshot per step so deletes during the scan are safe. */
  private *scanPages(
    sourceId: string,
    keep: (externalId: string, record: PageRecord) => boolean,
  ): Generator<StoredPage> {
    const range = rangeOf("p", sourceId);
    let start = range.start;
    let first = true;
    // Reading in chunks keeps each read transaction short (LMDB pins old pages while one is open) and
    // tolerates deletions made by the caller between chunks.
    for (;;) {
      let last: string | undefined;
      let count = 0;
      for (const { key, value } of this.db.getRange({ start, end: range.end, limit: 1_000 })) {
        count++;
        last = key;
        if (!first && key === start) continue;
        const externalId = idOf("p", sourceId, key);
        const record = value as PageRecord;
        if (keep(externalId, record)) yield [externalId, { ...record }];
      }
      if (last === undefined || count < 1_000) return;
      start = last;
      first = false;
    }
  }

  /** What the legacy-file migration writes through. */
  private importer() {
    return {
      hasSources: () => this.db.getKeysCount({ start: `s${SEP}`, end: `s${AFTER_SEP}` }) > 0,
      write: async (sourceId: string, source: SourceRecord, pages: Iterable<[string, PageRecord]>) => {
        await this.db.batch(() => {
          this.db.put(sourceKey(sourceId), source);
          for (const [externalId, record] of pages) this.db.put(itemKey("p", sourceId, externalId), record);
        });
      },
    };
  }
}
