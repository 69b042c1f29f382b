import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NoopRateLimiter, readRateLimitHeaders, TokenBucketRateLimiter } from "./rate-limiter.js";

/** Starts acquire() calls and records, in fake ms since the start, when each one was granted. */
function startAcquires(limiter: TokenBucketRateLimiter, count: number, signal?: AbortSignal) {
  const start = Date.now();
  const grantedAt: (number | undefined)[] = Array.from({ length: count }, () => undefined);
  const promises = grantedAt.map((_, index) =>
    limiter.acquire(signal).then(() => {
      grantedAt[index] = Date.now() - start;
    }),
  );
  return { grantedAt, promises };
}

describe("TokenBucketRateLimiter", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets a full window through at once, then paces at the refill rate in arrival order", async () => {
    const limiter = new TokenBucketRateLimiter({ callsPerWindow: 3, windowMs: 3_000 });
    const { grantedAt } = startAcquires(limiter, 6);
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 0, 0, undefined, undefined, undefined]);
    await vi.advanceTimersByTimeAsync(999);
    expect(grantedAt[3]).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(grantedAt[3]).toBe(1_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(grantedAt).toEqual([0, 0, 0, 1_000, 2_000, 3_000]);
  });

  it("refills up to capacity while idle, never beyond", async () => {
    const limiter = new TokenBucketRateLimiter({ callsPerWindow: 2, windowMs: 1_000 });
    await limiter.acquire();
    await limiter.acquire();
    await vi.advanceTimersByTimeAsync(10_000);
    const { grantedAt } = startAcquires(limiter, 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 0, undefined]);
    await vi.advanceTimersByTimeAsync(500);
    expect(grantedAt[2]).toBe(500);
  });

  it("block(resetAt) holds every caller until the reset", async () => {
    const limiter = new TokenBucketRateLimiter({ callsPerWindow: 100, windowMs: 10_000 });
    const resetAt = Math.floor(Date.now() / 1000) + 4;
    limiter.block(resetAt);
    const { grantedAt } = startAcquires(limiter, 2);
    const waitMs = resetAt * 1000 - Date.now();
    await vi.advanceTimersByTimeAsync(waitMs - 1);
    expect(grantedAt).toEqual([undefined, undefined]);
    await vi.advanceTimersByTimeAsync(1);
    expect(grantedAt[0]).toBe(waitMs);
    // The new window starts with one call and refills at 100 per 10 s, one every 100 ms.
    expect(grantedAt[1]).toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    expect(grantedAt[1]).toBe(waitMs + 100);
  });

  it("ignores a block whose reset already passed", async () => {
    const limiter = new TokenBucketRateLimiter({ callsPerWindow: 5 });
    limiter.block(Math.floor(Date.now() / 1000) - 1);
    await expect(limiter.acquire()).resolves.toBeUndefined();
  });

  it("adopts the observed limit and remaining calls, and waits for the reset when none remain", async () => {
    const limiter = new TokenBucketRateLimiter({ callsPerWindow: 1_000, windowMs: 10_000 });
    limiter.observe({ limit: 10, remaining: 2, resetAt: Math.floor(Date.now() / 1000) + 10 });
    const first = startAcquires(limiter, 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(first.grantedAt).toEqual([0, 0, undefined]);
    // The capacity is now 10 per 10 s: one call per second.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(first.grantedAt[2]).toBe(1_000);

    const resetAt = Math.floor(Date.now() / 1000) + 7;
    limiter.observe({ limit: 10, remaining: 0, resetAt });
    const second = startAcquires(limiter, 1);
    const waitMs = resetAt * 1000 - Date.now();
    await vi.advanceTimersByTimeAsync(waitMs - 1);
    expect(second.grantedAt[0]).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(second.grantedAt[0]).toBe(waitMs);
  });

  it("ignores observations with non-numeric parts", async () => {
    const limiter = new TokenBucketRateLimiter({ callsPerWindow: 2 });
    limiter.observe({ limit: Number.NaN, remaining: 0, resetAt: Math.floor(Date.now() / 1000) + 5 });
    const { grantedAt } = startAcquires(limiter, 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 0]);
  });

  it("rejects a waiting caller with the signal's reason and serves the next one", async () => {
    const limiter = new TokenBucketRateLimiter({ callsPerWindow: 1, windowMs: 1_000 });
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const next = startAcquires(limiter, 1);
    await vi.advanceTimersByTimeAsync(200);
    const reason = new Error("cancelled");
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    await vi.advanceTimersByTimeAsync(800);
    expect(next.grantedAt[0]).toBe(1_000);
    await expect(limiter.acquire(AbortSignal.abort("early"))).rejects.toBe("early");
  });

  it("rejects invalid options naming them", () => {
    expect(() => new TokenBucketRateLimiter({ callsPerWindow: 0 })).toThrow(
      /callsPerWindow must be a positive number/,
    );
    expect(() => new TokenBucketRateLimiter({ windowMs: -5 })).toThrow(/windowMs must be a positive number/);
  });
});

describe("NoopRateLimiter", () => {
  it("lets calls through but still honours an aborted signal", async () => {
    const limiter = new NoopRateLimiter();
    await expect(limiter.acquire()).resolves.toBeUndefined();
    await expect(limiter.acquire(AbortSignal.abort("gone"))).rejects.toBe("gone");
  });
});

describe("readRateLimitHeaders", () => {
  it("reads all three headers or nothing", () => {
    const full = new Headers({
      "X-RateLimit-Limit": "166",
      "X-RateLimit-Remaining": "3",
      "X-RateLimit-Reset": "1700000000",
    });
    expect(readRateLimitHeaders(full)).toEqual({ limit: 166, remaining: 3, resetAt: 1700000000 });
    expect(
      readRateLimitHeaders(new Headers({ "X-RateLimit-Limit": "166", "X-RateLimit-Remaining": "3" })),
    ).toBeUndefined();
    const garbage = new Headers({
      "X-RateLimit-Limit": "lots",
      "X-RateLimit-Remaining": "3",
      "X-RateLimit-Reset": "1",
    });
    expect(readRateLimitHeaders(garbage)).toBeUndefined();
  });
});
