import type { FailureRecord, FailureReport } from "./state-store.js";

/**
 * The ledger entry after one more failure: a first failure starts at attempt 1, a repeated one
 * counts up and keeps its first time. Shared by every store so attempts and back-off mean the same.
 */
export function nextFailureRecord(
  previous: FailureRecord | undefined,
  failure: FailureReport,
  now: number,
  retryAfterMs: (attempts: number) => number,
): FailureRecord {
  const attempts = (previous?.attempts ?? 0) + 1;
  return {
    key: failure.key,
    externalId: failure.externalId,
    kind: failure.kind,
    reason: failure.reason,
    attempts,
    firstFailedAt: previous?.firstFailedAt ?? now,
    lastFailedAt: now,
    nextRetryAt: now + Math.max(0, retryAfterMs(attempts)),
    ...(failure.pageId !== undefined ? { pageId: failure.pageId } : {}),
  };
}
