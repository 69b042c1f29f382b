import {
  IntercomNetworkError,
  IntercomRateLimitError,
  IntercomResponseValidationError,
  IntercomServerError,
} from "@content-sync/intercom";
import { pino } from "pino";
import { describeError } from "./apply-document.js";
import { RunTally, type RunSummary, summarise } from "./run-summary.js";
import { type RunDependencies, SourceRun } from "./source-run.js";

export type SyncRunParams = RunDependencies;

export interface RunSyncParams extends RunDependencies {
  /**
   * `incremental` uses the connector's change feed from the stored cursor when both exist (and the
   * source needs no full listing), else the run is full. Only full runs sweep unlisted pages.
   */
  mode: "full" | "incremental";
  /** Compare with the pages actually in Intercom and repair drift (implies a full listing). */
  reconcile?: boolean;
}

export interface SyncDocumentsParams extends RunDependencies {
  /** Documents to reindex (webhooks): found ones are applied, confirmed-gone ones have their pages deleted. */
  externalIds: readonly string[];
  /**
   * Ids a verified webhook reported deleted: the product's own word, so a `missing` answer for one of
   * them confirms the deletion. Any other `missing` id is recorded as a failure, never deleted.
   */
  deletedByWebhook?: readonly string[];
}

/**
 * Brings one source's External Pages in line with the source, in this process: plan (dryRun) or
 * apply. The steps, in order, are SourceRun's: begin (fence, mode, rebuild), list (apply as it
 * streams, cursors committed after what they cover), retry the ledger's due documents, settle the
 * run's deletions once, finish.
 *
 * Throws SyncAbortedError when `signal` aborts (state is flushed first), RunSupersededError when a
 * later run of the source took over, and rethrows errors that stop every document alike (Intercom
 * auth, Content Import Source problems). Intercom being unreachable while the run begins (a dropped
 * connection, a server error after the client's retries) is not thrown: the run returns a failed
 * summary that says why, as a listing that failed at once does.
 */
export async function runSync(params: RunSyncParams): Promise<RunSummary> {
  const startedAt = performance.now();
  const before = params.apiCalls?.snapshot() ?? { total: 0, writes: 0 };
  let run: SourceRun;
  try {
    run = await SourceRun.begin(params, {
      mode: params.mode,
      ...(params.reconcile !== undefined ? { reconcile: params.reconcile } : {}),
    });
  } catch (error) {
    if (!isIntercomUnavailable(error)) throw error;
    const reason = `Intercom could not be reached to set up the Content Import Source: ${describeError(error)}`;
    (params.logger ?? pino({ level: "silent" })).error(
      { sourceId: params.source.id, err: error },
      "the run could not begin",
    );
    const after = params.apiCalls?.snapshot() ?? before;
    return summarise({
      sourceId: params.source.id,
      runId: params.runId ?? "not-started",
      mode: params.mode,
      dryRun: params.dryRun ?? false,
      tally: new RunTally(),
      apiCalls: after.total - before.total,
      writeCalls: after.writes - before.writes,
      durationMs: Math.round(performance.now() - startedAt),
      listingComplete: false,
      listingYielded: 0,
      setupError: reason,
      resumed: false,
      superseded: false,
      duplicates: 0,
      repaired: 0,
    });
  }
  await run.list();
  await run.retryDueFailures();
  await run.settleDeletions();
  return run.finish();
}

/**
 * Targeted reindex (webhooks, an operator's list): fetches the given documents by id and applies
 * them. Documents the product confirms gone have their pages deleted within the rolling deletion
 * limit; documents it merely did not return are recorded in the failure ledger, never deleted. A
 * failed fetch records every document in the ledger and throws, so a job system retries it.
 */
export async function syncDocuments(params: SyncDocumentsParams): Promise<RunSummary> {
  const run = await SourceRun.targeted(params);
  await run.applyIds(params.externalIds, { confirmedDeleted: new Set(params.deletedByWebhook ?? []) });
  await run.settleDeletions({ keys: new Set(params.externalIds) });
  return run.finish();
}

/** Documents looked up per batch in a windowed backfill. */
const BACKFILL_CHUNK = 100;

/**
 * A windowed backfill (`backfill --since`): lists the source and re-sends only documents updated at or
 * after `since`, by id. It never deletes: a window says nothing about what is gone.
 */
export async function backfillSince(params: RunDependencies, since: Date): Promise<RunSummary> {
  const run = await SourceRun.targeted(params);
  let chunk: string[] = [];
  for await (const event of params.connector.listAll({ signal: run.signal, logger: run.logger })) {
    if (run.signal.aborted) break;
    if (
      event.kind !== "document" ||
      (event.document.updatedAt !== undefined && event.document.updatedAt < since)
    )
      continue;
    chunk.push(event.document.externalId);
    if (chunk.length >= BACKFILL_CHUNK) {
      await run.applyIds(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await run.applyIds(chunk);
  return run.finish();
}

/**
 * Intercom did not answer usefully (no response, a server error or 429 the client's retries did not
 * get past, a body of the wrong shape): nothing about the source or its documents is known, so the
 * run fails as a whole and the next one starts over. A dropped POST that created the Content Import
 * Source anyway is found by its URL on the next run, never created twice.
 */
function isIntercomUnavailable(error: unknown): boolean {
  return (
    error instanceof IntercomNetworkError ||
    error instanceof IntercomServerError ||
    error instanceof IntercomRateLimitError ||
    error instanceof IntercomResponseValidationError
  );
}
