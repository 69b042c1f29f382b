import { afterEach, describe, expect, it, vi } from "vitest";
import {
  IntercomError,
  IntercomNetworkError,
  IntercomRateLimitError,
  IntercomResponseValidationError,
  errorForStatus,
} from "./errors.js";
import { backoffDelay, decideRetry, isRetryable, sleep } from "./retry-policy.js";

const at = (status: number) => errorForStatus({ method: "GET", path: "/x", status });
const network = (timedOut: boolean) => new IntercomNetworkError({ method: "GET", path: "/x", timedOut });

describe("backoffDelay", () => {
  it("doubles the ceiling from 500 ms up to 30 s and applies full jitter", () => {
    const top = { random: () => 0.999999 };
    expect([0, 1, 2, 3, 5, 6, 10].map((attempt) => backoffDelay(attempt, top))).toEqual([
      499, 999, 1999, 3999, 15999, 29999, 29999,
    ]);
    expect(backoffDelay(4, { random: () => 0 })).toBe(0);
    expect(backoffDelay(2, { random: () => 0.5 })).toBe(1000);
    expect(backoffDelay(1, { baseDelayMs: 100, maxDelayMs: 150, random: () => 0.999999 })).toBe(149);
  });
});

describe("isRetryable", () => {
  it("retries 408/429 for every method, 5xx and network failures only when repeatable", () => {
    for (const method of ["GET", "PUT", "DELETE", "POST"]) {
      expect(isRetryable(method, false, at(408))).toBe(true);
      expect(isRetryable(method, false, at(429))).toBe(true);
    }
    expect(isRetryable("GET", false, at(500))).toBe(true);
    expect(isRetryable("DELETE", false, at(503))).toBe(true);
    expect(isRetryable("POST", false, at(502))).toBe(false);
    expect(isRetryable("POST", true, at(502))).toBe(true);
    expect(isRetryable("GET", false, network(true))).toBe(true);
    expect(isRetryable("POST", false, network(false))).toBe(false);
    expect(isRetryable("POST", true, network(false))).toBe(true);
  });

  it("never retries client errors or local failures", () => {
    for (const status of [400, 401, 403, 404, 409, 422])
      expect(isRetryable("GET", false, at(status))).toBe(false);
    expect(isRetryable("GET", false, new IntercomError({ method: "GET", path: "/x" }))).toBe(false);
    expect(
      isRetryable(
        "GET",
        false,
        new IntercomResponseValidationError({ method: "GET", path: "/x", status: 200 }),
      ),
    ).toBe(false);
  });
});

describe("decideRetry", () => {
  const base = { method: "GET", idempotent: false, maxRetries: 3 };

  it("stops once the attempts are used up", () => {
    expect(decideRetry({ ...base, error: at(500), attempt: 2 }, { random: () => 0.5 })).toEqual({
      retry: true,
      delayMs: 1000,
    });
    expect(decideRetry({ ...base, error: at(500), attempt: 3 })).toEqual({ retry: false });
    expect(decideRetry({ ...base, maxRetries: 0, error: at(429), attempt: 0 })).toEqual({ retry: false });
  });

  it("waits until X-RateLimit-Reset after a 429, unless it is too far away", () => {
    const now = () => 1_700_000_000_250;
    const soon = new IntercomRateLimitError({
      method: "GET",
      path: "/x",
      status: 429,
      resetAt: 1_700_000_008,
    });
    expect(decideRetry({ ...base, error: soon, attempt: 0 }, { now })).toEqual({
      retry: true,
      delayMs: 7_750,
    });
    const past = new IntercomRateLimitError({
      method: "GET",
      path: "/x",
      status: 429,
      resetAt: 1_699_999_990,
    });
    expect(decideRetry({ ...base, error: past, attempt: 1 }, { now, random: () => 0.5 })).toEqual({
      retry: true,
      delayMs: 500,
    });
    const far = new IntercomRateLimitError({
      method: "GET",
      path: "/x",
      status: 429,
      resetAt: 1_700_000_500,
    });
    expect(decideRetry({ ...base, error: far, attempt: 0 }, { now })).toEqual({ retry: false });
    expect(decideRetry({ ...base, error: far, attempt: 0 }, { now, maxRateLimitWaitMs: 600_000 })).toEqual({
      retry: true,
      delayMs: 499_750,
    });
  });

  it("backs off after a 429 that carries no reset", () => {
    const bare = new IntercomRateLimitError({ method: "POST", path: "/x", status: 429 });
    expect(decideRetry({ ...base, method: "POST", error: bare, attempt: 1 }, { random: () => 0.5 })).toEqual({
      retry: true,
      delayMs: 500,
    });
  });
});

describe("sleep", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves after the delay and rejects with the reason on abort", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let done = false;
    const waiting = sleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);

    const controller = new AbortController();
    const aborted = sleep(60_000, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort("stop");
    await expect(aborted).rejects.toBe("stop");
    expect(vi.getTimerCount()).toBe(0);
    await expect(sleep(5, AbortSignal.abort("already"))).rejects.toBe("already");
  });
});
