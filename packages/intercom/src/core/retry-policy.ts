/**
 * The one retry policy of content-sync: the Intercom client core and the connector toolkit both send
 * their attempts through `withRetries`. It knows nothing about either side: callers classify their own
 * failures (retryable or not, and how long the server asked them to wait).
 *
 * Exported on the deliberate subpath `@content-sync/intercom/retry`; it imports nothing, so the client
 * package still installs and runs on its own.
 */

export interface BackoffOptions {
  /** First backoff ceiling; doubles with each retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling (the cap). Default 30 000 ms. */
  maxDelayMs?: number;
  /** Source of jitter in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface RetryPolicyOptions extends BackoffOptions {
  /**
   * Longest wait a server may ask for (`Retry-After`, a rate-limit reset). A longer one is not waited
   * out in-process: the failure is thrown for the caller (a queue) to reschedule instead of holding a
   * worker. Default 60 000 ms.
   */
  maxWaitMs?: number;
}

/** What the caller knows about one failed attempt. */
export interface AttemptFailure {
  /** Whether repeating the attempt may succeed (408/429/5xx, a lost connection, a refreshed token…). */
  retryable: boolean;
  /**
   * How long the server asked to wait, in ms from now (`Retry-After`, `X-RateLimit-Reset`). Zero or
   * negative means the moment already passed (our clock is behind theirs): back off instead.
   */
  waitMs?: number;
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/** Exponential backoff with full jitter: a uniform wait between 0 and min(cap, base·2^attempt). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Whether and when to send attempt `attempt + 1`. A server-requested wait wins over backoff, unless
 * it is longer than `maxWaitMs` (then the failure is final here).
 */
export function decideRetry(
  failure: AttemptFailure & { attempt: number; maxRetries: number },
  options: RetryPolicyOptions = {},
): RetryDecision {
  if (!failure.retryable || failure.attempt >= failure.maxRetries) return { retry: false };
  const { waitMs } = failure;
  if (waitMs !== undefined && Number.isFinite(waitMs)) {
    if (waitMs > (options.maxWaitMs ?? 60_000)) return { retry: false };
    if (waitMs > 0) return { retry: true, delayMs: Math.ceil(waitMs) };
  }
  return { retry: true, delayMs: backoffDelay(failure.attempt, options) };
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) as ms from `now`: either delay-seconds or an HTTP date. Undefined
 * when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : date - now;
}

/**
 * A response header that says when to try again, and how it says it:
 * - `retry-after`: delay-seconds or an HTTP date (`Retry-After` itself);
 * - `delay-seconds`: seconds from now (Contentful's `X-Contentful-RateLimit-Reset`);
 * - `unix-seconds`: an epoch time in seconds (Intercom's and GitHub's `X-RateLimit-Reset`);
 * - `unix-ms`: an epoch time in milliseconds.
 */
export interface WaitHeader {
  name: string;
  format: "retry-after" | "delay-seconds" | "unix-seconds" | "unix-ms";
}

/** `Retry-After` only: what every HTTP server may send. */
export const RETRY_AFTER: readonly WaitHeader[] = [{ name: "retry-after", format: "retry-after" }];

/** The first of `waitHeaders` present on the response, as ms from `now`. */
export function waitFromHeaders(
  headers: Headers,
  waitHeaders: readonly WaitHeader[] = RETRY_AFTER,
  now: number = Date.now(),
): number | undefined {
  for (const header of waitHeaders) {
    const raw = headers.get(header.name);
    if (raw === null || raw.trim() === "") continue;
    if (header.format === "retry-after") {
      const ms = parseRetryAfter(raw, now);
      if (ms !== undefined) return ms;
      continue;
    }
    const value = Number(raw.trim());
    if (!Number.isFinite(value)) continue;
    if (header.format === "delay-seconds") return value * 1000;
    if (header.format === "unix-seconds") return value * 1000 - now;
    return value - now;
  }
  return undefined;
}

export interface WithRetriesOptions extends RetryPolicyOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Turns what an attempt threw into a decision input. Errors it calls not retryable are rethrown. */
  classify: (error: unknown, attempt: number) => AttemptFailure;
  /** Cancels the attempts and any wait between them; the signal's reason is thrown. */
  signal?: AbortSignal;
  /** Called before each wait (for a log line or a metric); must not throw. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
  /** Abortable wait; injectable for tests. Default `sleep`. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `attempt(0)`, `attempt(1)`, … until one resolves, the failure is not retryable, the retries
 * run out or the signal aborts. An attempt signals failure by throwing; the last failure is thrown.
 */
export async function withRetries<T>(
  attempt: (attempt: number) => Promise<T>,
  options: WithRetriesOptions,
): Promise<T> {
  const wait = options.sleep ?? sleep;
  for (let index = 0; ; index++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(index);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const failure = options.classify(error, index);
      const decision = decideRetry({ ...failure, attempt: index, maxRetries: options.maxRetries }, options);
      if (!decision.retry) throw error;
      options.onRetry?.({ error, attempt: index, delayMs: decision.delayMs });
      await wait(decision.delayMs, options.signal);
    }
  }
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
