import type { RunSummary } from "./run-summary.js";
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
 * auth, Content Import Source problems).
 */
export async function runSync(params: RunSyncParams): Promise<RunSummary> {
  const run = await SourceRun.begin(params, {
    mode: params.mode,
    ...(params.reconcile !== undefined ? { reconcile: params.reconcile } : {}),
  });
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
