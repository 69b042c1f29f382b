/**
 * When a run retries an entry of the failure ledger: exponential from `firstMs`, capped at `maxMs`.
 * A document that fails the same way every time (an empty draft) costs one attempt per back-off step,
 * not one per run, and never holds the cursor back.
 */
export interface RetrySchedule {
  /** Wait after the first failure. Default 5 minutes. */
  firstMs: number;
  /** Longest wait between attempts. Default 6 hours. */
  maxMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { firstMs: 5 * 60_000, maxMs: 6 * 3_600_000 };

export function retryAfterMs(schedule: RetrySchedule): (attempts: number) => number {
  return (attempts) => Math.min(schedule.maxMs, schedule.firstMs * 2 ** Math.max(0, attempts - 1));
}

/** Deletions that are due again at once (tombstones the cursor moved past, pages of a replaced source). */
export const IMMEDIATELY = (): number => 0;
