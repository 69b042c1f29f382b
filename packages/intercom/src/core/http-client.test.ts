import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  IntercomAuthError,
  IntercomError,
  IntercomNetworkError,
  IntercomNotFoundError,
  IntercomRateLimitError,
  IntercomResponseValidationError,
  IntercomServerError,
  IntercomValidationError,
  isIntercomAuthError,
  isIntercomError,
  isIntercomNetworkError,
  isIntercomNotFoundError,
  isIntercomRateLimitError,
  isIntercomServerError,
  isIntercomValidationError,
} from "./errors.js";
import { HttpClient, USER_AGENT } from "./http-client.js";
import { NoopRateLimiter, TokenBucketRateLimiter } from "./rate-limiter.js";
import {
  API_VERSION,
  type ClientOptions,
  REGION_BASE_URLS,
  type RateLimitSnapshot,
  type ResponseInfo,
} from "./types.js";

const TOKEN = "tok_Sup3rSecret_9f8e7d";

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request arrived (the fake clock when fake timers are on). */
  at: number;
}

type Handler = (request: RecordedRequest, response: ServerResponse, index: number) => void;

interface LocalServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const servers: LocalServer[] = [];

async function startServer(handler: Handler): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      requests.push(recorded);
      handler(recorded, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const local: LocalServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(local);
  return local;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function errorList(code: string, message: string, requestId = "req_abc123", field?: string) {
  return {
    type: "error.list",
    request_id: requestId,
    errors: [{ code, message, ...(field ? { field } : {}) }],
  };
}

function client(server: LocalServer, options: Partial<ClientOptions> = {}): HttpClient {
  return new HttpClient({
    token: TOKEN,
    baseUrl: server.url,
    rateLimiter: new NoopRateLimiter(),
    ...options,
  });
}

/**
 * Lets real socket I/O run between small steps of the fake clock until the promise settles, so
 * backoffs and waits elapse in fake time while the local server answers for real.
 */
async function drive<T>(promise: Promise<T>, stepMs = 50): Promise<T> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let step = 0; step < 20_000 && !settled; step++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!settled) await vi.advanceTimersByTimeAsync(stepMs);
  }
  return promise;
}

/** Resolves once the server has received `count` requests (real I/O, no clock involved). */
async function untilRequests(server: LocalServer, count: number): Promise<void> {
  while (server.requests.length < count) await new Promise<void>((resolve) => setImmediate(resolve));
}

function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

class RecordingLimiter extends NoopRateLimiter {
  readonly observed: RateLimitSnapshot[] = [];
  readonly blocked: number[] = [];
  acquired = 0;
  override async acquire(signal?: AbortSignal): Promise<void> {
    this.acquired++;
    await super.acquire(signal);
  }
  override observe(snapshot: RateLimitSnapshot): void {
    this.observed.push(snapshot);
  }
  override block(resetAt: number): void {
    this.blocked.push(resetAt);
  }
}

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe("HttpClient configuration", () => {
  it("picks the region's host, defaults to us, and lets baseUrl win", () => {
    expect(new HttpClient({ token: TOKEN }).baseUrl).toBe(REGION_BASE_URLS.us);
    expect(new HttpClient({ token: TOKEN, region: "eu" }).baseUrl).toBe("https://api.eu.intercom.io");
    expect(new HttpClient({ token: TOKEN, region: "au" }).baseUrl).toBe("https://api.au.intercom.io");
    expect(new HttpClient({ token: TOKEN, region: "eu", baseUrl: "http://localhost:4010/" }).baseUrl).toBe(
      "http://localhost:4010",
    );
  });

  it("rejects bad options with a message naming the option", () => {
    expect(() => new HttpClient({ token: "  " })).toThrow(/ClientOptions\.token/);
    expect(() => new HttpClient({ token: TOKEN, region: "mars" as "us" })).toThrow(
      /ClientOptions\.region must be one of us, eu, au, got "mars"/,
    );
    expect(() => new HttpClient({ token: TOKEN, baseUrl: "not a url" })).toThrow(/ClientOptions\.baseUrl/);
    expect(() => new HttpClient({ token: TOKEN, baseUrl: "ftp://example.test" })).toThrow(/http or https/);
    expect(() => new HttpClient({ token: TOKEN, timeoutMs: 0 })).toThrow(/ClientOptions\.timeoutMs/);
    expect(() => new HttpClient({ token: TOKEN, maxRetries: 1.5 })).toThrow(/ClientOptions\.maxRetries/);
    expect(() => new HttpClient({ token: TOKEN, validation: "loose" as "warn" })).toThrow(
      /ClientOptions\.validation/,
    );
  });
});

describe("HttpClient requests", () => {
  it("sends auth, version, accept, user agent and a JSON body, and parses the JSON answer", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, { type: "external_page", id: "7" }));
    const result = await client(server).request<{ id: string }>({
      method: "POST",
      path: "/ai/external_pages",
      body: { title: "Hello", locale: "en" },
    });
    expect(result).toEqual({ type: "external_page", id: "7" });
    const [sent] = server.requests;
    expect(sent?.method).toBe("POST");
    expect(sent?.url).toBe("/ai/external_pages");
    expect(sent?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent?.headers["intercom-version"]).toBe(API_VERSION);
    expect(sent?.headers.accept).toBe("application/json");
    expect(sent?.headers["user-agent"]).toBe(USER_AGENT);
    expect(USER_AGENT).toContain("content-sync");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(sent?.body ?? "")).toEqual({ title: "Hello", locale: "en" });
  });

  it("encodes query arrays as repeated keys and leaves undefined values out", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, {}));
    await client(server).request({
      method: "GET",
      path: "/contacts",
      query: { ids: ["a 1", 2], per_page: 50, archived: false, skip: undefined },
    });
    const url = new URL(server.requests[0]?.url ?? "", server.url);
    expect(url.searchParams.getAll("ids")).toEqual(["a 1", "2"]);
    expect(url.searchParams.get("per_page")).toBe("50");
    expect(url.searchParams.get("archived")).toBe("false");
    expect(url.searchParams.has("skip")).toBe(false);
    expect(server.requests[0]?.headers["content-type"]).toBeUndefined();
  });

  it("keeps a base path prefix and reports the path without it", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, { ok: true }));
    const infos: ResponseInfo[] = [];
    const http = client(server, {
      baseUrl: `${server.url}/proxy/intercom/`,
      onResponse: (i) => infos.push(i),
    });
    await http.request({ method: "GET", path: "/admins/me", query: { email: "a@b.test" } });
    expect(server.requests[0]?.url).toBe("/proxy/intercom/admins/me?email=a%40b.test");
    expect(infos).toEqual([
      { method: "GET", path: "/admins/me", status: 200, durationMs: expect.any(Number), attempt: 0 },
    ]);
  });

  it("follows absolute links on its own origin and refuses other origins", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, { ok: true }));
    const http = client(server);
    await http.request({ method: "GET", path: `${server.url}/ai/content_import_sources?page=2` });
    expect(server.requests[0]?.url).toBe("/ai/content_import_sources?page=2");
    const refused = http.request({ method: "GET", path: "https://elsewhere.test/steal?page=2" });
    await expect(refused).rejects.toThrow(/refusing to send the token to https:\/\/elsewhere\.test/);
    expect(server.requests).toHaveLength(1);
  });

  it("returns undefined for 204 and empty bodies, text and bytes when asked, and honours accept", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/empty") {
        res.writeHead(204).end();
      } else if (req.url === "/blank") {
        res.writeHead(200).end();
      } else {
        res.writeHead(200, { "content-type": "text/csv" }).end("a,b\n1,2\n");
      }
    });
    const http = client(server);
    expect(await http.request({ method: "DELETE", path: "/empty" })).toBeUndefined();
    expect(await http.request({ method: "GET", path: "/blank" })).toBeUndefined();
    expect(
      await http.request({ method: "GET", path: "/csv", responseType: "text", accept: "text/csv" }),
    ).toBe("a,b\n1,2\n");
    expect(server.requests[2]?.headers.accept).toBe("text/csv");
    const bytes = await http.request<Uint8Array>({ method: "GET", path: "/csv", responseType: "bytes" });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes).toString("utf8")).toBe("a,b\n1,2\n");
  });

  it("throws IntercomResponseValidationError for a success body that is not JSON", async () => {
    const server = await startServer((_req, res) =>
      res.writeHead(200, { "x-request-id": "req_html" }).end("<html>"),
    );
    const error = await client(server)
      .request({ method: "GET", path: "/me" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomResponseValidationError);
    expect(error).toMatchObject({ code: "invalid_json", requestId: "req_html", status: 200 });
  });

  it("feeds the rate-limit headers to the limiter and calls onResponse after every attempt", async () => {
    const server = await startServer((_req, res) =>
      sendJson(
        res,
        200,
        {},
        { "x-ratelimit-limit": "166", "x-ratelimit-remaining": "150", "x-ratelimit-reset": "1700000010" },
      ),
    );
    const limiter = new RecordingLimiter();
    const infos: ResponseInfo[] = [];
    const http = client(server, {
      rateLimiter: limiter,
      onResponse: (info) => {
        infos.push(info);
        throw new Error("a broken hook must not fail the call");
      },
    });
    await http.request({ method: "GET", path: "/me" });
    expect(limiter.acquired).toBe(1);
    expect(limiter.observed).toEqual([{ limit: 166, remaining: 150, resetAt: 1700000010 }]);
    expect(infos).toHaveLength(1);
  });
});

describe("HttpClient retries", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    // Full jitter at its top: each backoff waits its whole ceiling (500, 1000, 2000 ms…).
    vi.spyOn(Math, "random").mockReturnValue(1);
  });

  it("retries 5xx on a GET with growing backoff, then succeeds", async () => {
    const server = await startServer((_req, res, index) =>
      index < 2
        ? sendJson(res, 503, errorList("service_unavailable", "try later"))
        : sendJson(res, 200, { ok: 1 }),
    );
    const infos: ResponseInfo[] = [];
    const result = await drive(
      client(server, { onResponse: (i) => infos.push(i) }).request({ method: "GET", path: "/x" }),
    );
    expect(result).toEqual({ ok: 1 });
    expect(server.requests).toHaveLength(3);
    const [first, second, third] = server.requests.map((r) => r.at);
    expect(second! - first!).toBeGreaterThanOrEqual(500);
    expect(second! - first!).toBeLessThan(700);
    expect(third! - second!).toBeGreaterThanOrEqual(1000);
    expect(third! - second!).toBeLessThan(1200);
    expect(infos.map((i) => [i.status, i.attempt])).toEqual([
      [503, 0],
      [503, 1],
      [200, 2],
    ]);
  });

  it("gives up after maxRetries and throws the last error", async () => {
    const server = await startServer((_req, res) =>
      sendJson(res, 500, errorList("server_error", "boom", "req_500")),
    );
    const error = await drive(
      client(server, { maxRetries: 5 })
        .request({ method: "PUT", path: "/contacts/1", body: {} }, { maxRetries: 2 })
        .catch((e: unknown) => e),
    );
    expect(server.requests).toHaveLength(3);
    expect(error).toBeInstanceOf(IntercomServerError);
    expect(error).toMatchObject({ status: 500, code: "server_error", requestId: "req_500" });
  });

  it("retries 408 on a non-idempotent POST", async () => {
    const server = await startServer((_req, res, index) =>
      index === 0
        ? sendJson(res, 408, errorList("request_timeout", "slow"))
        : sendJson(res, 200, { id: "1" }),
    );
    await expect(
      drive(client(server).request({ method: "POST", path: "/notes", body: {} })),
    ).resolves.toEqual({
      id: "1",
    });
    expect(server.requests).toHaveLength(2);
  });

  it("waits for X-RateLimit-Reset after a 429, blocks the limiter, then succeeds", async () => {
    const resetAt = Math.ceil(Date.now() / 1000) + 5;
    const server = await startServer((_req, res, index) =>
      index === 0
        ? sendJson(res, 429, errorList("rate_limit_exceeded", "Exceeded rate limit of 166 in 10_seconds"), {
            "x-ratelimit-limit": "166",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": String(resetAt),
          })
        : sendJson(res, 200, { ok: true }),
    );
    const limiter = new RecordingLimiter();
    // A non-idempotent POST: a 429 means nothing was done, so it is retried too.
    const result = await drive(
      client(server, { rateLimiter: limiter }).request({ method: "POST", path: "/notes", body: {} }),
    );
    expect(result).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at).toBeGreaterThanOrEqual(resetAt * 1000);
    expect(server.requests[1]!.at).toBeLessThan(resetAt * 1000 + 200);
    expect(limiter.blocked).toEqual([resetAt]);
    expect(limiter.observed[0]).toEqual({ limit: 166, remaining: 0, resetAt });
    expect(limiter.acquired).toBe(2);
  });

  it("throws IntercomRateLimitError with resetAt when retries are used up or the reset is too far", async () => {
    const farReset = Math.ceil(Date.now() / 1000) + 3600;
    const server = await startServer((_req, res) =>
      sendJson(res, 429, errorList("rate_limit_exceeded", "slow down", "req_429"), {
        "x-ratelimit-reset": String(farReset),
      }),
    );
    const error = await drive(
      client(server)
        .request({ method: "GET", path: "/x" })
        .catch((e: unknown) => e),
    );
    expect(server.requests).toHaveLength(1);
    expect(isIntercomRateLimitError(error)).toBe(true);
    expect(error).toMatchObject({
      status: 429,
      resetAt: farReset,
      code: "rate_limit_exceeded",
      requestId: "req_429",
    });
  });

  it("does not retry a plain POST on 500, but does when it is marked idempotent", async () => {
    const server = await startServer((_req, res, index) =>
      index < 2 ? sendJson(res, 500, errorList("server_error", "oops")) : sendJson(res, 200, { id: "p1" }),
    );
    const http = client(server);
    const error = await drive(
      http.request({ method: "POST", path: "/contacts", body: {} }).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(IntercomServerError);
    expect(server.requests).toHaveLength(1);

    const upsert = http.request({ method: "POST", path: "/ai/external_pages", body: {}, idempotent: true });
    await expect(drive(upsert)).resolves.toEqual({ id: "p1" });
    expect(server.requests).toHaveLength(3);
  });

  it("retries a dropped connection on GET but not on a plain POST", async () => {
    const server = await startServer((req, res, index) => {
      if (index === 0 || (req.method === "POST" && index === 2)) {
        res.socket?.destroy();
      } else {
        sendJson(res, 200, { ok: index });
      }
    });
    const http = client(server);
    await expect(drive(http.request({ method: "GET", path: "/x" }))).resolves.toEqual({ ok: 1 });
    const error = await drive(
      http.request({ method: "POST", path: "/x", body: {} }).catch((e: unknown) => e),
    );
    expect(isIntercomNetworkError(error)).toBe(true);
    expect(error).toMatchObject({ timedOut: false, method: "POST", path: "/x" });
    expect(server.requests).toHaveLength(3);
  });

  it("times out an attempt, retries it, and reports timedOut", async () => {
    const server = await startServer(() => {
      // Never answers.
    });
    const http = client(server, { timeoutMs: 5_000 });
    const error = await drive(
      http
        .request({ method: "GET", path: "/slow" }, { timeoutMs: 1_000, maxRetries: 1 })
        .catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(IntercomNetworkError);
    expect(error).toMatchObject({ timedOut: true, status: undefined });
    expect((error as Error).message).toContain("1000 ms");
    expect(server.requests).toHaveLength(2);
  });

  it("rejects with the signal's reason when aborted during a request, and does not retry", async () => {
    const server = await startServer(() => {
      // Never answers.
    });
    const controller = new AbortController();
    const pending = client(server).request({ method: "GET", path: "/slow" }, { signal: controller.signal });
    await untilRequests(server, 1);
    const reason = new Error("shutting down");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.requests).toHaveLength(1);
  });

  it("rejects with the signal's reason when aborted during a backoff", async () => {
    const server = await startServer((_req, res) => sendJson(res, 503, errorList("unavailable", "later")));
    const controller = new AbortController();
    let attempts = 0;
    const http = client(server, { onResponse: () => attempts++ });
    const pending = http.request({ method: "GET", path: "/x" }, { signal: controller.signal });
    pending.catch(() => undefined);
    while (attempts === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    controller.abort("cancelled by test");
    await expect(pending).rejects.toBe("cancelled by test");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.requests).toHaveLength(1);
  });

  it("rejects with the signal's reason when aborted while waiting for the limiter", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, {}));
    const http = client(server, {
      rateLimiter: new TokenBucketRateLimiter({ callsPerWindow: 1, windowMs: 10_000 }),
    });
    await drive(http.request({ method: "GET", path: "/one" }));
    const controller = new AbortController();
    const pending = http.request({ method: "GET", path: "/two" }, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort(new Error("stop waiting"));
    await expect(pending).rejects.toThrow("stop waiting");
    expect(server.requests).toHaveLength(1);
  });

  it("never sends when the signal is already aborted", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, {}));
    const reason = new Error("too late");
    await expect(
      client(server).request({ method: "GET", path: "/x" }, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(server.requests).toHaveLength(0);
  });
});

describe("HttpClient error mapping", () => {
  const cases = [
    [401, "unauthorized", IntercomAuthError, isIntercomAuthError],
    [403, "api_plan_restricted", IntercomAuthError, isIntercomAuthError],
    [404, "not_found", IntercomNotFoundError, isIntercomNotFoundError],
    [400, "parameter_invalid", IntercomValidationError, isIntercomValidationError],
    [422, "parameter_mismatch", IntercomValidationError, isIntercomValidationError],
    [429, "rate_limit_exceeded", IntercomRateLimitError, isIntercomRateLimitError],
    [502, "bad_gateway", IntercomServerError, isIntercomServerError],
  ] as const;

  it.each(cases)(
    "maps %i to its class with request id, codes and field",
    async (status, code, Class, guard) => {
      const server = await startServer((_req, res) =>
        sendJson(res, status, errorList(code, "Something is wrong", `req_${status}`, "external_id")),
      );
      const error = await client(server, { maxRetries: 0 })
        .request({ method: "PUT", path: "/ai/external_pages/12", body: {} })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Class);
      expect(guard(error)).toBe(true);
      expect(isIntercomError(error)).toBe(true);
      expect(error).toMatchObject({
        name: Class.name,
        status,
        code,
        requestId: `req_${status}`,
        method: "PUT",
        path: "/ai/external_pages/12",
        errors: [{ code, message: "Something is wrong", field: "external_id" }],
      });
      const message = (error as Error).message;
      for (const part of [
        "PUT",
        "/ai/external_pages/12",
        String(status),
        code,
        `req_${status}`,
        "external_id",
      ]) {
        expect(message).toContain(part);
      }
    },
  );

  it("uses the base class for other statuses and header request ids for non-JSON bodies", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/conflict") sendJson(res, 409, errorList("conflict", "already exists", "req_409"));
      else
        res
          .writeHead(400, { "content-type": "text/html", "x-request-id": "req_hdr" })
          .end("<h1>Bad   request</h1>");
    });
    const http = client(server, { maxRetries: 0 });
    const conflict = await http
      .request({ method: "POST", path: "/conflict", body: {} })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(IntercomError);
    expect(isIntercomValidationError(conflict)).toBe(false);
    expect(conflict).toMatchObject({ name: "IntercomError", status: 409, code: "conflict" });
    const html = await http.request({ method: "GET", path: "/html" }).catch((e: unknown) => e);
    expect(html).toBeInstanceOf(IntercomValidationError);
    expect(html).toMatchObject({ requestId: "req_hdr", errors: [], code: undefined });
    expect((html as Error).message).toContain("<h1>Bad request</h1>");
  });
});

describe("HttpClient validation", () => {
  const Page = z.object({ type: z.literal("external_page"), id: z.string() });

  it("rejects an invalid request body before sending, with field paths", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, {}));
    const schema = z.object({
      title: z.string(),
      locale: z.literal("en"),
      meta: z.object({ n: z.number() }),
    });
    const error = await client(server)
      .request({
        method: "POST",
        path: "/ai/external_pages",
        body: { locale: "fr", meta: { n: "1" } },
        requestSchema: schema,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomValidationError);
    const fields = (error as IntercomValidationError).errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(["title", "locale", "meta.n"]));
    expect((error as IntercomValidationError).status).toBeUndefined();
    expect(server.requests).toHaveLength(0);
  });

  it("checks the query when the request has no body", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, {}));
    const schema = z.object({ per_page: z.number().max(150) });
    const error = await client(server)
      .request({ method: "GET", path: "/contacts", query: { per_page: 500 }, requestSchema: schema })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "IntercomValidationError", errors: [{ field: "per_page" }] });
    expect(server.requests).toHaveLength(0);
  });

  it("strict mode throws on a response that does not match", async () => {
    const server = await startServer((_req, res) =>
      sendJson(res, 200, { type: "external_page", id: 7, request_id: "r1" }),
    );
    const error = await client(server, { validation: "strict" })
      .request({ method: "GET", path: "/ai/external_pages/7", responseSchema: Page })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomResponseValidationError);
    expect(error).toMatchObject({
      status: 200,
      requestId: "r1",
      errors: [{ field: "id", code: "invalid_type" }],
    });
  });

  it("warn mode logs the issues and returns the body as received; off mode says nothing", async () => {
    const server = await startServer((_req, res) =>
      sendJson(res, 200, { type: "external_page", id: 7, extra: "kept" }),
    );
    const warned = captureLogs();
    const body = await client(server, { logger: warned.logger }).request({
      method: "GET",
      path: "/ai/external_pages/7",
      responseSchema: Page,
    });
    expect(body).toEqual({ type: "external_page", id: 7, extra: "kept" });
    const warning = warned.lines.map((line) => JSON.parse(line)).find((entry) => entry.level === 40);
    expect(warning).toMatchObject({
      path: "/ai/external_pages/7",
      issues: [{ field: "id", code: "invalid_type" }],
    });

    const quiet = captureLogs();
    await client(server, { logger: quiet.logger, validation: "off" }).request({
      method: "GET",
      path: "/ai/external_pages/7",
      responseSchema: Page,
    });
    expect(quiet.lines.map((line) => JSON.parse(line)).filter((entry) => entry.level >= 40)).toEqual([]);
  });
});

describe("HttpClient never exposes the token", () => {
  it("keeps it out of logs, error messages, stacks and inspected objects", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/ok") {
        sendJson(res, 200, { ok: true });
      } else {
        // A hostile or buggy server echoing the credentials back.
        sendJson(
          res,
          401,
          errorList("unauthorized", `bad header ${req.headers.authorization}`, `id ${TOKEN}`),
        );
      }
    });
    const { logger, lines } = captureLogs();
    const http = client(server, { logger, maxRetries: 0 });
    await http.request({ method: "GET", path: "/ok" });
    const error = await http.request({ method: "GET", path: "/denied" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomAuthError);
    logger.error({ err: error }, "call failed");
    logger.info({ client: http }, "client");

    expect(lines.length).toBeGreaterThanOrEqual(3);
    const outputs = [
      lines.join("\n"),
      (error as Error).message,
      (error as Error).stack ?? "",
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      inspect(http, { depth: 10, showHidden: true }),
      JSON.stringify(http),
    ];
    for (const output of outputs) expect(output).not.toContain(TOKEN);
    expect((error as Error).message).toContain("[redacted]");
    // The debug lines of each attempt are there, built from plain fields.
    expect(
      lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === "Intercom attempt"),
    ).toMatchObject([
      { method: "GET", path: "/ok", status: 200, attempt: 0 },
      { method: "GET", path: "/denied", status: 401, attempt: 0 },
    ]);
  });
});
