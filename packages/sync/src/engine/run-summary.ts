import type { DeletionLimitError, DeletionsHeldError } from "./errors.js";

/** One document that could not be synced, and why. */
export interface DocumentFailure {
  externalId: string;
  reason: string;
}

/**
 * How a run ended, for exit codes, job states and people:
 * - `succeeded`: everything listed was applied and every due deletion made;
 * - `partial`: the run did work but something is left (documents failed and wait in the failure
 *   ledger, deletions were held by a limit, the listing stopped part way, the run was superseded);
 * - `failed`: nothing reached Intercom because the listing failed before yielding anything.
 */
export type RunStatus = "succeeded" | "partial" | "failed";

/** What a run did; returned by runSync/syncDocuments and logged at the end. */
export interface RunSummary {
  sourceId: string;
  runId: string;
  /** The mode that actually ran: an incremental request without a cursor runs as full. */
  mode: "full" | "incremental" | "documents";
  dryRun: boolean;
  status: RunStatus;
  /** One sentence saying what happened, for the CLI, the status page and logs. */
  headline: string;
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
  /** Set when a deletion limit (or a state rebuild) held the run's deletions back. */
  deletionsBlocked?: { candidates: number; limit: number; message: string };
  /** False when the listing stopped early (error, cancellation): nothing was swept then. */
  listingComplete: boolean;
  /** Why the listing stopped early. */
  listingError?: string;
  /**
   * True when the listing stopped on a failure that retrying cannot fix (credentials refused, options
   * wrong at run time), so a job system should fail the job instead of retrying it.
   */
  listingErrorPermanent?: boolean;
  /** True when this run continued a checkpoint a crashed run left behind. */
  resumed: boolean;
  /** True when a later run of the source took over before this one could commit. */
  superseded: boolean;
  /** Pages rewritten or recreated because Intercom had drifted (reconcile). */
  repaired: number;
}

/** One page written or deleted (or, in a dry run, that would be): for listings and metrics. */
export interface PageChange {
  action: "created" | "updated" | "deleted";
  externalId: string;
  /** Intercom's page id; absent in dry runs for pages that do not exist yet. */
  pageId?: string;
  /** Why, for the audit trail: "new document", "content changed", "deleted in the source"… */
  reason?: string;
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

export interface SummaryFacts {
  sourceId: string;
  runId: string;
  mode: RunSummary["mode"];
  dryRun: boolean;
  tally: RunTally;
  apiCalls: number;
  writeCalls: number;
  durationMs: number;
  listingComplete: boolean;
  /** Documents (and failures) the listing yielded before it ended. */
  listingYielded: number;
  listingError?: string;
  listingErrorPermanent?: boolean;
  /** Why the run could not even begin (Intercom unreachable while setting up); the run failed. */
  setupError?: string;
  deletionsBlocked?: DeletionLimitError | DeletionsHeldError;
  resumed: boolean;
  superseded: boolean;
  duplicates: number;
  repaired: number;
}

/** The summary of a run, with a status and a headline that say what really happened. */
export function summarise(facts: SummaryFacts): RunSummary {
  const { tally } = facts;
  const status = statusOf(facts);
  return {
    sourceId: facts.sourceId,
    runId: facts.runId,
    mode: facts.mode,
    dryRun: facts.dryRun,
    status,
    headline: headlineOf(facts, status),
    created: tally.created,
    updated: tally.updated,
    unchanged: tally.unchanged,
    deleted: tally.deleted,
    failed: tally.failed,
    skipped: tally.skipped,
    apiCalls: facts.apiCalls,
    writeCalls: facts.writeCalls,
    durationMs: facts.durationMs,
    failures: [...tally.failures],
    ...(facts.deletionsBlocked
      ? {
          deletionsBlocked: {
            candidates: facts.deletionsBlocked.candidates,
            limit: "limit" in facts.deletionsBlocked ? facts.deletionsBlocked.limit : 0,
            message: facts.deletionsBlocked.message,
          },
        }
      : {}),
    listingComplete: facts.listingComplete,
    ...(facts.listingError !== undefined
      ? { listingError: facts.listingError, listingErrorPermanent: facts.listingErrorPermanent ?? false }
      : {}),
    ...(facts.setupError !== undefined
      ? { listingError: facts.setupError, listingErrorPermanent: false }
      : {}),
    resumed: facts.resumed,
    superseded: facts.superseded,
    repaired: facts.repaired,
  };
}

function statusOf(facts: SummaryFacts): RunStatus {
  if (facts.setupError !== undefined) return "failed";
  if (!facts.listingComplete && facts.listingYielded === 0 && facts.listingError !== undefined)
    return "failed";
  if (
    !facts.listingComplete ||
    facts.tally.failed > 0 ||
    facts.deletionsBlocked !== undefined ||
    facts.superseded
  ) {
    return "partial";
  }
  return "succeeded";
}

function headlineOf(facts: SummaryFacts, status: RunStatus): string {
  const { tally } = facts;
  const would = facts.dryRun ? "would be " : "";
  if (facts.setupError !== undefined)
    return `the run could not begin: ${facts.setupError}; nothing was synced or deleted`;
  if (status === "failed") {
    return `the listing failed before it yielded a single document: ${facts.listingError}; nothing was synced or deleted`;
  }
  const parts: string[] = [];
  if (facts.listingError !== undefined) {
    parts.push(
      `the listing stopped after ${facts.listingYielded} document(s): ${facts.listingError}; nothing was swept`,
    );
  } else if (!facts.listingComplete) {
    parts.push("the run was interrupted before its listing ended; nothing was swept");
  }
  if (facts.superseded)
    parts.push("a later run of the source took over; this one stopped without committing its cursor");
  if (facts.deletionsBlocked) parts.push(facts.deletionsBlocked.message);
  if (tally.failed > 0) {
    parts.push(
      `${tally.failed} document(s) failed${facts.dryRun ? "" : " and wait in the failure ledger for a retry"}${facts.duplicates > 0 ? ` (${facts.duplicates} duplicate external id(s) in the listing)` : ""}`,
    );
  }
  const writes = tally.created + tally.updated + tally.deleted;
  if (parts.length === 0) {
    if (writes === 0)
      return facts.dryRun
        ? "everything is up to date: nothing would change"
        : "everything is up to date: no page needed a write";
    return `${tally.created} page(s) ${would}created, ${tally.updated} ${would}updated, ${tally.deleted} ${would}deleted`;
  }
  return parts.join("; ");
}

/** True when the run needs attention: the CLI exits non-zero. */
export function runHasProblems(summary: RunSummary): boolean {
  return summary.status !== "succeeded";
}
