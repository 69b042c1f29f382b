import { isIntercomAuthError } from "@content-sync/intercom";
import pLimit from "p-limit";
import type { Logger } from "pino";
import { pino } from "pino";
import type { MaxDeletes, SourceConfig } from "../config/types.js";
import type { StateStore } from "../state/state-store.js";
import { applyDeletion } from "./apply-deletion.js";
import { describeError } from "./apply-document.js";
import { DeletionLimitError } from "./errors.js";
import type { SyncClient } from "./intercom-api.js";
import type { DocumentFailure, PageChange } from "./run-summary.js";

/** A page to delete: its external id, and Intercom's page id. */
export interface DeletionCandidate {
  externalId: string;
  pageId: string;
}

export interface DeleteCandidatesParams {
  source: SourceConfig;
  client: SyncClient;
  state: StateStore;
  candidates: readonly DeletionCandidate[];
  dryRun?: boolean;
  /** Delete even above `deletion.maxDeletes`. */
  forceDeletes?: boolean;
  /** Pages of the source the share-based limit is computed from. Default: the stored page count. */
  totalPages?: number;
  /** Deletions already made earlier in the same run; they count against the limit. Default 0. */
  alreadyDeleted?: number;
  concurrency?: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** Called for every page deleted (or that would be, in a dry run). */
  onChange?: (change: PageChange) => void;
}

export interface DeletionResult {
  deleted: number;
  failures: DocumentFailure[];
  /** Set when the guard stopped every deletion of this batch. */
  blocked?: DeletionLimitError;
}

export interface SweepDeletionsParams extends Omit<DeleteCandidatesParams, "candidates"> {
  /**
   * Whether the completed listing yielded this document (documents whose listing event was `failed`
   * count as seen: unreadable is not deleted). May be async for listings tracked in Redis.
   */
  isSeen(externalId: string): boolean | Promise<boolean>;
  /** Known candidates besides unseen stored pages: documents excluded by rules, tombstones, orphans. */
  extraCandidates?: Iterable<DeletionCandidate>;
}

/** The limit in pages: a count as is, a share ("10%") of `totalPages`, rounded down. */
export function resolveDeletionLimit(maxDeletes: MaxDeletes, totalPages: number): number {
  if (typeof maxDeletes === "number") return maxDeletes;
  const share = Number.parseFloat(maxDeletes.replace("%", ""));
  return Math.floor((share / 100) * totalPages);
}

/**
 * After a listing that COMPLETED without error: deletes the pages of stored documents the listing no
 * longer has, plus `extraCandidates`. All-or-nothing against the deletion limit: above it nothing is
 * deleted and `blocked` says why.
 */
export async function sweepDeletions(params: SweepDeletionsParams): Promise<DeletionResult> {
  const candidates = new Map<string, DeletionCandidate>();
  for await (const [externalId, record] of params.state.listPages(params.source.id)) {
    if (!(await params.isSeen(externalId))) candidates.set(externalId, { externalId, pageId: record.pageId });
  }
  for (const candidate of params.extraCandidates ?? []) candidates.set(candidate.externalId, candidate);
  return deleteCandidates({ ...params, candidates: [...candidates.values()] });
}

/** Deletes the given pages, guarded by the source's deletion limit; per-page failures are reported. */
export async function deleteCandidates(params: DeleteCandidatesParams): Promise<DeletionResult> {
  const logger = params.logger ?? pino({ level: "silent" });
  const { source, candidates } = params;
  if (candidates.length === 0) return { deleted: 0, failures: [] };
  const totalPages = params.totalPages ?? (await params.state.countPages(source.id));
  const limit = resolveDeletionLimit(source.deletion.maxDeletes, totalPages);
  const wanted = (params.alreadyDeleted ?? 0) + candidates.length;
  if (wanted > limit && !params.forceDeletes) {
    const blocked = new DeletionLimitError(source.id, wanted, limit, source.deletion.maxDeletes);
    logger.error({ sourceId: source.id, candidates: wanted, limit }, blocked.message);
    return { deleted: 0, failures: [], blocked };
  }

  const limitConcurrency = pLimit(params.concurrency ?? source.concurrency);
  const failures: DocumentFailure[] = [];
  let deleted = 0;
  await Promise.all(
    candidates.map((candidate) =>
      limitConcurrency(async () => {
        if (params.signal?.aborted) return;
        try {
          await applyDeletion({
            sourceId: source.id,
            externalId: candidate.externalId,
            pageId: candidate.pageId,
            client: params.client,
            state: params.state,
            ...(params.dryRun !== undefined ? { dryRun: params.dryRun } : {}),
            ...(params.signal ? { signal: params.signal } : {}),
            logger,
          });
          deleted++;
          params.onChange?.({
            action: "deleted",
            externalId: candidate.externalId,
            pageId: candidate.pageId,
          });
        } catch (error) {
          if (params.signal?.aborted || isIntercomAuthError(error)) throw error;
          failures.push({
            externalId: candidate.externalId,
            reason: `delete failed: ${describeError(error)}`,
          });
        }
      }),
    ),
  );
  return { deleted, failures };
}
