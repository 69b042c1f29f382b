import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A document as the fixture stores it. v4: one row, a draft when `publishedAt` is null. v5: a draft
 * version for every document (`status=draft`) and a published version when `publishedAt` is set.
 */
export interface FixtureEntry {
  id: number;
  documentId: string;
  locale: string;
  updatedAt: string;
  publishedAt: string | null;
  fields: Record<string, unknown>;
  /**
   * v5 only: edits saved to the draft version of a published document and not yet published. Its
   * `status=draft` version serves these instead of `fields`/`updatedAt`.
   */
  draft?: { fields: Record<string, unknown>; updatedAt: string };
}

export interface FixtureRequest {
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

/**
 * A node:http server answering Strapi's REST routes in the v4 (`{id, attributes}`) or v5 (flat, with
 * `documentId`) shape: `pagination[page]`/`[pageSize]` with `meta.pagination`, `sort[n]`,
 * `filters[updatedAt][$gt|$gte]`, `filters[documentId][$in][n]` (v5), `fields[n]`, `publicationState`
 * (v4), `status` (v5: `draft` serves the draft version of every document, published ones included,
 * with `publishedAt: null`, as Strapi 5 documents), `locale`, findOne, 401 for a wrong token and a 429
 * with Retry-After on demand.
 */
export class StrapiFixture {
  readonly collections = new Map<string, FixtureEntry[]>();
  readonly requests: FixtureRequest[] = [];
  /** Token required as `Authorization: Bearer …`; undefined lets everyone in. */
  token: string | undefined = "strapi-token";
  /** Answer the next request to this path with 429 and this Retry-After (seconds). */
  rateLimitNext: { path: string; retryAfterSeconds: number } | undefined;
  /** Strapi's `api.rest.maxLimit`: larger page sizes are cut down to it. */
  maxLimit = 100;
  /** Runs after a request is answered (to change content between pages). */
  afterRequest: ((request: FixtureRequest) => void) | undefined;
  private server: Server | undefined;
  private nextId = 1;

  constructor(readonly version: "v4" | "v5") {}

  add(
    collection: string,
    fields: Record<string, unknown>,
    options: { updatedAt: string; published?: boolean; locale?: string },
  ): FixtureEntry {
    const id = this.nextId++;
    const entry: FixtureEntry = {
      id,
      documentId: `doc${id.toString(36).padStart(6, "0")}abcdefghijklmnop`.slice(0, 24),
      locale: options.locale ?? "en",
      updatedAt: options.updatedAt,
      publishedAt: options.published === false ? null : options.updatedAt,
      fields,
    };
    const list = this.collections.get(collection) ?? [];
    list.push(entry);
    this.collections.set(collection, list);
    return entry;
  }

  remove(collection: string, id: number): void {
    this.collections.set(
      collection,
      (this.collections.get(collection) ?? []).filter((entry) => entry.id !== id),
    );
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://fixture");
    const record: FixtureRequest = {
      path: url.pathname,
      query: url.searchParams,
      authorization: request.headers.authorization,
    };
    this.requests.push(record);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response
        .writeHead(status, { "content-type": "application/json", ...headers })
        .end(JSON.stringify(body));
      this.afterRequest?.(record);
    };
    const error = (status: number, name: string, message: string) =>
      send(status, { data: null, error: { status, name, message, details: {} } });

    if (this.rateLimitNext?.path === url.pathname) {
      const { retryAfterSeconds } = this.rateLimitNext;
      this.rateLimitNext = undefined;
      const body = {
        data: null,
        error: { status: 429, name: "RateLimitError", message: "Too many requests" },
      };
      send(429, body, { "retry-after": String(retryAfterSeconds) });
      return;
    }
    if (this.token !== undefined && request.headers.authorization !== `Bearer ${this.token}`) {
      error(401, "UnauthorizedError", "Missing or invalid credentials");
      return;
    }
    const match = /^\/api\/([a-z0-9-]+)(?:\/([A-Za-z0-9]+))?$/.exec(url.pathname);
    const collection = match ? this.collections.get(match[1]!) : undefined;
    if (!match || !collection) {
      error(404, "NotFoundError", "Not Found");
      return;
    }

    const locale = url.searchParams.get("locale") ?? "en";
    if (match[2] !== undefined) {
      // v4 ids name one localisation already; v5 documentIds need the locale to pick one.
      const candidates = this.visible(collection, url.searchParams).filter(
        (entry) => this.version === "v4" || entry.locale === locale,
      );
      const found = candidates.find((entry) =>
        this.version === "v4" ? String(entry.id) === match[2] : entry.documentId === match[2],
      );
      if (found) send(200, { data: this.shape(found, url.searchParams), meta: {} });
      else error(404, "NotFoundError", "Not Found");
      return;
    }

    let rows = this.visible(collection, url.searchParams).filter((entry) => entry.locale === locale);
    for (const [operator, test] of [
      ["$gt", (a: number, b: number) => a > b],
      ["$gte", (a: number, b: number) => a >= b],
    ] as const) {
      const bound = url.searchParams.get(`filters[updatedAt][${operator}]`);
      if (bound !== null) rows = rows.filter((entry) => test(Date.parse(entry.updatedAt), Date.parse(bound)));
    }
    const documentIds = [...url.searchParams.entries()]
      .filter(([key]) => /^filters\[documentId\]\[\$in\]\[\d+\]$/.test(key))
      .map(([, value]) => value);
    if (documentIds.length > 0) rows = rows.filter((entry) => documentIds.includes(entry.documentId));
    const sorts = [...url.searchParams.entries()]
      .filter(([key]) => /^sort(\[\d+\])?$/.test(key))
      .map(([, value]) => value.split(":") as [string, string?]);
    rows = [...rows].sort((a, b) => {
      for (const [field, direction] of sorts) {
        const left = field === "id" ? a.id : Date.parse(field === "updatedAt" ? a.updatedAt : "");
        const right = field === "id" ? b.id : Date.parse(field === "updatedAt" ? b.updatedAt : "");
        if (left !== right) return (left < right ? -1 : 1) * (direction === "desc" ? -1 : 1);
      }
      return 0;
    });
    const page = Number(url.searchParams.get("pagination[page]") ?? 1);
    const pageSize = Math.min(Number(url.searchParams.get("pagination[pageSize]") ?? 25), this.maxLimit);
    const pageCount = Math.ceil(rows.length / pageSize);
    send(200, {
      data: rows
        .slice((page - 1) * pageSize, page * pageSize)
        .map((entry) => this.shape(entry, url.searchParams)),
      meta: { pagination: { page, pageSize, pageCount, total: rows.length } },
    });
  }

  /** Published entries, or every entry (v5: as its draft version, which has no publishedAt). */
  private visible(collection: FixtureEntry[], query: URLSearchParams): FixtureEntry[] {
    if (this.version === "v4") {
      return query.get("publicationState") === "preview"
        ? collection
        : collection.filter((entry) => entry.publishedAt !== null);
    }
    if (query.get("status") === "draft") {
      return collection.map((entry) => ({
        ...entry,
        id: entry.id + 10_000,
        publishedAt: null,
        fields: entry.draft?.fields ?? entry.fields,
        updatedAt: entry.draft?.updatedAt ?? entry.updatedAt,
      }));
    }
    return collection.filter((entry) => entry.publishedAt !== null);
  }

  /** `fields[n]` selects attributes; `id` (and v5's `documentId`) always come. */
  private shape(entry: FixtureEntry, query?: URLSearchParams): Record<string, unknown> {
    const all: Record<string, unknown> = {
      ...entry.fields,
      createdAt: entry.updatedAt,
      updatedAt: entry.updatedAt,
      publishedAt: entry.publishedAt,
      locale: entry.locale,
    };
    const selected = [...(query?.entries() ?? [])]
      .filter(([key]) => /^fields\[\d+\]$/.test(key))
      .map(([, value]) => value);
    const attributes =
      selected.length === 0
        ? all
        : Object.fromEntries(Object.entries(all).filter(([key]) => selected.includes(key)));
    return this.version === "v4"
      ? { id: entry.id, attributes }
      : { id: entry.id, documentId: entry.documentId, ...attributes };
  }
}
