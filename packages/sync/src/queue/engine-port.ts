import type { Logger } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { DocumentError, RunCounts } from "./run-ledger.js";

/** What one engine call did. */
export interface SyncOutcome {
  counts: RunCounts;
  errors: DocumentError[];
  /** Things the run chose not to do (deletions over the limit, deletions after an incomplete listing). */
  notes: string[];
}

export interface EngineCallContext {
  signal: AbortSignal;
  logger: Logger;
}

/** One item of a full listing for fan-out: an id to (re)sync, or the cursor covering what came before. */
export type ListingItem =
  | { kind: "id"; externalId: string; updatedAt?: Date }
  | { kind: "cursor"; cursor: string };

/**
 * What the job handlers need from the sync engine, for one source at a time. The queue code depends
 * on this seam only, so its locking, fan-out and retry logic is independent of how the engine builds
 * connectors, clients and state.
 */
export interface SourceSyncEngine {
  /** A whole run in this process (incremental runs, and full runs of sources not fanned out). */
  run(
    source: SourceConfig,
    mode: "full" | "incremental",
    options: EngineCallContext & { since?: Date; forceDeletes?: boolean },
  ): Promise<SyncOutcome>;
  /** Fetches the named documents and applies them (webhooks, fan-out batches). */
  syncDocuments(
    source: SourceConfig,
    externalIds: readonly string[],
    /** `deletedByWebhook`: ids a verified webhook reported deleted (see SyncDocumentsParams). */
    options: EngineCallContext & { since?: Date; deletedByWebhook?: readonly string[] },
  ): Promise<SyncOutcome>;
  /** Everything a fanned-out run needs before batches start (the Content Import Source). */
  prepare(source: SourceConfig, options: EngineCallContext): Promise<void>;
  /**
   * The source's full listing as ids. Throws when the listing could not complete: no sweep may follow.
   * Documents that exist but failed to read are yielded too (they must count as seen).
   */
  list(source: SourceConfig, options: EngineCallContext): AsyncIterable<ListingItem>;
  /** Deletes pages of documents the listing did not see, within the source's deletion limit. */
  sweep(
    source: SourceConfig,
    isSeen: (externalId: string) => Promise<boolean>,
    options: EngineCallContext & { forceDeletes?: boolean; cursor?: string },
  ): Promise<SyncOutcome>;
}
