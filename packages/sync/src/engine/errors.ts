import type { RunSummary } from "./run-summary.js";

/** A run would delete more pages than the source's `deletion.maxDeletes` allows; nothing was deleted. */
export class DeletionLimitError extends Error {
  override readonly name = "DeletionLimitError";
  constructor(
    readonly sourceId: string,
    /** Pages the run would have deleted. */
    readonly candidates: number,
    /** The limit in pages, after resolving a share such as "10%". */
    readonly limit: number,
    /** The limit as configured. */
    readonly configured: number | string,
  ) {
    super(
      `source "${sourceId}": ${candidates} pages would be deleted, above the limit of ${limit}` +
        ` (deletion.maxDeletes: ${JSON.stringify(configured)}); nothing was deleted.` +
        " Check the source, then rerun with --force-deletes if the deletions are intended.",
    );
  }
}

export const isDeletionLimitError = (error: unknown): error is DeletionLimitError =>
  error instanceof DeletionLimitError;

/** The run was cancelled through its AbortSignal; `summary` tells what was done before it stopped. */
export class SyncAbortedError extends Error {
  override readonly name = "SyncAbortedError";
  constructor(
    readonly summary: RunSummary,
    options?: { cause?: unknown },
  ) {
    super(
      `sync of source "${summary.sourceId}" was cancelled; state is saved and the next run resumes`,
      options,
    );
  }
}

export const isSyncAbortedError = (error: unknown): error is SyncAbortedError =>
  error instanceof SyncAbortedError;

/** The configured Content Import Source cannot be used (pinned id missing, URL rejected). */
export class ContentImportSourceError extends Error {
  override readonly name = "ContentImportSourceError";
  constructor(
    readonly sourceId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`source "${sourceId}": ${message}`, options);
  }
}

export const isContentImportSourceError = (error: unknown): error is ContentImportSourceError =>
  error instanceof ContentImportSourceError;
