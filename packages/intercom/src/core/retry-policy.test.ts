import { afterEach, describe, expect, it, vi } from "vitest";
import {
  IntercomError,
  IntercomNetworkError,
  IntercomRateLimitError,
  IntercomResponseValidationError,
  errorForStatus,
} from "./errors.js";
import { classifyIntercomFailure, isRetryable } from "./intercom-retry.js";
import {
  backoffDelay,
  decideRetry,
  parseRetryAfter,
  sleep,
  waitFromHeaders,
  withRetries,
} from "./retry-policy.js";

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
  const base = { maxRetries: 3, retryable: true };

  it("stops once the attempts are used up or the failure is final", () => {
    expect(decideRetry({ ...base, attempt: 2 }, { random: () => 0.5 })).toEqual({
      retry: true,
      delayMs: 1000,
    });
    expect(decideRetry({ ...base, attempt: 3 })).toEqual({ retry: false });
    expect(decideRetry({ ...base, maxRetries: 0, attempt: 0 })).toEqual({ retry: false });
    expect(decideRetry({ ...base, retryable: false, attempt: 0 })).toEqual({ retry: false });
  });

  it("waits as long as the server asked, unless that is too far away or already past", () => {
    expect(decideRetry({ ...base, attempt: 0, waitMs: 7_750 })).toEqual({ retry: true, delayMs: 7_750 });
    expect(decideRetry({ ...base, attempt: 1, waitMs: -10_000 }, { random: () => 0.5 })).toEqual({
      retry: true,
      delayMs: 500,
    });
    expect(decideRetry({ ...base, attempt: 0, waitMs: 499_750 })).toEqual({ retry: false });
    expect(decideRetry({ ...base, attempt: 0, waitMs: 499_750 }, { maxWaitMs: 600_000 })).toEqual({
      retry: true,
      delayMs: 499_750,
    });
  });
});

describe("classifyIntercomFailure", () => {
  const now = 1_700_000_000_250;
  const limited = (resetAt?: number) =>
    new IntercomRateLimitError({ method: "GET", path: "/x", status: 429, ...(resetAt ? { resetAt } : {}) });

  it("turns X-RateLimit-Reset into the wait, and a 429 without it into plain backoff", () => {
    expect(classifyIntercomFailure("GET", false, limited(1_700_000_008), now)).toEqual({
      retryable: true,
      waitMs: 7_750,
    });
    expect(classifyIntercomFailure("POST", false, limited(), now)).toEqual({ retryable: true });
    expect(classifyIntercomFailure("POST", false, at(502), now)).toEqual({ retryable: false });
  });
});

describe("Retry-After and product headers", () => {
  const now = Date.parse("2025-03-01T12:00:00Z");

  it("reads delay-seconds and HTTP dates", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("1.5", now)).toBe(1_500);
    expect(parseRetryAfter("Sat, 01 Mar 2025 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("takes the first header present, each in its own format", () => {
    const headers = new Headers({ "x-ratelimit-reset": String(now / 1000 + 8), "x-wait": "3" });
    const wanted = [
      { name: "retry-after", format: "retry-after" },
      { name: "x-wait", format: "delay-seconds" },
      { name: "x-ratelimit-reset", format: "unix-seconds" },
    ] as const;
    expect(waitFromHeaders(headers, wanted, now)).toBe(3_000);
    expect(waitFromHeaders(headers, wanted.slice(2), now)).toBe(8_000);
    expect(
      waitFromHeaders(
        new Headers({ "x-reset-ms": String(now + 250) }),
        [{ name: "x-reset-ms", format: "unix-ms" }],
        now,
      ),
    ).toBe(250);
    expect(waitFromHeaders(new Headers({ "retry-after": "2" }), undefined, now)).toBe(2_000);
    expect(waitFromHeaders(new Headers(), undefined, now)).toBeUndefined();
  });
});

describe("withRetries", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("retries what is retryable with the policy's waits, then throws the last failure", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const attempts: number[] = [];
    const waits: number[] = [];
    const running = withRetries(
      async (attempt) => {
        attempts.push(attempt);
        throw new Error(`attempt ${attempt}`);
      },
      {
        maxRetries: 2,
        random: () => 0.5,
        classify: (_error, attempt) =>
          attempt === 0 ? { retryable: true, waitMs: 5_000 } : { retryable: true },
        onRetry: ({ delayMs }) => waits.push(delayMs),
      },
    );
    const outcome = running.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000 + 500);
    expect(((await outcome) as Error).message).toBe("attempt 2");
    expect(attempts).toEqual([0, 1, 2]);
    expect(waits).toEqual([5_000, 500]);
  });

  it("returns the first success and never retries a final failure", async () => {
    let calls = 0;
    await expect(
      withRetries(async () => ++calls, { maxRetries: 3, classify: () => ({ retryable: true }) }),
    ).resolves.toBe(1);
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error("final");
        },
        { maxRetries: 3, classify: () => ({ retryable: false }) },
      ),
    ).rejects.toThrow("final");
    expect(calls).toBe(2);
  });

  it("stops waiting as soon as the signal aborts", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const controller = new AbortController();
    const running = withRetries(
      async () => {
        throw new Error("busy");
      },
      { maxRetries: 5, signal: controller.signal, classify: () => ({ retryable: true, waitMs: 30_000 }) },
    ).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort("cancelled");
    expect(await running).toBe("cancelled");
    expect(vi.getTimerCount()).toBe(0);
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
