import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isConnectorError } from "../../src/errors.js";
import { FixtureServer } from "../../src/testing/index.js";
import type { RequestBudget } from "../../src/toolkit/budget/request-budget.js";
import { isDownloadTooLargeError } from "../../src/toolkit/bodies/download-too-large-error.js";
import { basicAuth, bearerToken } from "../../src/toolkit/credentials/static-credentials.js";
import { ToolkitHttpClient, type ToolkitHttpOptions } from "../../src/toolkit/http/toolkit-http-client.js";

const logger = pino({ level: "silent" });
let api: FixtureServer;
let waits: number[];

beforeEach(async () => {
  api = await FixtureServer.start();
  waits = [];
});
afterEach(async () => {
  await api.close();
});

// The retry waits are recorded instead of slept: the clock is the test's.
const client = (options: Partial<ToolkitHttpOptions> = {}) =>
  new ToolkitHttpClient({
    sourceId: "docs",
    baseUrl: api.url,
    logger,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });

describe("ToolkitHttpClient: retries", () => {
  it("waits as long as Retry-After says, in delay-seconds and as an HTTP date", async () => {
    api.route("GET", "/items", () => ({ json: { ok: true } }));
    api.failNext(1, { status: 429, headers: { "retry-after": "7" } });
    api.failNext(1, { status: 503, headers: { "retry-after": new Date(Date.now() + 30_000).toUTCString() } });
    const response = await client().json<{ ok: boolean }>("/items");
    expect(response.data).toEqual({ ok: true });
    expect(api.requestsTo("/items")).toHaveLength(3);
    expect(waits[0]).toBe(7_000);
    // HTTP dates have second precision, so the wait is up to a second short of 30 s.
    expect(waits[1]).toBeGreaterThan(28_000);
    expect(waits[1]).toBeLessThanOrEqual(30_000);
  });

  it("retries a product's own status (Notion's 529) only when the connector lists it in retryStatuses", async () => {
    api.route("GET", "/items", () => ({ json: { ok: true } }));
    api.failNext(1, { status: 529, headers: { "retry-after": "3" } });
    expect((await client({ retryStatuses: [529] }).json<{ ok: boolean }>("/items")).data).toEqual({
      ok: true,
    });
    expect(waits).toEqual([3_000]);
    api.failNext(1, { status: 529, headers: { "retry-after": "3" } });
    const error = await client()
      .json("/items")
      .catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("unavailable");
    expect(api.requestsTo("/items")).toHaveLength(3);
  });

  it("retries what the throttled hook names (Drive's 403 rateLimitExceeded), even where the status is allowed, as rate_limited", async () => {
    const throttle = { status: 403, headers: { "retry-after": "2" }, json: { reason: "rateLimitExceeded" } };
    const throttled = async (response: Response) =>
      response.status === 403 &&
      ((await response.json()) as { reason?: string }).reason === "rateLimitExceeded";
    api.route("GET", "/items", () => ({ json: { ok: true } }));
    api.failNext(1, throttle);
    expect(
      (await client({ throttled }).json<{ ok: boolean }>("/items", { allowStatuses: [403] })).data,
    ).toEqual({
      ok: true,
    });
    expect(waits).toEqual([2_000]);
    api.failNext(3, throttle);
    const exhausted = await client({ throttled, maxRetries: 2 })
      .json("/items")
      .catch((caught: unknown) => caught);
    expect(isConnectorError(exhausted) && exhausted.kind).toBe("rate_limited");
    // Any other 403 is a refusal: one request, no retry.
    const sent = api.requestsTo("/items").length;
    api.failNext(1, { status: 403, json: { reason: "forbidden" } });
    const refused = await client({ throttled })
      .json("/items")
      .catch((caught: unknown) => caught);
    expect(isConnectorError(refused) && refused.kind).toBe("auth");
    expect(api.requestsTo("/items")).toHaveLength(sent + 1);
  });

  it("reads product headers when Retry-After is absent, and backs off with full jitter otherwise", async () => {
    api.route("GET", "/items", () => ({ json: [] }));
    api.failNext(1, {
      status: 429,
      headers: { "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 5) },
    });
    api.failNext(1, { status: 502 });
    await client({
      waitHeaders: [{ name: "x-ratelimit-reset", format: "unix-seconds" }],
      backoff: { baseDelayMs: 100, random: () => 0.5 },
    }).json("/items");
    expect(waits[0]).toBeGreaterThan(3_000);
    expect(waits[0]).toBeLessThanOrEqual(5_000);
    expect(waits[1]).toBe(100); // attempt 1: ceiling 200 ms, jitter 0.5
  });

  it("gives up after maxRetries with rate_limited, and refuses waits longer than maxWaitMs", async () => {
    api.failNext(3, { status: 429, headers: { "retry-after": "1" } });
    const exhausted = await client({ maxRetries: 2 })
      .json("/items")
      .catch((error: unknown) => error);
    expect(isConnectorError(exhausted) && exhausted.kind).toBe("rate_limited");
    expect(waits).toEqual([1_000, 1_000]);
    api.failNext(1, { status: 429, headers: { "retry-after": "3600" } });
    const tooLong = await client()
      .json("/items")
      .catch((error: unknown) => error);
    expect(isConnectorError(tooLong) && tooLong.status).toBe(429);
    expect(waits).toHaveLength(2);
  });

  it("draws from the budget before every attempt and pauses it on a 429", async () => {
    const acquired: number[] = [];
    const paused: number[] = [];
    const budget: RequestBudget = {
      acquire: async () => {
        acquired.push(acquired.length);
      },
      pause: (ms) => {
        paused.push(ms);
      },
    };
    api.route("GET", "/items", () => ({ json: [] }));
    api.failNext(1, { status: 429, headers: { "retry-after": "2" } });
    await client({ budget }).json("/items");
    expect(acquired).toHaveLength(2);
    expect(paused).toEqual([2_000]);
  });

  it("cancels a wait when the signal aborts", async () => {
    api.failNext(1, { status: 503, headers: { "retry-after": "60" } });
    const controller = new AbortController();
    const outcome = client({
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason));
          controller.abort(new Error("stop"));
        }),
    })
      .json("/items", { signal: controller.signal })
      .catch((error: unknown) => error);
    expect(((await outcome) as Error).message).toBe("stop");
  });
});

describe("ToolkitHttpClient: errors and secrets", () => {
  it("maps 401/403 to auth naming the env var, and never shows a secret, even echoed back", async () => {
    const password = "s3cret-pa55word";
    api.route("GET", "/me", (request) => ({
      status: 403,
      json: { message: `denied for ${request.headers.authorization} (${password})` },
    }));
    const error = await client({ credentials: basicAuth("bot", password, "WIKI_PASSWORD") })
      .json("/me")
      .catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("auth");
    expect(isConnectorError(error) && error.credentialEnv).toBe("WIKI_PASSWORD");
    const message = (error as Error).message;
    expect(message).toContain("WIKI_PASSWORD");
    expect(message).not.toContain(password);
    expect(message).not.toContain(Buffer.from(`bot:${password}`).toString("base64"));
    expect(message).toContain("[redacted]");
  });

  it("returns allowed statuses and rejects a 2xx body that is not JSON", async () => {
    api.route("GET", "/gone", () => ({ status: 404, json: { error: "nope" } }));
    api.route("GET", "/html", () => ({ body: "<html>maintenance</html>" }));
    const gone = await client().json("/gone", { allowStatuses: [404] });
    expect(gone.status).toBe(404);
    expect(gone.data).toBeUndefined();
    const error = await client()
      .json("/html")
      .catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("bad_response");
  });

  it("sends the credential's header with every attempt", async () => {
    api.requireAuth((request) => request.headers.authorization === "Bearer tok-1");
    api.route("GET", "/items", () => ({ json: [1] }));
    expect((await client({ credentials: bearerToken("tok-1") }).json("/items")).data).toEqual([1]);
  });

  it("with redirect: manual, hands back the 3xx and its Location instead of following it", async () => {
    api.route("GET", "/content", () => ({ status: 302, headers: { location: `${api.url}/elsewhere` } }));
    api.route("GET", "/elsewhere", () => ({ body: "followed" }));
    const manual = await client({ credentials: bearerToken("tok-1") }).send("/content", {
      redirect: "manual",
      allowStatuses: [302],
    });
    expect(manual.status).toBe(302);
    expect(manual.headers.get("location")).toBe(`${api.url}/elsewhere`);
    expect(api.requestsTo("/elsewhere")).toHaveLength(0);
    expect(await (await client().send("/content")).text()).toBe("followed");
  });
});

describe("ToolkitHttpClient: bodies", () => {
  it("parses a WebDAV multistatus answer without namespace prefixes", async () => {
    api.route("PROPFIND", "/dav/docs/", () => ({
      status: 207,
      headers: { "content-type": 'application/xml; charset="utf-8"' },
      body: `<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
  <d:response>
    <d:href>/dav/docs/handbook.md</d:href>
    <d:propstat>
      <d:prop>
        <d:getetag>"5f2a-01"</d:getetag>
        <d:getlastmodified>Tue, 04 Mar 2025 10:00:00 GMT</d:getlastmodified>
        <d:getcontentlength>1024</d:getcontentlength>
        <d:resourcetype/>
      </d:prop>
      <d:status>HTTP/1.1 200 OK</d:status>
    </d:propstat>
  </d:response>
  <d:response>
    <d:href>/dav/docs/guides/</d:href>
    <d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
  </d:response>
</d:multistatus>`,
    }));
    type Multistatus = {
      multistatus: {
        response: {
          href: string;
          propstat: { prop: { getetag?: string; getcontentlength?: string; resourcetype: unknown } };
        }[];
      };
    };
    const response = await client().xml<Multistatus>("/dav/docs/", {
      method: "PROPFIND",
      headers: { depth: "1" },
      body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>',
      xml: { alwaysArray: ["response"] },
    });
    expect(response.status).toBe(207);
    const [file, folder] = response.data.multistatus.response;
    expect(file?.href).toBe("/dav/docs/handbook.md");
    expect(file?.propstat.prop.getetag).toBe('"5f2a-01"');
    expect(file?.propstat.prop.getcontentlength).toBe("1024");
    expect(folder?.propstat.prop.resourcetype).toEqual({ collection: "" });
    expect(api.requests[0]?.headers.depth).toBe("1");
    expect(api.requests[0]?.body).toContain("propfind");
  });

  it("reports malformed XML as a bad response", async () => {
    api.route("GET", "/broken.xml", () => ({ body: "<a><b></a>" }));
    const error = await client()
      .xml("/broken.xml")
      .catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("bad_response");
  });

  it("aborts a 200 MB download at the byte cap with bounded memory, naming the document and size", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(120);
    async function* twoHundredMegabytes() {
      for (let i = 0; i < 200; i++) yield chunk;
    }
    api.route("GET", "/files/huge.pdf", () => ({
      headers: { "content-type": "application/pdf" },
      body: twoHundredMegabytes(),
    }));
    api.route("GET", "/files/declared.pdf", () => ({
      headers: { "content-length": String(200 * 1024 * 1024) },
      body: twoHundredMegabytes(),
    }));
    global.gc?.();
    const before = process.memoryUsage().rss;
    const error = await client()
      .download("/files/huge.pdf", { maxBytes: 10 * 1024 * 1024, documentName: "Handbook/huge.pdf" })
      .catch((caught: unknown) => caught);
    const growth = process.memoryUsage().rss - before;
    expect(isDownloadTooLargeError(error)).toBe(true);
    expect((error as Error).message).toContain('"Handbook/huge.pdf"');
    expect((error as Error).message).toContain("over the download limit of 10485760 bytes");
    // A bound, not a timing: the whole body would be 200 MB.
    expect(growth).toBeLessThan(100 * 1024 * 1024);
    const declared = await client()
      .download("/files/declared.pdf", { maxBytes: 1024, documentName: "declared.pdf" })
      .catch((caught: unknown) => caught);
    expect(isDownloadTooLargeError(declared) && declared.declaredBytes).toBe(200 * 1024 * 1024);
    expect(isDownloadTooLargeError(declared) && declared.receivedBytes).toBe(0);
  });

  it("downloads a body under the cap whole", async () => {
    api.route("GET", "/files/small.bin", () => ({ body: new Uint8Array([1, 2, 3]) }));
    const response = await client().download("/files/small.bin", { maxBytes: 3, documentName: "small.bin" });
    expect([...response.data]).toEqual([1, 2, 3]);
  });
});
