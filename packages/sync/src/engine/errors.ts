/** A run would delete more pages than the source's `deletion.maxDeletes` allows; nothing was deleted. */
export class DeletionLimitError extends Error {
  override readonly name = "DeletionLimitError";
  constructor(
    readonly sourceId: string,
    /** Pages the run would have deleted (with `scope: "window"`, plus those deleted in the window). */
    readonly candidates: number,
    /** The limit in pages, after resolving a share such as "10%". */
    readonly limit: number,
    /** The limit as configured. */
    readonly configured: number | string,
    /** `run`: one run's limit; `window`: the rolling budget of deletions outside full runs. */
    readonly scope: "run" | "window" = "run",
    windowMs = 0,
  ) {
    super(
      scope === "run"
        ? `source "${sourceId}": ${candidates} pages would be deleted, above the limit of ${limit}` +
            ` (deletion.maxDeletes: ${JSON.stringify(configured)}); nothing was deleted.` +
            " Check the source, then rerun with --force-deletes if the deletions are intended."
        : `source "${sourceId}": ${candidates} deletions outside full runs within ${Math.round(windowMs / 3_600_000)}h would pass the limit of ${limit}` +
            ` (deletion.maxDeletes: ${JSON.stringify(configured)}, deletion.window); nothing was deleted now.` +
            " The deletions wait in the failure ledger for a full run, or a run with --force-deletes.",
    );
  }
}

/** Deletions held back because the source's state was rebuilt and no full listing has completed since. */
export class DeletionsHeldError extends Error {
  override readonly name = "DeletionsHeldError";
  constructor(
    readonly sourceId: string,
    readonly candidates: number,
  ) {
    super(
      `source "${sourceId}": ${candidates} deletion(s) held: the source's state was rebuilt and nothing may be deleted until a full listing completes`,
    );
  }
}

/** Another run of the source began (its lock lapsed or was taken over): this one may not commit. */
export class RunSupersededError extends Error {
  override readonly name = "RunSupersededError";
  constructor(
    readonly sourceId: string,
    readonly runId: string,
  ) {
    super(
      `run ${runId} of source "${sourceId}" was superseded by a later run; it stopped without committing`,
    );
  }
}

export const isRunSupersededError = (error: unknown): error is RunSupersededError =>
  error instanceof RunSupersededError;

export const isDeletionLimitError = (error: unknown): error is DeletionLimitError =>
  error instanceof DeletionLimitError;

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
