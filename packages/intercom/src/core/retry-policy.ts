import { IntercomNetworkError, IntercomRateLimitError, type IntercomError } from "./errors.js";

export interface RetryPolicyOptions {
  /** First backoff ceiling; doubles with each retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 30 000 ms. */
  maxDelayMs?: number;
  /**
   * Longest wait for `X-RateLimit-Reset` after a 429. Intercom's windows last 10 seconds, so a reset
   * further away means something else is wrong; the 429 is then thrown for the caller (a queue) to
   * reschedule instead of holding a worker. Default 60 000 ms.
   */
  maxRateLimitWaitMs?: number;
  /** Source of jitter in [0, 1). Default Math.random. */
  random?: () => number;
  /** Clock in ms, used to turn `X-RateLimit-Reset` into a wait. Default Date.now. */
  now?: () => number;
}

export interface RetryContext {
  method: string;
  /** The request is known to be safe to repeat even though it is a POST. */
  idempotent: boolean;
  error: IntercomError;
  /** The attempt that just failed; 0 for the first. */
  attempt: number;
  maxRetries: number;
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/** Exponential backoff with full jitter: a uniform wait between 0 and min(max, base·2^attempt). */
export function backoffDelay(attempt: number, options: RetryPolicyOptions = {}): number {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

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

/** Decides whether and when to send the next attempt. */
export function decideRetry(context: RetryContext, options: RetryPolicyOptions = {}): RetryDecision {
  const { error, attempt } = context;
  if (attempt >= context.maxRetries || !isRetryable(context.method, context.idempotent, error)) {
    return { retry: false };
  }
  if (error instanceof IntercomRateLimitError && error.resetAt !== undefined) {
    const now = (options.now ?? Date.now)();
    const waitMs = error.resetAt * 1000 - now;
    if (waitMs > (options.maxRateLimitWaitMs ?? 60_000)) return { retry: false };
    // A reset that already passed means our clock is behind Intercom's: back off rather than hammer.
    if (waitMs > 0) return { retry: true, delayMs: waitMs };
  }
  return { retry: true, delayMs: backoffDelay(attempt, options) };
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
