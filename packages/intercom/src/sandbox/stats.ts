import type { SandboxStats } from "./types.js";

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Rate-limit windows kept in the stats: an hour of 10-second windows. */
const MAX_WINDOWS = 360;

/** Counters of API calls; cheap enough for the hot path (a few Map updates per call). */
export class CallCounters {
  private calls = new Map<string, number>();
  private succeeded = new Map<string, number>();
  private statuses = new Map<string, number>();
  private rateLimited = 0;
  private unauthorized = 0;
  private faults = { errors: 0, drops: 0, failedExternalIds: 0 };
  private since: number;
  private windows = new Map<number, { resetAt: number; allowed: number; refused: number }>();

  constructor(private readonly now: () => number) {
    this.since = now();
  }

  /** One API call by its route key, e.g. `POST /ai/external_pages`, answered with `status`. */
  recordAnswer(routeKey: string, status: number): void {
    increment(this.calls, routeKey);
    increment(this.statuses, String(status));
    if (status >= 200 && status < 300) increment(this.succeeded, routeKey);
    else if (status === 429) this.rateLimited += 1;
    else if (status === 401) this.unauthorized += 1;
  }

  /** One decision of the rate limiter, counted in the window it belongs to. */
  recordRateLimit(resetAt: number, allowed: boolean): void {
    let window = this.windows.get(resetAt);
    if (window === undefined) {
      window = { resetAt, allowed: 0, refused: 0 };
      this.windows.set(resetAt, window);
      // Maps iterate in insertion order: the first key is the oldest window.
      if (this.windows.size > MAX_WINDOWS) this.windows.delete(this.windows.keys().next().value as number);
    }
    if (allowed) window.allowed += 1;
    else window.refused += 1;
  }

  /** A call whose connection was dropped on purpose: counted, without a status. */
  recordDrop(routeKey: string): void {
    increment(this.calls, routeKey);
    this.faults.drops += 1;
  }

  recordInjectedError(): void {
    this.faults.errors += 1;
  }

  recordFailedExternalId(): void {
    this.faults.failedExternalIds += 1;
  }

  read(): SandboxStats {
    return {
      calls: Object.fromEntries(this.calls),
      succeeded: Object.fromEntries(this.succeeded),
      statuses: Object.fromEntries(this.statuses),
      rateLimited: this.rateLimited,
      unauthorized: this.unauthorized,
      faults: { ...this.faults },
      since: this.since,
      rateLimitWindows: [...this.windows.values()].map((window) => ({ ...window })),
    };
  }

  reset(): void {
    this.calls = new Map();
    this.succeeded = new Map();
    this.statuses = new Map();
    this.rateLimited = 0;
    this.unauthorized = 0;
    this.faults = { errors: 0, drops: 0, failedExternalIds: 0 };
    this.since = this.now();
    this.windows = new Map();
  }
}
