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
