/** One document that could not be synced, and why. */
export interface DocumentFailure {
  externalId: string;
  reason: string;
}

/** What a run did; returned by runSync/syncDocuments and logged at the end. */
export interface RunSummary {
  sourceId: string;
  runId: string;
  /** The mode that actually ran: an incremental request without a cursor runs as full. */
  mode: "full" | "incremental" | "documents";
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
  /** Documents excluded by the source's rules. */
  skipped: number;
  /** HTTP attempts made to Intercom during the run (reads and writes, retries included). */
  apiCalls: number;
  /** Of which POST/PUT/DELETE. */
  writeCalls: number;
  durationMs: number;
  /** The first 100 failures; `failed` has the full count. */
  failures: DocumentFailure[];
  /** Set when the deletion guard stopped deletions. */
  deletionsBlocked?: { candidates: number; limit: number; message: string };
  /** False when the listing stopped early (error, cancellation): no deletions were made then. */
  listingComplete: boolean;
  /** Why the listing stopped early. */
  listingError?: string;
  /**
   * True when the listing stopped on a failure that retrying cannot fix (credentials refused, options
   * wrong at run time), so a job system should fail the job instead of retrying it.
   */
  listingErrorPermanent?: boolean;
  /** True when this run resumed a checkpoint a crashed or cancelled run left behind. */
  resumed: boolean;
  /** Pages rewritten or recreated by --reconcile because Intercom had drifted. */
  repaired: number;
}

/** One page written or deleted (or, in a dry run, that would be): for listings and metrics. */
export interface PageChange {
  action: "created" | "updated" | "deleted";
  externalId: string;
  /** Intercom's page id; absent in dry runs for pages that do not exist yet. */
  pageId?: string;
}

/** Progress events for progress bars; `total` is unknown while a listing streams. */
export interface RunProgress {
  sourceId: string;
  phase: "listing" | "deleting" | "done";
  processed: number;
  total?: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
  skipped: number;
}

const MAX_LISTED_FAILURES = 100;

/** Mutable tallies of a run, turned into a RunSummary at the end. */
export class RunTally {
  created = 0;
  updated = 0;
  unchanged = 0;
  deleted = 0;
  failed = 0;
  skipped = 0;
  repaired = 0;
  readonly failures: DocumentFailure[] = [];

  fail(externalId: string, reason: string): void {
    this.failed++;
    if (this.failures.length < MAX_LISTED_FAILURES) this.failures.push({ externalId, reason });
  }

  get processed(): number {
    return this.created + this.updated + this.unchanged + this.failed + this.skipped;
  }

  progress(sourceId: string, phase: RunProgress["phase"]): RunProgress {
    return {
      sourceId,
      phase,
      processed: this.processed,
      created: this.created,
      updated: this.updated,
      unchanged: this.unchanged,
      deleted: this.deleted,
      failed: this.failed,
      skipped: this.skipped,
    };
  }
}

/** True when the run needs attention: the CLI exits non-zero. */
export function runHasProblems(summary: RunSummary): boolean {
  return summary.failed > 0 || summary.deletionsBlocked !== undefined || !summary.listingComplete;
}
