/** What the engine remembers about one document it synced. */
export interface PageRecord {
  /** Intercom's External Page id. */
  pageId: string;
  /** SHA-256 of the exact payload last sent (title, html, url, availability), hex. */
  contentHash: string;
  /** The connector's cheap version at that time ("" when it has none: the engine loads and hashes). */
  version: string;
  /**
   * When the job that wrote or confirmed the page began observing the source, in the store's clock
   * (`StateStore.now`, one clock for the whole fleet). A sweep may only delete pages synced before its
   * listing began, so a page written by a webhook during a long full run survives that run's sweep.
   */
  syncedAt: number;
}

/**
 * Why an entry sits in the failure ledger:
 * - `document`: it exists but could not be read, converted or written;
 * - `missing`: fetched by id and not returned (404, a refusal, ENOENT). Not proof of deletion: only a
 *   later listing that completes without it may delete its page;
 * - `deletion`: a deletion that is due but was not made (held by a deletion limit, the delete call
 *   failed, or a tombstone the cursor moved past). Retried under the limits by later runs.
 */
export type FailureKind = "document" | "missing" | "deletion";

/** One entry of a source's failure ledger. */
export interface FailureRecord {
  /** Unique within the source: the external id, or `page:<id>` for a page to delete that has no document. */
  key: string;
  externalId: string;
  kind: FailureKind;
  /** What went wrong last time, for people (never a secret). */
  reason: string;
  /** Failed attempts so far (1 after the first failure). */
  attempts: number;
  firstFailedAt: number;
  lastFailedAt: number;
  /** No run retries it before this time (store clock, ms). */
  nextRetryAt: number;
  /** For deletions: the page to delete. */
  pageId?: string;
}

/** A failure as reported by a run; the store turns it into a FailureRecord (attempts, times). */
export interface FailureReport {
  key: string;
  externalId: string;
  kind: FailureKind;
  reason: string;
  pageId?: string;
}

/** Per-source facts outside the document map. */
export interface SourceRecord {
  /** Intercom Content Import Source id once ensured. */
  contentImportSourceId?: number;
  /** Its URL at that time: while the config names the same URL, the id is trusted without listing sources. */
  contentImportSourceUrl?: string;
  /** Incremental cursor committed by the last run that applied everything before it. */
  cursor?: string;
  /** Checkpoint of a run in progress, so a crashed run resumes instead of restarting. */
  checkpoint?: RunCheckpoint;
  /** Fencing token: every run start takes the next one; only the current generation may commit. */
  generation?: number;
  /**
   * Set when the page state was lost or rebuilt (a wiped Redis): nothing may be deleted, neither by a
   * sweep nor by a webhook, until a full listing of the source has completed.
   */
  fullListingRequired?: boolean;
}

/** The source facts `updateSource` may change (everything else is fenced). */
export type SourcePatch = Partial<
  Pick<SourceRecord, "contentImportSourceId" | "contentImportSourceUrl" | "fullListingRequired">
>;

/** The run that currently owns a source's state. */
export interface RunCheckpoint {
  runId: string;
  mode: "full" | "incremental";
  generation: number;
  /** Store clock when the run began (its listing starts after this): the sweep's horizon. */
  startedAt: number;
}

/** Proof that a run owns a source's state: its generation. Stale fences cannot commit. */
export interface RunFence {
  sourceId: string;
  runId: string;
  generation: number;
  /** Store clock when the run began; pages synced at or after it are never swept by this run. */
  startedAt: number;
}

export interface BeginRunOptions {
  runId: string;
  mode: "full" | "incremental";
  /**
   * Continue the checkpoint left by this run id (a job taken over after a crash) with its generation
   * and start time, when that run still holds the current generation.
   */
  resume?: boolean;
}

/** Rows `sweepCandidates` yields: a stored page the run's listing did not see. */
export type StoredPage = [externalId: string, record: PageRecord];

/**
 * Durable state of every source: pages, cursor, run fencing, failure ledger and a deletion log.
 * One implementation per home: an embedded database (LMDB) for inline runs, Redis for the services,
 * memory for tests and dry runs. Every write is incremental (one record at a time, never a rewrite of
 * the whole state) and ordered, so a crash at any point leaves a state a later run can continue from.
 */
export interface StateStore {
  /** The store's clock in unix ms: Redis `TIME` for the fleet, the local clock for inline stores. */
  now(): Promise<number>;

  getSource(sourceId: string): Promise<SourceRecord>;
  /**
   * Patches the facts that need no fencing; `undefined` removes a key. Cursor, checkpoint and
   * generation change only through `beginRun`, `commitCursor` and `finishRun`.
   */
  updateSource(sourceId: string, patch: SourcePatch): Promise<void>;

  /** Starts (or resumes) a run: takes the next generation and records the checkpoint, atomically. */
  beginRun(sourceId: string, options: BeginRunOptions): Promise<RunFence & { resumed: boolean }>;
  /** Stores the cursor only while the fence is current (compare-and-set); false when superseded. */
  commitCursor(fence: RunFence, cursor: string): Promise<boolean>;
  /** True while no later run has begun on the source. */
  isCurrent(fence: RunFence): Promise<boolean>;
  /**
   * Ends the run: clears its checkpoint and seen-marks; with `fullListingCompleted` also lifts
   * `fullListingRequired`. Only the current generation may finish; false when superseded.
   */
  finishRun(fence: RunFence, options?: { fullListingCompleted?: boolean }): Promise<boolean>;

  getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>>;
  putPage(sourceId: string, externalId: string, record: PageRecord): Promise<void>;
  deletePage(sourceId: string, externalId: string): Promise<void>;
  /** Every page record of the source, streamed; order unspecified. Safe to delete while iterating. */
  listPages(sourceId: string): AsyncIterable<StoredPage>;
  countPages(sourceId: string): Promise<number>;

  /**
   * Marks documents the run's listing saw (they exist now); only these are safe from its sweep.
   * Returns the ids this generation had already marked: a listing that yields one id twice.
   */
  markSeen(fence: RunFence, externalIds: readonly string[]): Promise<string[]>;
  /** Which of `externalIds` the fenced run marked as seen. */
  seenAmong(fence: RunFence, externalIds: readonly string[]): Promise<Set<string>>;
  /** Stored pages the fenced run did not mark and that were synced before it began. Streamed. */
  sweepCandidates(fence: RunFence): AsyncIterable<StoredPage>;

  /** Ledger entries by key (missing keys are absent from the map). */
  getFailures(sourceId: string, keys: readonly string[]): Promise<Map<string, FailureRecord>>;
  /**
   * Records a failure: a new entry, or the next attempt of an existing one. `retryAfterMs` maps the
   * attempt count (1 for the first failure) to the wait before the next retry.
   */
  recordFailure(
    sourceId: string,
    failure: FailureReport,
    retryAfterMs: (attempts: number) => number,
  ): Promise<FailureRecord>;
  clearFailures(sourceId: string, keys: readonly string[]): Promise<void>;
  /** The ledger, streamed; `dueBy` keeps entries whose `nextRetryAt` has come. */
  listFailures(sourceId: string, options?: { dueBy?: number }): AsyncIterable<FailureRecord>;
  countFailures(sourceId: string): Promise<number>;

  /** Logs deletions made outside full runs, for the rolling per-source deletion limit. */
  noteDeletions(sourceId: string, count: number, at: number): Promise<void>;
  /** Deletions logged at or after `since`. */
  deletionsSince(sourceId: string, since: number): Promise<number>;

  /** Ids of every source this store holds state for (to find sources that left the config). */
  listSourceIds(): Promise<string[]>;
  /** Forgets everything about one source (after its pages and Content Import Source were removed). */
  clearSource(sourceId: string): Promise<void>;

  /** Waits until every write made so far is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Key of the ledger entry for a page to delete that has no document (an old Content Import Source's). */
export const orphanPageKey = (pageId: string): string => `page:${pageId}`;
