import { isIntercomAuthError } from "@content-sync/intercom";
import pLimit from "p-limit";
import type { Logger } from "pino";
import type { MaxDeletes, SourceConfig } from "../config/types.js";
import type { RunFence, StateStore } from "../state/state-store.js";
import { applyDeletion } from "./apply-deletion.js";
import { describeError } from "./apply-document.js";
import { DeletionLimitError, DeletionsHeldError } from "./errors.js";
import type { FailureLedgerWriter } from "./failure-ledger.js";
import type { SyncClient } from "./intercom-api.js";
import type { DocumentFailure, PageChange } from "./run-summary.js";

/** A page to delete, and why it is one. */
interface Candidate {
  /** Ledger key (the external id, or `page:<id>` for a page of a replaced Content Import Source). */
  key: string;
  externalId: string;
  pageId: string;
  /** Recorded in the ledger (held deletions stay there); sweep candidates are found again next time. */
  fromLedger: boolean;
  /** Why it is deleted, for the audit trail. */
  reason: string;
}

export interface SettleDeletionsParams {
  source: SourceConfig;
  client: SyncClient;
  state: StateStore;
  ledger: FailureLedgerWriter;
  /**
   * The run's fence when its full listing completed: stored pages it did not see and that were
   * synced before it began are deleted too. Absent: only the ledger's due deletions are considered.
   */
  sweep?: RunFence;
  /** The deletions belong to a full run: only the per-run limit applies, not the rolling one. */
  fullRun: boolean;
  /** Only these ledger keys (a targeted job settles its own documents, not the whole source's). */
  keys?: ReadonlySet<string>;
  /** Pages of the source the share-based limit is computed from. */
  totalPages: number;
  dryRun: boolean;
  /** Delete even above `deletion.maxDeletes` (an operator's explicit decision). */
  forceDeletes: boolean;
  concurrency: number;
  signal: AbortSignal;
  logger: Logger;
  onChange?: (change: PageChange) => void;
}

export interface DeletionOutcome {
  deleted: number;
  failures: DocumentFailure[];
  /** Set when nothing was deleted because a limit or the recovery rule held the deletions back. */
  blocked?: DeletionLimitError | DeletionsHeldError;
}

/** The limit in pages: a count as is, a share ("10%") of `totalPages`, rounded down. */
export function resolveDeletionLimit(maxDeletes: MaxDeletes, totalPages: number): number {
  if (typeof maxDeletes === "number") return maxDeletes;
  const share = Number.parseFloat(maxDeletes.replace("%", ""));
  return Math.floor((share / 100) * totalPages);
}

/**
 * A run's one deletion step: decides every deletion of the run at once, against one limit, however
 * the run was batched. Candidates are the ledger's due deletions (tombstones, documents that left the
 * scope, pages of a replaced Content Import Source) and, after a complete full listing, the stored
 * pages it did not see that were synced before it began. All or nothing: above the limit nothing is
 * deleted and the held deletions stay in the ledger, where the status shows them. Deletions outside
 * full runs also share a rolling budget per source (`deletion.window`), so webhooks and incremental
 * runs cannot drain a source page by page. While the source's state is being rebuilt, only a full
 * listing may delete.
 */
export async function settleDeletions(params: SettleDeletionsParams): Promise<DeletionOutcome> {
  const { source, state, ledger, logger } = params;
  const limit = resolveDeletionLimit(source.deletion.maxDeletes, params.totalPages);
  // Above the limit nothing is deleted, so beyond limit + 1 candidates only the count matters.
  const keepAtMost = params.forceDeletes ? Number.POSITIVE_INFINITY : limit + 1;
  const candidates = new Map<string, Candidate>();
  let total = 0;
  const add = (candidate: Candidate) => {
    const known = candidates.get(candidate.key);
    if (known) {
      known.fromLedger ||= candidate.fromLedger;
      return;
    }
    total++;
    if (candidates.size < keepAtMost) candidates.set(candidate.key, candidate);
  };

  const now = await state.now();
  if (params.sweep) {
    for await (const [externalId, record] of state.sweepCandidates(params.sweep)) {
      add({
        key: externalId,
        externalId,
        pageId: record.pageId,
        fromLedger: false,
        reason: "not in the complete listing",
      });
    }
  }
  for await (const entry of state.listFailures(source.id, { dueBy: now })) {
    if (entry.kind !== "deletion" || entry.pageId === undefined) continue;
    if (params.keys && !params.keys.has(entry.key)) continue;
    add({
      key: entry.key,
      externalId: entry.externalId,
      pageId: entry.pageId,
      fromLedger: true,
      reason: entry.reason,
    });
  }
  if (total === 0) return { deleted: 0, failures: [] };

  const blocked = await deletionBlock(params, total, limit, now);
  if (blocked) {
    logger.error({ candidates: total, limit }, blocked.message);
    for (const candidate of candidates.values()) {
      if (candidate.fromLedger)
        ledger.deletionHeld(candidate.key, candidate.externalId, candidate.pageId, blocked.message);
    }
    await ledger.settle();
    return { deleted: 0, failures: [], blocked };
  }

  const limitConcurrency = pLimit(params.concurrency);
  const failures: DocumentFailure[] = [];
  let deleted = 0;
  await Promise.all(
    [...candidates.values()].map((candidate) =>
      limitConcurrency(async () => {
        if (params.signal.aborted) return;
        try {
          await applyDeletion({
            sourceId: source.id,
            externalId: candidate.externalId,
            pageId: candidate.pageId,
            client: params.client,
            state,
            dryRun: params.dryRun,
            signal: params.signal,
            logger,
            // A page of an old Content Import Source has no record of its own to forget.
            forgetRecord: candidate.key === candidate.externalId,
          });
          deleted++;
          ledger.clear([candidate.key]);
          params.onChange?.({
            action: "deleted",
            externalId: candidate.externalId,
            pageId: candidate.pageId,
            reason: candidate.reason,
          });
        } catch (error) {
          if (params.signal.aborted || isIntercomAuthError(error)) throw error;
          const reason = `delete failed: ${describeError(error)}`;
          failures.push({ externalId: candidate.externalId, reason });
          ledger.deletionHeld(candidate.key, candidate.externalId, candidate.pageId, reason);
        }
      }),
    ),
  );
  if (!params.fullRun && deleted > 0 && !params.dryRun) await state.noteDeletions(source.id, deleted, now);
  await ledger.settle();
  return { deleted, failures };
}

async function deletionBlock(
  params: SettleDeletionsParams,
  total: number,
  limit: number,
  now: number,
): Promise<DeletionLimitError | DeletionsHeldError | undefined> {
  const { source } = params;
  if (!params.sweep && (await params.state.getSource(source.id)).fullListingRequired) {
    return new DeletionsHeldError(source.id, total);
  }
  if (params.forceDeletes) return undefined;
  if (total > limit)
    return new DeletionLimitError(source.id, total, limit, source.deletion.maxDeletes, "run");
  if (!params.fullRun) {
    const recent = await params.state.deletionsSince(source.id, now - source.deletion.windowMs);
    if (recent + total > limit) {
      return new DeletionLimitError(
        source.id,
        recent + total,
        limit,
        source.deletion.maxDeletes,
        "window",
        source.deletion.windowMs,
      );
    }
  }
  return undefined;
}

/**
 * After a complete full listing: ledger entries of documents the listing no longer has are over
 * (their pages, if any, were just swept). Streams the ledger in chunks.
 */
export async function forgetVanishedFailures(
  state: StateStore,
  fence: RunFence,
  ledger: FailureLedgerWriter,
): Promise<void> {
  let chunk: string[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const seen = await state.seenAmong(fence, chunk);
    ledger.clear(chunk.filter((externalId) => !seen.has(externalId)));
    chunk = [];
  };
  for await (const entry of state.listFailures(fence.sourceId)) {
    if (entry.kind === "deletion") continue;
    chunk.push(entry.externalId);
    if (chunk.length >= 500) await flush();
  }
  await flush();
  await ledger.settle();
}
