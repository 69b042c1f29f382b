import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the fixture saw it; `requests` keeps them in order for assertions. */
export interface FixtureRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Header names lower-cased. */
  headers: IncomingHttpHeaders;
  body: string;
  /** Path parameters of the matching route (`/items/:id` → `{ id }`). */
  params: Record<string, string>;
}

/** What a handler answers: JSON, a body (text, bytes or a stream of chunks), headers. */
export interface FixtureReply {
  status?: number;
  headers?: Record<string, string | readonly string[]>;
  json?: unknown;
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

export type FixtureHandler = (request: FixtureRequest) => FixtureReply | Promise<FixtureReply>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: FixtureHandler;
}

/**
 * A local stand-in of a SaaS API for connector tests: routes with `:params`, an auth check for every
 * route, injected faults (429/5xx with `Retry-After`, answered before the route), and a request
 * log. Listens on 127.0.0.1 on a free port.
 *
 * ```ts
 * const api = await FixtureServer.start();
 * api.requireAuth((req) => req.headers.authorization === "Bearer t0k");
 * api.route("GET", "/items/:id", (req) => ({ json: { id: req.params.id } }));
 * api.failNext(1, { status: 429, headers: { "retry-after": "1" } });
 * ```
 */
export class FixtureServer {
  readonly requests: FixtureRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly faults: FixtureReply[] = [];
  private auth: { check: (request: FixtureRequest) => boolean; reply: FixtureReply } | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FixtureServer> {
    let fixture: FixtureServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        void fixture?.handle(
          req.method ?? "GET",
          req.url ?? "/",
          req.headers,
          Buffer.concat(chunks).toString("utf8"),
          res,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    fixture = new FixtureServer(server, `http://127.0.0.1:${port}`);
    return fixture;
  }

  /** Adds a route; `path` may hold `:name` segments, or be a RegExp whose groups become params. */
  route(method: string, path: string | RegExp, handler: FixtureHandler): this {
    const names: string[] = [];
    const pattern =
      typeof path === "string"
        ? new RegExp(
            `^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:([A-Za-z_]\w*)/g, (_, name: string) => {
              names.push(name);
              return "([^/]+)";
            })}$`,
          )
        : path;
    this.routes.push({ method: method.toUpperCase(), pattern, names, handler });
    return this;
  }

  /** Every request must pass `check`, else gets `reply` (default 401 JSON). */
  requireAuth(
    check: (request: FixtureRequest) => boolean,
    reply: FixtureReply = { status: 401, json: { error: "unauthorized" } },
  ): this {
    this.auth = { check, reply };
    return this;
  }

  /** The next `count` requests get `reply` (a 429 with `Retry-After`, a 503) instead of their route. */
  failNext(count: number, reply: FixtureReply): this {
    for (let i = 0; i < count; i++) this.faults.push(reply);
    return this;
  }

  /** Requests whose path matches, for assertions. */
  requestsTo(path: string | RegExp): FixtureRequest[] {
    return this.requests.filter((request) =>
      typeof path === "string" ? request.path === path : path.test(request.path),
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(
    method: string,
    target: string,
    headers: IncomingHttpHeaders,
    body: string,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(target, this.url);
    const request: FixtureRequest = {
      method,
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers,
      body,
      params: {},
    };
    this.requests.push(request);
    let reply: FixtureReply;
    try {
      reply = this.faults.shift() ?? (await this.answer(request));
    } catch (error) {
      reply = { status: 500, json: { error: (error as Error).message } };
    }
    await send(res, reply);
  }

  private async answer(request: FixtureRequest): Promise<FixtureReply> {
    if (this.auth && !this.auth.check(request)) return this.auth.reply;
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      request.params = Object.fromEntries(route.names.map((name, index) => [name, match[index + 1] ?? ""]));
      if (route.names.length === 0 && match.groups) request.params = { ...match.groups };
      return route.handler(request);
    }
    return { status: 404, json: { error: `no fixture route for ${request.method} ${request.path}` } };
  }
}

async function send(res: ServerResponse, reply: FixtureReply): Promise<void> {
  const headers: Record<string, string | readonly string[]> = { ...reply.headers };
  let body = reply.body;
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers["content-type"] ??= "application/json";
  }
  res.writeHead(reply.status ?? 200, headers as Record<string, string | string[]>);
  if (body === undefined) {
    res.end();
  } else if (typeof body === "string" || body instanceof Uint8Array) {
    res.end(body);
  } else {
    try {
      for await (const chunk of body) {
        if (res.destroyed) return;
        if (!res.write(chunk))
          await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
      }
      res.end();
    } catch {
      res.destroy();
    }
  }
}

/**
 * One page of `items` for page-number paging (`?page=2&per_page=10`), with what products usually
 * report about it: the page count and the next page number (undefined on the last page).
 */
export function pageOf<T>(
  items: readonly T[],
  request: FixtureRequest,
  options: { pageParam?: string; sizeParam?: string; defaultSize?: number } = {},
): { items: T[]; page: number; pageCount: number; total: number; next: number | undefined } {
  const size = Number(request.query.get(options.sizeParam ?? "per_page") ?? options.defaultSize ?? 10);
  const page = Math.max(1, Number(request.query.get(options.pageParam ?? "page") ?? 1));
  const pageCount = Math.max(1, Math.ceil(items.length / size));
  return {
    items: items.slice((page - 1) * size, page * size),
    page,
    pageCount,
    total: items.length,
    next: page < pageCount ? page + 1 : undefined,
  };
}

/** One page for cursor paging: the cursor is the offset, opaque to the client. */
export function cursorPageOf<T>(
  items: readonly T[],
  cursor: string | null | undefined,
  size: number,
): { items: T[]; nextCursor: string | undefined } {
  const start = cursor ? Number(Buffer.from(cursor, "base64url").toString("utf8")) : 0;
  const end = start + size;
  return {
    items: items.slice(start, end),
    nextCursor: end < items.length ? Buffer.from(String(end)).toString("base64url") : undefined,
  };
}
