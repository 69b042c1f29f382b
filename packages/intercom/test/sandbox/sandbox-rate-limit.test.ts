import { IntercomRateLimitError } from "@content-sync/intercom";
import { afterEach, describe, expect, it } from "vitest";
import { SandboxOptionsError } from "../../src/sandbox/index.js";
import { clientFor, closeSandboxes, FakeClock, openSandbox, RecordingRateLimiter, raw } from "./helpers.js";

afterEach(closeSandboxes);

describe("sandbox rate limiting", () => {
  it("counts the calls each window let through and refused, in the stats", async () => {
    const clock = new FakeClock();
    const sandbox = await openSandbox({ clock, rateLimit: { perMinute: 18 } });
    for (let call = 0; call < 5; call++) await raw(sandbox, "GET", "/ai/external_pages");
    clock.advance(10_000);
    await raw(sandbox, "GET", "/me");
    expect(sandbox.stats().rateLimitWindows).toEqual([
      { resetAt: clock.seconds, allowed: 3, refused: 2 },
      { resetAt: clock.seconds + 10, allowed: 1, refused: 0 },
    ]);
    sandbox.resetStats();
    expect(sandbox.stats().rateLimitWindows).toEqual([]);
    expect((await openSandbox()).stats().rateLimitWindows).toEqual([]);
  });

  it("allows perMinute / 6 calls per 10-second window and says so in the headers", async () => {
    const clock = new FakeClock();
    clock.advance(3_000); // 3 s into a window: the reset is 7 s away.
    const sandbox = await openSandbox({ clock, rateLimit: { perMinute: 60 } });
    const windowEnd = clock.seconds + 7;
    const remaining: string[] = [];
    for (let index = 0; index < 10; index++) {
      const answer = await raw(sandbox, "GET", "/ai/external_pages");
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-ratelimit-limit")).toBe("10");
      expect(answer.headers.get("x-ratelimit-reset")).toBe(String(windowEnd));
      remaining.push(answer.headers.get("x-ratelimit-remaining") ?? "");
    }
    expect(remaining).toEqual(["9", "8", "7", "6", "5", "4", "3", "2", "1", "0"]);

    const refused = await raw(sandbox, "POST", "/ai/content_import_sources", {
      body: { sync_behavior: "api", url: "https://docs.example.com" },
    });
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({
      type: "error.list",
      request_id: refused.headers.get("x-request-id"),
      errors: [{ code: "rate_limit_exceeded", message: "Rate limit exceeded" }],
    });
    expect(refused.headers.get("retry-after")).toBeNull();
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(refused.headers.get("x-ratelimit-reset")).toBe(String(windowEnd));
    expect(sandbox.store.sourceCount).toBe(0);

    clock.advance(6_999);
    expect((await raw(sandbox, "GET", "/me")).status).toBe(429);
    clock.advance(1);
    const next = await raw(sandbox, "GET", "/me");
    expect(next.status).toBe(200);
    expect(next.headers.get("x-ratelimit-remaining")).toBe("9");
    expect(next.headers.get("x-ratelimit-reset")).toBe(String(windowEnd + 10));

    const stats = sandbox.stats();
    expect(stats.rateLimited).toBe(2);
    expect(stats.calls["GET /me"]).toBe(2);
    expect(stats.succeeded["GET /me"]).toBe(1);
  });

  it("does not use the budget on calls without a valid token, nor on the HTML page and admin routes", async () => {
    const clock = new FakeClock();
    const sandbox = await openSandbox({ clock, rateLimit: { perMinute: 6 } });
    const unauthorized = await raw(sandbox, "GET", "/me", { token: "wrong" });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("x-ratelimit-limit")).toBeNull();
    await fetch(`${sandbox.url}/`);
    await fetch(`${sandbox.url}/__sandbox/stats`);
    const first = await raw(sandbox, "GET", "/me");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("0");
    expect((await raw(sandbox, "GET", "/me")).status).toBe(429);
  });

  it("is off by default: no limit and no headers", async () => {
    const sandbox = await openSandbox();
    for (let index = 0; index < 30; index++) {
      const answer = await raw(sandbox, "GET", "/me");
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-ratelimit-limit")).toBeNull();
    }
  });

  it("feeds the typed client's limiter and ends in IntercomRateLimitError with the reset time", async () => {
    const clock = new FakeClock();
    const sandbox = await openSandbox({ clock, rateLimit: { perMinute: 12 } });
    const limiter = new RecordingRateLimiter();
    const client = clientFor(sandbox, { rateLimiter: limiter });
    await client.admins.identify();
    await client.admins.identify();
    const error = await client.admins.identify().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomRateLimitError);
    expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded", resetAt: clock.seconds + 10 });
    expect(limiter.snapshots.slice(0, 2)).toEqual([
      { limit: 2, remaining: 1, resetAt: clock.seconds + 10 },
      { limit: 2, remaining: 0, resetAt: clock.seconds + 10 },
    ]);
    clock.advance(10_000);
    await expect(client.admins.identify()).resolves.toMatchObject({ type: "admin" });
  });

  it("can be switched on, changed and off at run time", async () => {
    const clock = new FakeClock();
    const sandbox = await openSandbox({ clock });
    sandbox.setRateLimit({ perMinute: 6 });
    expect((await raw(sandbox, "GET", "/me")).status).toBe(200);
    expect((await raw(sandbox, "GET", "/me")).status).toBe(429);
    sandbox.setRateLimit({ perMinute: 600 });
    expect((await raw(sandbox, "GET", "/me")).headers.get("x-ratelimit-remaining")).toBe("99");
    sandbox.setRateLimit(false);
    expect((await raw(sandbox, "GET", "/me")).headers.get("x-ratelimit-limit")).toBeNull();
  });

  it("refuses a budget smaller than one call per window, naming the option", async () => {
    await expect(openSandbox({ rateLimit: { perMinute: 5 } })).rejects.toThrow(SandboxOptionsError);
    await expect(openSandbox({ rateLimit: { perMinute: 5 } })).rejects.toMatchObject({
      option: "rateLimit.perMinute",
    });
  });
});
