import { type IntercomError, IntercomNetworkError, IntercomRateLimitError } from "./errors.js";
import type { AttemptFailure } from "./retry-policy.js";

/**
 * Whether a failure may be retried at all. 408 and 429 mean the server refused before doing
 * anything, so every method is retried. A 5xx or a lost connection may come after the server acted,
 * so a POST (which may create something twice) is retried only when marked idempotent.
 */
export function isRetryable(method: string, idempotent: boolean, error: IntercomError): boolean {
  const repeatable = method !== "POST" || idempotent;
  if (error instanceof IntercomNetworkError) return repeatable;
  const status = error.status;
  if (status === undefined) return false;
  if (status === 408 || status === 429) return true;
  return status >= 500 && repeatable;
}

/**
 * An Intercom failure as the shared retry policy sees it. A 429 carries `X-RateLimit-Reset` (Intercom
 * sends no `Retry-After`): the wait until then is the server's hint.
 */
export function classifyIntercomFailure(
  method: string,
  idempotent: boolean,
  error: IntercomError,
  now: number = Date.now(),
): AttemptFailure {
  const retryable = isRetryable(method, idempotent, error);
  if (error instanceof IntercomRateLimitError && error.resetAt !== undefined) {
    return { retryable, waitMs: error.resetAt * 1000 - now };
  }
  return { retryable };
}
