import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IntercomResponseValidationError, isIntercomError } from "./errors.js";
import { HttpClient } from "./http-client.js";
import {
  paginateCursor,
  nextLinkPath,
  paginateNextUrl,
  paginatePageNumbers,
  paginateScroll,
  paginateSearch,
} from "./pagination.js";
import { NoopRateLimiter } from "./rate-limiter.js";

interface Item {
  id: string;
}

interface RecordedRequest {
  method: string;
  url: URL;
  body: unknown;
}

type Route = (request: RecordedRequest, res: ServerResponse, origin: string) => void;

interface LocalServer {
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const servers: LocalServer[] = [];

async function startServer(route: Route): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  let origin = "";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const recorded = {
        method: req.method ?? "",
        url: new URL(req.url ?? "/", origin),
        body: text ? JSON.parse(text) : undefined,
      };
      requests.push(recorded);
      route(recorded, res, origin);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const local = {
    origin,
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

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Seven records, so three-item pages give 3 + 3 + 1. */
const ITEMS: Item[] = Array.from({ length: 7 }, (_, index) => ({ id: String(index + 1) }));
const ALL_IDS = ITEMS.map((item) => item.id);

/** An opaque cursor, as Intercom's are. */
const cursorFor = (id: string) => Buffer.from(`after:${id}`).toString("base64url");
const idFromCursor = (cursor: string) =>
  Buffer.from(cursor, "base64url").toString("utf8").replace("after:", "");

function httpFor(server: LocalServer): HttpClient {
  return new HttpClient({ token: "tok_pages", baseUrl: server.origin, rateLimiter: new NoopRateLimiter() });
}

interface ListPage {
  data: Item[];
}
const dataOf = (page: ListPage) => page.data;

describe("paginateNextUrl", () => {
  function nextUrlServer() {
    return startServer((req, res, origin) => {
      const page = Number(req.url.searchParams.get("page") ?? 1);
      const totalPages = Math.ceil(ITEMS.length / 3);
      json(res, 200, {
        type: "list",
        data: ITEMS.slice((page - 1) * 3, page * 3),
        total_count: ITEMS.length,
        pages: {
          type: "pages",
          page,
          per_page: 3,
          total_pages: totalPages,
          next: page < totalPages ? `${origin}/ai/external_pages?page=${page + 1}` : null,
        },
      });
    });
  }

  it("follows pages.next links until there are none", async () => {
    const server = await nextUrlServer();
    const items = await paginateNextUrl(
      httpFor(server),
      { method: "GET", path: "/ai/external_pages" },
      dataOf,
    ).toArray();
    expect(items.map((item) => item.id)).toEqual(ALL_IDS);
    expect(server.requests.map((r) => `${r.url.pathname}${r.url.search}`)).toEqual([
      "/ai/external_pages",
      "/ai/external_pages?page=2",
      "/ai/external_pages?page=3",
    ]);
  });

  it("yields whole pages, and stops fetching when the caller stops", async () => {
    const server = await nextUrlServer();
    const list = paginateNextUrl(httpFor(server), { method: "GET", path: "/ai/external_pages" }, dataOf);
    const sizes: number[] = [];
    for await (const page of list.pages()) sizes.push(page.data.length);
    expect(sizes).toEqual([3, 3, 1]);

    server.requests.length = 0;
    const firstTwo: string[] = [];
    for await (const item of list) {
      firstTwo.push(item.id);
      if (firstTwo.length === 2) break;
    }
    expect(firstTwo).toEqual(["1", "2"]);
    expect(server.requests).toHaveLength(1);
  });

  it("follows a next link's path and query on its own origin, under its base path, whatever host the link names", async () => {
    const server = await startServer((req, res) => {
      if (req.url.search === "") {
        // What Intercom sends behind a proxy: a link on its own host.
        return json(res, 200, {
          data: [{ id: "1" }],
          pages: { next: "https://api.intercom.io/ai/external_pages?page=2" },
        });
      }
      return json(res, 200, { data: [{ id: "2" }], pages: {} });
    });
    const http = new HttpClient({
      token: "t",
      baseUrl: `${server.origin}/proxy/intercom`,
      rateLimiter: new NoopRateLimiter(),
      maxRetries: 0,
    });
    const list = paginateNextUrl(http, { method: "GET", path: "/ai/external_pages" }, dataOf);
    const seen: string[] = [];
    for await (const item of list) seen.push(item.id);
    expect(seen).toEqual(["1", "2"]);
    expect(server.requests.map((request) => `${request.url.pathname}${request.url.search}`)).toEqual([
      "/proxy/intercom/ai/external_pages",
      "/proxy/intercom/ai/external_pages?page=2",
    ]);
  });

  it("turns next links into paths on the base URL, never into requests elsewhere", () => {
    expect(
      nextLinkPath("https://api.intercom.io/ai/external_pages?page=2", "https://proxy.corp/intercom"),
    ).toBe("/ai/external_pages?page=2");
    expect(
      nextLinkPath("https://proxy.corp/intercom/ai/external_pages?page=3", "https://proxy.corp/intercom"),
    ).toBe("/ai/external_pages?page=3");
    expect(nextLinkPath("https://elsewhere.test/steal?page=2", "https://api.intercom.io")).toBe(
      "/steal?page=2",
    );
    expect(nextLinkPath("/ai/external_pages?page=4", "https://api.intercom.io")).toBe(
      "/ai/external_pages?page=4",
    );
  });
});

describe("paginateCursor", () => {
  it("sends pages.next.starting_after back as the starting_after query", async () => {
    const server = await startServer((req, res) => {
      const perPage = Number(req.url.searchParams.get("per_page"));
      const after = req.url.searchParams.get("starting_after");
      const start = after ? ITEMS.findIndex((item) => item.id === idFromCursor(after)) + 1 : 0;
      const data = ITEMS.slice(start, start + perPage);
      const last = data.at(-1);
      const more = start + perPage < ITEMS.length;
      json(res, 200, {
        type: "list",
        data,
        pages: {
          type: "pages",
          per_page: perPage,
          ...(more && last ? { next: { per_page: perPage, starting_after: cursorFor(last.id) } } : {}),
        },
      });
    });
    const list = paginateCursor(
      httpFor(server),
      { method: "GET", path: "/contacts", query: { per_page: 3 } },
      dataOf,
    );
    expect((await list.toArray()).map((item) => item.id)).toEqual(ALL_IDS);
    expect(server.requests.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
      { per_page: "3" },
      { per_page: "3", starting_after: cursorFor("3") },
      { per_page: "3", starting_after: cursorFor("6") },
    ]);
  });

  it("fails clearly instead of looping when the cursor does not move", async () => {
    const server = await startServer((_req, res) =>
      json(res, 200, { data: [{ id: "1" }], pages: { next: { starting_after: "same" } } }),
    );
    const list = paginateCursor(httpFor(server), { method: "GET", path: "/contacts" }, dataOf);
    const error = await list.toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomResponseValidationError);
    expect(error).toMatchObject({ code: "pagination_stuck", path: "/contacts" });
    expect(server.requests).toHaveLength(2);
  });
});

describe("paginatePageNumbers", () => {
  it("asks for page 1, 2, 3 with per_page until total_pages", async () => {
    const server = await startServer((req, res) => {
      const page = Number(req.url.searchParams.get("page"));
      const perPage = Number(req.url.searchParams.get("per_page"));
      json(res, 200, {
        type: "list",
        data: ITEMS.slice((page - 1) * perPage, page * perPage),
        pages: { type: "pages", page, per_page: perPage, total_pages: Math.ceil(ITEMS.length / perPage) },
      });
    });
    const list = paginatePageNumbers(
      httpFor(server),
      { method: "POST", path: "/companies/list", query: { page: 1, per_page: 3 } },
      dataOf,
    );
    expect((await list.toArray()).map((item) => item.id)).toEqual(ALL_IDS);
    expect(
      server.requests.map((r) => [
        r.method,
        r.url.searchParams.get("page"),
        r.url.searchParams.get("per_page"),
      ]),
    ).toEqual([
      ["POST", "1", "3"],
      ["POST", "2", "3"],
      ["POST", "3", "3"],
    ]);
  });

  it("stops after total_pages even when the server ignores the page asked for", async () => {
    const server = await startServer((_req, res) =>
      json(res, 200, { data: [{ id: "x" }], pages: { page: 1, per_page: 1, total_pages: 3 } }),
    );
    const list = paginatePageNumbers(httpFor(server), { method: "GET", path: "/companies" }, dataOf);
    expect(await list.toArray()).toHaveLength(3);
    expect(server.requests.map((r) => r.url.searchParams.get("page"))).toEqual([null, "2", "3"]);
  });

  it("treats an answer without pages as the only page", async () => {
    const server = await startServer((_req, res) => json(res, 200, { data: [{ id: "only" }], pages: null }));
    const list = paginatePageNumbers(httpFor(server), { method: "GET", path: "/segments" }, dataOf);
    expect(await list.toArray()).toEqual([{ id: "only" }]);
    expect(server.requests).toHaveLength(1);
  });
});

describe("paginateScroll", () => {
  function scrollServer() {
    let scrolls = 0;
    const positions = new Map<string, number>();
    return startServer((req, res) => {
      let param = req.url.searchParams.get("scroll_param");
      if (!param) {
        scrolls++;
        param = `scroll-${scrolls}`;
        positions.set(param, 0);
      }
      const position = positions.get(param);
      if (position === undefined) {
        json(res, 404, { type: "error.list", errors: [{ code: "not_found", message: "scroll expired" }] });
        return;
      }
      positions.set(param, position + 3);
      json(res, 200, {
        type: "company.list",
        data: ITEMS.slice(position, position + 3),
        pages: null,
        scroll_param: param,
      });
    });
  }

  it("sends scroll_param back until a page comes back empty", async () => {
    const server = await scrollServer();
    const list = paginateScroll(httpFor(server), { method: "GET", path: "/companies/scroll" }, dataOf);
    expect((await list.toArray()).map((item) => item.id)).toEqual(ALL_IDS);
    expect(server.requests.map((r) => r.url.searchParams.get("scroll_param"))).toEqual([
      null,
      "scroll-1",
      "scroll-1",
      "scroll-1",
    ]);
  });

  it("allows one scroll at a time per client, and another once it is done", async () => {
    const server = await scrollServer();
    const http = httpFor(server);
    const first = paginateScroll(http, { method: "GET", path: "/companies/scroll" }, dataOf)[
      Symbol.asyncIterator
    ]();
    expect((await first.next()).value).toEqual({ id: "1" });

    const second = paginateScroll(http, { method: "GET", path: "/companies/scroll" }, dataOf);
    const refused = await second.toArray().catch((e: unknown) => e);
    expect(isIntercomError(refused)).toBe(true);
    expect(refused).toMatchObject({ code: "scroll_in_progress", path: "/companies/scroll" });
    expect(server.requests).toHaveLength(1);

    await first.return?.();
    expect(await second.toArray()).toHaveLength(ITEMS.length);
  });

  it("treats a scroll idle for more than a minute as expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const server = await scrollServer();
      const http = httpFor(server);
      const abandoned = paginateScroll(http, { method: "GET", path: "/companies/scroll" }, dataOf);
      await abandoned[Symbol.asyncIterator]().next();
      const next = paginateScroll(http, { method: "GET", path: "/companies/scroll" }, dataOf);
      await expect(next.toArray()).rejects.toMatchObject({ code: "scroll_in_progress" });
      vi.setSystemTime(Date.now() + 61_000);
      expect(await next.toArray()).toHaveLength(ITEMS.length);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("paginateSearch", () => {
  it("sends pages.next.starting_after back in the body and keeps the query and page size", async () => {
    let failedOnce = false;
    const server = await startServer((req, res) => {
      if (!failedOnce) {
        failedOnce = true;
        json(res, 503, { type: "error.list", errors: [{ code: "service_unavailable" }] });
        return;
      }
      const body = req.body as { pagination: { per_page: number; starting_after?: string } };
      const { per_page: perPage, starting_after: after } = body.pagination;
      const start = after ? ITEMS.findIndex((item) => item.id === idFromCursor(after)) + 1 : 0;
      const data = ITEMS.slice(start, start + perPage);
      const last = data.at(-1);
      json(res, 200, {
        type: "list",
        data,
        total_count: ITEMS.length,
        pages: {
          type: "pages",
          per_page: perPage,
          next:
            start + perPage < ITEMS.length && last ? { page: 2, starting_after: cursorFor(last.id) } : null,
        },
      });
    });
    // Zero jitter: the retry of the first 503 goes out at once, with no real wait.
    vi.spyOn(Math, "random").mockReturnValue(0);
    const query = { field: "role", operator: "=", value: "user" };
    const list = paginateSearch(
      httpFor(server),
      { method: "POST", path: "/contacts/search", body: { query, pagination: { per_page: 3 } } },
      dataOf,
    );
    expect((await list.toArray()).map((item) => item.id)).toEqual(ALL_IDS);
    // The 503 on a search POST was retried: searches change nothing.
    expect(server.requests.map((r) => r.body)).toEqual([
      { query, pagination: { per_page: 3 } },
      { query, pagination: { per_page: 3 } },
      { query, pagination: { per_page: 3, starting_after: cursorFor("3") } },
      { query, pagination: { per_page: 3, starting_after: cursorFor("6") } },
    ]);
  });

  it("needs an object body", () => {
    const http = new HttpClient({ token: "t", baseUrl: "http://127.0.0.1:9" });
    expect(() => paginateSearch(http, { method: "POST", path: "/contacts/search" }, dataOf)).toThrow(
      /paginateSearch: POST \/contacts\/search needs an object body/,
    );
  });
});

describe("Paginator", () => {
  it("reports a page without an item list", async () => {
    const server = await startServer((_req, res) => json(res, 200, { type: "list", pages: null }));
    const list = paginateNextUrl(httpFor(server), { method: "GET", path: "/articles" }, dataOf);
    await expect(list.toArray()).rejects.toMatchObject({
      name: "IntercomResponseValidationError",
      code: "missing_items",
      path: "/articles",
    });
  });

  it("awaits to the first page with one request, and iterates every item (stripe-node's convention)", async () => {
    const server = await startServer((req, res, origin) => {
      const page = Number(req.url.searchParams.get("page") ?? 1);
      json(res, 200, {
        type: "list",
        data: ITEMS.slice((page - 1) * 3, page * 3),
        pages: { next: page < 3 ? `${origin}/ai/external_pages?page=${page + 1}` : null },
      });
    });
    const list = paginateNextUrl<Item, ListPage>(
      httpFor(server),
      { method: "GET", path: "/ai/external_pages" },
      dataOf,
    );
    expect(server.requests).toHaveLength(0);
    const first = await list;
    expect(first.data.map((item) => item.id)).toEqual(["1", "2", "3"]);
    expect(server.requests).toHaveLength(1);
    // Awaiting again shares the answer; then() chains like a promise's.
    expect(await list).toBe(first);
    await expect(list.then((page) => page.data.length)).resolves.toBe(3);
    expect(server.requests).toHaveLength(1);

    const ids: string[] = [];
    for await (const item of list) ids.push(item.id);
    expect(ids).toEqual(ALL_IDS);
    expect(server.requests).toHaveLength(4);
  });

  it("rejects an awaited list with the first page's error", async () => {
    const server = await startServer((_req, res) => json(res, 404, { type: "error.list", errors: [] }));
    const list = paginateNextUrl(httpFor(server), { method: "GET", path: "/articles" }, dataOf);
    await expect(list).rejects.toMatchObject({ name: "IntercomNotFoundError", status: 404 });
    await expect(list.then(undefined, () => "handled")).resolves.toBe("handled");
  });
});
