import { MemoryStateStore } from "./memory-state-store.js";
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

/**
 * A read-through view of a store for dry runs: reads come from the real store, every write (run
 * fencing, seen-marks, ledger entries, deletions log) lands in memory and is forgotten, so a plan runs
 * the very same engine code as a sync without changing anything. Page writes never happen in a dry
 * run (the engine does not send, so it has nothing to record) and are ignored here.
 */
export class DryRunStateStore implements StateStore {
  private readonly overlay: MemoryStateStore;
  private readonly cleared = new Set<string>();

  constructor(private readonly real: StateStore) {
    this.overlay = new MemoryStateStore();
  }

  now(): Promise<number> {
    return this.real.now();
  }

  async getSource(sourceId: string): Promise<SourceRecord> {
    return { ...(await this.real.getSource(sourceId)), ...(await this.overlay.getSource(sourceId)) };
  }

  async updateSource(sourceId: string, patch: SourcePatch): Promise<void> {
    await this.overlay.updateSource(sourceId, patch);
  }

  async beginRun(sourceId: string, options: BeginRunOptions): Promise<RunFence & { resumed: boolean }> {
    const fence = await this.overlay.beginRun(sourceId, { ...options, resume: false });
    // The overlay's clock is the real store's, so the sweep horizon compares with real syncedAt values.
    return { ...fence, startedAt: await this.real.now() };
  }

  commitCursor(fence: RunFence, cursor: string): Promise<boolean> {
    return this.overlay.commitCursor(fence, cursor);
  }

  isCurrent(fence: RunFence): Promise<boolean> {
    return this.overlay.isCurrent(fence);
  }

  finishRun(fence: RunFence, options?: { fullListingCompleted?: boolean }): Promise<boolean> {
    return this.overlay.finishRun(fence, options);
  }

  getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>> {
    return this.real.getPages(sourceId, externalIds);
  }

  async putPage(): Promise<void> {}

  async deletePage(): Promise<void> {}

  listPages(sourceId: string): AsyncIterable<StoredPage> {
    return this.real.listPages(sourceId);
  }

  countPages(sourceId: string): Promise<number> {
    return this.real.countPages(sourceId);
  }

  markSeen(fence: RunFence, externalIds: readonly string[]): Promise<string[]> {
    return this.overlay.markSeen(fence, externalIds);
  }

  seenAmong(fence: RunFence, externalIds: readonly string[]): Promise<Set<string>> {
    return this.overlay.seenAmong(fence, externalIds);
  }

  async *sweepCandidates(fence: RunFence): AsyncIterable<StoredPage> {
    for await (const [externalId, record] of this.real.listPages(fence.sourceId)) {
      if (record.syncedAt >= fence.startedAt) continue;
      if ((await this.overlay.seenAmong(fence, [externalId])).size === 0) yield [externalId, record];
    }
  }

  async getFailures(sourceId: string, keys: readonly string[]): Promise<Map<string, FailureRecord>> {
    const found = await this.real.getFailures(
      sourceId,
      keys.filter((key) => !this.cleared.has(`${sourceId}\u0000${key}`)),
    );
    for (const [key, record] of await this.overlay.getFailures(sourceId, keys)) found.set(key, record);
    return found;
  }

  async recordFailure(
    sourceId: string,
    failure: FailureReport,
    retryAfterMs: (attempts: number) => number,
  ): Promise<FailureRecord> {
    return this.overlay.recordFailure(sourceId, failure, retryAfterMs);
  }

  async clearFailures(sourceId: string, keys: readonly string[]): Promise<void> {
    for (const key of keys) this.cleared.add(`${sourceId}\u0000${key}`);
    await this.overlay.clearFailures(sourceId, keys);
  }

  async *listFailures(sourceId: string, options?: { dueBy?: number }): AsyncIterable<FailureRecord> {
    const local = new Map<string, FailureRecord>();
    for await (const record of this.overlay.listFailures(sourceId, options)) local.set(record.key, record);
    for await (const record of this.real.listFailures(sourceId, options)) {
      if (this.cleared.has(`${sourceId}\u0000${record.key}`) || local.has(record.key)) continue;
      yield record;
    }
    yield* local.values();
  }

  async countFailures(sourceId: string): Promise<number> {
    let count = 0;
    for await (const _ of this.listFailures(sourceId)) count++;
    return count;
  }

  noteDeletions(sourceId: string, count: number, at: number): Promise<void> {
    return this.overlay.noteDeletions(sourceId, count, at);
  }

  async deletionsSince(sourceId: string, since: number): Promise<number> {
    return (
      (await this.real.deletionsSince(sourceId, since)) + (await this.overlay.deletionsSince(sourceId, since))
    );
  }

  listSourceIds(): Promise<string[]> {
    return this.real.listSourceIds();
  }

  async clearSource(): Promise<void> {}

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
