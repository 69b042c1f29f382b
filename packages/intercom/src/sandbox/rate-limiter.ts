import { SandboxOptionsError } from "./errors.js";
import type { RateLimitOptions, SandboxClock } from "./types.js";

/** Intercom enforces its per-minute budget in six windows of ten seconds. */
export const RATE_LIMIT_WINDOW_MS = 10_000;
const WINDOWS_PER_MINUTE = 6;

/** What one call's check decided, with the values of the `X-RateLimit-*` headers. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Calls allowed per window. */
  limit: number;
  /** Calls left in the current window after this one. */
  remaining: number;
  /** End of the current window, unix seconds. */
  resetAt: number;
}

/**
 * Fixed 10-second windows aligned on the clock (as Intercom's `X-RateLimit-Reset` suggests), each
 * allowing `floor(perMinute / 6)` calls. Refused calls do not use the budget.
 */
export class WindowRateLimiter {
  readonly limit: number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(
    options: RateLimitOptions,
    private readonly clock: SandboxClock,
  ) {
    const { perMinute } = options;
    if (!Number.isInteger(perMinute) || perMinute < WINDOWS_PER_MINUTE) {
      throw new SandboxOptionsError(
        "rateLimit.perMinute",
        `must be an integer of at least ${WINDOWS_PER_MINUTE} (one call per 10-second window), got ${String(perMinute)}`,
      );
    }
    this.limit = Math.floor(perMinute / WINDOWS_PER_MINUTE);
  }

  take(): RateLimitDecision {
    const now = this.clock.now();
    const windowStart = Math.floor(now / RATE_LIMIT_WINDOW_MS) * RATE_LIMIT_WINDOW_MS;
    if (windowStart !== this.windowStart) {
      this.windowStart = windowStart;
      this.used = 0;
    }
    const resetAt = Math.floor((windowStart + RATE_LIMIT_WINDOW_MS) / 1000);
    if (this.used >= this.limit) return { allowed: false, limit: this.limit, remaining: 0, resetAt };
    this.used += 1;
    return { allowed: true, limit: this.limit, remaining: this.limit - this.used, resetAt };
  }
}
