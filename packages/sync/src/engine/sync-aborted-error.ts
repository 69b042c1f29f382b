import type { RunSummary } from "./run-summary.js";

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
