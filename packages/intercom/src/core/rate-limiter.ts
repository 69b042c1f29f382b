import type { HeaderReader } from "./header-reader.js";
import type { RateLimiter, RateLimitSnapshot } from "./types.js";

export interface TokenBucketOptions {
  /**
   * Calls allowed per window until Intercom's headers say otherwise. Default 1666: a private app's
   * 10,000 calls a minute, enforced in six 10-second windows.
   */
  callsPerWindow?: number;
  /** Length of one window. Default 10 000 ms, the length of Intercom's windows. */
  windowMs?: number;
  /** Clock in ms. Default Date.now. Waits use setTimeout. */
  now?: () => number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`TokenBucketRateLimiter: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

/**
 * In-process token bucket: holds `callsPerWindow` tokens, refilled continuously over `windowMs`.
 * Callers are served first come, first served. It adopts what Intercom reports: the window's limit
 * becomes the capacity, fewer remaining calls than tokens shrink the bucket, and an exhausted window or
 * a 429 (`block`) holds everyone until the reset time.
 *
 * Hazard: it only knows about this process. Several processes sharing one Intercom app need a shared
 * limiter (Redis) or they will meet 429s, which the client still survives by waiting for the reset.
 */
export class TokenBucketRateLimiter implements RateLimiter {
  #capacity: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #blockedUntil = 0;
  readonly #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: TokenBucketOptions = {}) {
    this.#capacity = positive("callsPerWindow", options.callsPerWindow ?? 1666);
    this.#windowMs = positive("windowMs", options.windowMs ?? 10_000);
    this.#now = options.now ?? Date.now;
    this.#tokens = this.#capacity;
    this.#refilledAt = this.#now();
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiters.length === 0 && this.#tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal?.reason);
          this.#schedule();
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#schedule();
    });
  }

  observe(snapshot: RateLimitSnapshot): void {
    const { limit, remaining, resetAt } = snapshot;
    if (![limit, remaining, resetAt].every(Number.isFinite)) return;
    this.#refill(this.#now());
    if (limit > 0) this.#capacity = limit;
    // Intercom counts calls from every process using the app; trust it when it has fewer left.
    this.#tokens = Math.min(this.#tokens, this.#capacity, Math.max(0, remaining));
    if (remaining <= 0) this.block(resetAt);
    else this.#schedule();
  }

  block(resetAt: number): void {
    const until = resetAt * 1000;
    if (!Number.isFinite(until) || until <= this.#now()) return;
    this.#blockedUntil = Math.max(this.#blockedUntil, until);
    // A fresh window opens at the reset; start it with one call and refill from there, so a crowd of
    // waiters does not burst into the new window faster than the configured rate.
    this.#tokens = 1;
    this.#refilledAt = this.#blockedUntil;
    this.#schedule();
  }

  #ratePerMs(): number {
    return this.#capacity / this.#windowMs;
  }

  #refill(now: number): void {
    if (now <= this.#refilledAt) return;
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#refilledAt) * this.#ratePerMs());
    this.#refilledAt = now;
  }

  #tryTake(): boolean {
    const now = this.#now();
    if (now < this.#blockedUntil) return false;
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #drain(): void {
    this.#timer = undefined;
    while (this.#waiters.length > 0 && this.#tryTake()) {
      const waiter = this.#waiters.shift()!;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve();
    }
    this.#schedule();
  }

  /** Arms one timer for the moment the first waiter can be served. */
  #schedule(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#waiters.length === 0) return;
    const now = this.#now();
    let waitMs: number;
    if (now < this.#blockedUntil) {
      waitMs = this.#blockedUntil - now;
    } else {
      this.#refill(now);
      waitMs = this.#tokens >= 1 ? 0 : (1 - this.#tokens) / this.#ratePerMs();
    }
    this.#timer = setTimeout(() => this.#drain(), Math.max(0, Math.ceil(waitMs)));
  }
}

/** Lets every call through; for tests and for callers that throttle elsewhere. */
export class NoopRateLimiter implements RateLimiter {
  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
  }
  observe(_snapshot: RateLimitSnapshot): void {}
  block(_resetAt: number): void {}
}

/** Reads `X-RateLimit-Limit/Remaining/Reset`; undefined unless all three are present and numeric. */
export function readRateLimitHeaders(headers: HeaderReader): RateLimitSnapshot | undefined {
  const read = (name: string): number | undefined => {
    const raw = headers.get(name);
    if (raw === null || raw.trim() === "") return undefined;
    const value = Number(raw);
    return Number.isFinite(value) ? value : undefined;
  };
  const limit = read("x-ratelimit-limit");
  const remaining = read("x-ratelimit-remaining");
  const resetAt = read("x-ratelimit-reset");
  if (limit === undefined || remaining === undefined || resetAt === undefined) return undefined;
  return { limit, remaining, resetAt };
}
