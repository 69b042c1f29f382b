import { TokenBucketRateLimiter } from "@content-sync/intercom";
import type { RequestRate } from "./request-rate.js";

// The rate and its config schema live apart, so the config loader can use them without importing
// the Intercom client this bucket comes from.
export { type RequestRate, requestRateSchema } from "./request-rate.js";

/**
 * The budget a source's requests draw from. `acquire` resolves when one request may be sent (the
 * toolkit's HTTP client calls it before every attempt, retries included). `pause` is called when the
 * product answered 429 with a wait, so every user of the same budget holds back, not only the caller.
 *
 * In-process by default (`inProcessBudget`); the services share one per source through Redis
 * (`packages/sync/src/redis`), which is why both methods may be async.
 */
export interface RequestBudget {
  /** Resolves when one request may go out; rejects with the signal's reason when aborted. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Nobody should send for `ms` from now. */
  pause?(ms: number): void | Promise<void>;
}

/** Requests per second of a rate. */
export function perSecondOf(rate: RequestRate): number {
  return "perSecond" in rate ? rate.perSecond : rate.perMinute / 60;
}

/** Back-to-back requests a rate allows: its `burst`, else one second's worth (at least one). */
export function burstOf(rate: RequestRate): number {
  return rate.burst ?? Math.max(1, Math.floor(perSecondOf(rate)));
}

/**
 * A token bucket in this process: `burst` tokens, refilled at the rate. It is the Intercom client's
 * bucket (one implementation), given a window that holds exactly one burst.
 */
export function inProcessBudget(rate: RequestRate): RequestBudget {
  const capacity = burstOf(rate);
  const limiter = new TokenBucketRateLimiter({
    callsPerWindow: capacity,
    windowMs: (capacity / perSecondOf(rate)) * 1000,
  });
  return {
    acquire: (signal) => limiter.acquire(signal),
    pause: (ms) => limiter.block((Date.now() + ms) / 1000),
  };
}

/** No limit: for tests and for connectors that make no network requests. */
export const UNLIMITED_BUDGET: RequestBudget = {
  async acquire(signal) {
    signal?.throwIfAborted();
  },
};
