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
import { nextFailureRecord } from "./failure-records.js";

interface SourceEntry {
  record: SourceRecord;
  pages: Map<string, PageRecord>;
  seen: Set<string>;
  seenGeneration: number | undefined;
  failures: Map<string, FailureRecord>;
  deletions: number[];
}

/** State kept in memory only: for dry runs over a copy, tests and one-shot tools. */
export class MemoryStateStore implements StateStore {
  private readonly sources = new Map<string, SourceEntry>();

  constructor(private readonly clock: () => number = Date.now) {}

  async now(): Promise<number> {
    return this.clock();
  }

  async getSource(sourceId: string): Promise<SourceRecord> {
    return structuredClone(this.sources.get(sourceId)?.record ?? {});
  }

  async updateSource(sourceId: string, patch: SourcePatch): Promise<void> {
    const entry = this.entry(sourceId);
    const merged: Record<string, unknown> = { ...entry.record };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    entry.record = merged as SourceRecord;
  }

  async beginRun(sourceId: string, options: BeginRunOptions): Promise<RunFence & { resumed: boolean }> {
    const entry = this.entry(sourceId);
    const checkpoint = entry.record.checkpoint;
    if (
      options.resume &&
      checkpoint?.runId === options.runId &&
      checkpoint.generation === entry.record.generation
    ) {
      return {
        sourceId,
        runId: options.runId,
        generation: checkpoint.generation,
        startedAt: checkpoint.startedAt,
        resumed: true,
      };
    }
    const generation = (entry.record.generation ?? 0) + 1;
    const startedAt = this.clock();
    entry.record = {
      ...entry.record,
      generation,
      checkpoint: { runId: options.runId, mode: options.mode, generation, startedAt },
    };
    return { sourceId, runId: options.runId, generation, startedAt, resumed: false };
  }

  async commitCursor(fence: RunFence, cursor: string): Promise<boolean> {
    const entry = this.entry(fence.sourceId);
    if (entry.record.generation !== fence.generation) return false;
    entry.record = { ...entry.record, cursor };
    return true;
  }

  async isCurrent(fence: RunFence): Promise<boolean> {
    return this.sources.get(fence.sourceId)?.record.generation === fence.generation;
  }

  async finishRun(fence: RunFence, options: { fullListingCompleted?: boolean } = {}): Promise<boolean> {
    const entry = this.entry(fence.sourceId);
    if (entry.record.generation !== fence.generation) return false;
    const { checkpoint: _checkpoint, ...rest } = entry.record;
    entry.record = rest;
    if (options.fullListingCompleted) delete entry.record.fullListingRequired;
    if (entry.seenGeneration === fence.generation) {
      entry.seen.clear();
      entry.seenGeneration = undefined;
    }
    return true;
  }

  async getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>> {
    const pages = this.sources.get(sourceId)?.pages;
    const found = new Map<string, PageRecord>();
    for (const id of externalIds) {
      const record = pages?.get(id);
      if (record) found.set(id, { ...record });
    }
    return found;
  }

  async putPage(sourceId: string, externalId: string, record: PageRecord): Promise<void> {
    this.entry(sourceId).pages.set(externalId, { ...record });
  }

  async deletePage(sourceId: string, externalId: string): Promise<void> {
    this.sources.get(sourceId)?.pages.delete(externalId);
  }

  async *listPages(sourceId: string): AsyncIterable<StoredPage> {
    for (const [id, record] of [...(this.sources.get(sourceId)?.pages ?? [])]) yield [id, { ...record }];
  }

  async countPages(sourceId: string): Promise<number> {
    return this.sources.get(sourceId)?.pages.size ?? 0;
  }

  async markSeen(fence: RunFence, externalIds: readonly string[]): Promise<string[]> {
    const entry = this.entry(fence.sourceId);
    if (entry.seenGeneration !== fence.generation) {
      entry.seen.clear();
      entry.seenGeneration = fence.generation;
    }
    const again: string[] = [];
    for (const id of externalIds) {
      if (entry.seen.has(id)) again.push(id);
      else entry.seen.add(id);
    }
    return again;
  }

  async seenAmong(fence: RunFence, externalIds: readonly string[]): Promise<Set<string>> {
    const entry = this.sources.get(fence.sourceId);
    if (entry?.seenGeneration !== fence.generation) return new Set();
    return new Set(externalIds.filter((id) => entry.seen.has(id)));
  }

  async *sweepCandidates(fence: RunFence): AsyncIterable<StoredPage> {
    const entry = this.sources.get(fence.sourceId);
    if (!entry) return;
    const seen = entry.seenGeneration === fence.generation ? entry.seen : new Set<string>();
    for (const [id, record] of [...entry.pages]) {
      if (!seen.has(id) && record.syncedAt < fence.startedAt) yield [id, { ...record }];
    }
  }

  async getFailures(sourceId: string, keys: readonly string[]): Promise<Map<string, FailureRecord>> {
    const failures = this.sources.get(sourceId)?.failures;
    const found = new Map<string, FailureRecord>();
    for (const key of keys) {
      const record = failures?.get(key);
      if (record) found.set(key, { ...record });
    }
    return found;
  }

  async recordFailure(
    sourceId: string,
    failure: FailureReport,
    retryAfterMs: (attempts: number) => number,
  ): Promise<FailureRecord> {
    const entry = this.entry(sourceId);
    const record = nextFailureRecord(entry.failures.get(failure.key), failure, this.clock(), retryAfterMs);
    entry.failures.set(failure.key, record);
    return { ...record };
  }

  async clearFailures(sourceId: string, keys: readonly string[]): Promise<void> {
    const failures = this.sources.get(sourceId)?.failures;
    for (const key of keys) failures?.delete(key);
  }

  async *listFailures(sourceId: string, options: { dueBy?: number } = {}): AsyncIterable<FailureRecord> {
    for (const record of [...(this.sources.get(sourceId)?.failures.values() ?? [])]) {
      if (options.dueBy === undefined || record.nextRetryAt <= options.dueBy) yield { ...record };
    }
  }

  async countFailures(sourceId: string): Promise<number> {
    return this.sources.get(sourceId)?.failures.size ?? 0;
  }

  async noteDeletions(sourceId: string, count: number, at: number): Promise<void> {
    const deletions = this.entry(sourceId).deletions;
    for (let index = 0; index < count; index++) deletions.push(at);
  }

  async deletionsSince(sourceId: string, since: number): Promise<number> {
    return (this.sources.get(sourceId)?.deletions ?? []).filter((at) => at >= since).length;
  }

  async listSourceIds(): Promise<string[]> {
    return [...this.sources.keys()];
  }

  async clearSource(sourceId: string): Promise<void> {
    this.sources.delete(sourceId);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  private entry(sourceId: string): SourceEntry {
    let entry = this.sources.get(sourceId);
    if (!entry) {
      entry = {
        record: {},
        pages: new Map(),
        seen: new Set(),
        seenGeneration: undefined,
        failures: new Map(),
        deletions: [],
      };
      this.sources.set(sourceId, entry);
    }
    return entry;
  }
}
