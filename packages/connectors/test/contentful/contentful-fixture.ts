import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Contentful's Content Delivery API (Sync API, entries/assets collections,
 * locales) and Content Preview API (collections with drafts), reproducing the documented shapes:
 * all-locale fields (`fields.title["en-US"]`), `nextPageUrl`/`nextSyncUrl` with `sync_token`,
 * `DeletedEntry` tombstones, content-type-filtered syncs without deletions, `includes`, Contentful's
 * error bodies, and 429 with `X-Contentful-RateLimit-Reset`.
 */

export interface FixtureEntry {
  id: string;
  contentType: string;
  fields: Record<string, Record<string, unknown>>;
  tags?: string[];
  /** Drafts exist only in the Preview API. */
  status?: "draft" | "published";
}

export interface FixtureAsset {
  id: string;
  title: string;
  url: string;
  contentType: string;
}

interface StoredEntity {
  kind: "Entry" | "Asset";
  id: string;
  contentType?: string;
  fields: Record<string, Record<string, unknown>>;
  tags: string[];
  status: "draft" | "published";
  revision: number;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
}

type LogRecord = { seq: number; kind: "Entry" | "Asset"; id: string };

interface SyncFilter {
  type?: string;
  contentType?: string;
  limit: number;
}

interface SyncSession {
  /** `page`: the rest of a sync being paged; `delta`: a nextSyncUrl token, computed when used. */
  phase: "page" | "delta";
  items: object[];
  offset: number;
  filter: SyncFilter;
  seq: number;
}

export interface ContentfulFixtureOptions {
  api: "delivery" | "preview";
  spaceId: string;
  environment?: string;
  token: string;
  locales?: { code: string; default?: boolean; fallbackCode?: string | null }[];
}

export class ContentfulFixture {
  private server: Server | undefined;
  private readonly entities = new Map<string, StoredEntity>();
  private readonly log: LogRecord[] = [];
  private readonly sessions = new Map<string, SyncSession>();
  private sessionCounter = 0;
  /** Every request, for assertions: method, path and query. */
  readonly requests: { path: string; query: URLSearchParams; authorization: string | undefined }[] = [];
  /** Fixture clock (ISO) used for sys.updatedAt and the Date header. */
  now = new Date("2026-01-10T10:00:00.000Z");
  /** Answer the next request whose path contains this with 429 once. */
  rateLimitOnce: string | undefined;
  rateLimitResetSeconds = 2;
  /** Runs after each answer, before the next request: lets tests change data mid-listing. */
  afterResponse: ((path: string, query: URLSearchParams) => void) | undefined;
  baseUrl = "";

  constructor(private readonly options: ContentfulFixtureOptions) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  tick(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  upsertEntry(entry: FixtureEntry): void {
    const existing = this.entities.get(entry.id);
    const status = entry.status ?? "published";
    const at = this.now.toISOString();
    this.entities.set(entry.id, {
      kind: "Entry",
      id: entry.id,
      contentType: entry.contentType,
      fields: entry.fields,
      tags: entry.tags ?? [],
      status,
      revision: (existing?.revision ?? 0) + 1,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      ...(status === "published" ? { publishedAt: at } : {}),
    });
    this.append("Entry", entry.id);
  }

  upsertAsset(asset: FixtureAsset): void {
    const at = this.now.toISOString();
    this.entities.set(asset.id, {
      kind: "Asset",
      id: asset.id,
      fields: {
        title: { "en-US": asset.title },
        file: { "en-US": { url: asset.url, contentType: asset.contentType, fileName: asset.title } },
      },
      tags: [],
      status: "published",
      revision: 1,
      createdAt: at,
      updatedAt: at,
      publishedAt: at,
    });
    this.append("Asset", asset.id);
  }

  /** Unpublishing removes an entry from the Delivery API (a DeletedEntry in the next delta). */
  unpublishEntry(id: string): void {
    const entity = this.entities.get(id);
    if (!entity) throw new Error(`no entry ${id}`);
    const { publishedAt: _published, ...rest } = entity;
    this.entities.set(id, {
      ...rest,
      status: "draft",
      revision: entity.revision + 1,
      updatedAt: this.now.toISOString(),
    });
    this.append("Entry", id);
  }

  deleteEntry(id: string): void {
    this.entities.delete(id);
    this.append("Entry", id);
  }

  private append(kind: "Entry" | "Asset", id: string): void {
    this.log.push({ seq: this.log.length + 1, kind, id });
  }

  /** Whether the API this fixture plays can see the entity. */
  private visible(entity: StoredEntity | undefined): entity is StoredEntity {
    return entity !== undefined && (this.options.api === "preview" || entity.status === "published");
  }

  private handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", this.baseUrl);
    this.requests.push({
      path: url.pathname,
      query: url.searchParams,
      authorization: request.headers.authorization,
    });
    response.setHeader("date", this.now.toUTCString());
    if (this.rateLimitOnce && url.pathname.includes(this.rateLimitOnce)) {
      this.rateLimitOnce = undefined;
      response.setHeader("x-contentful-ratelimit-reset", String(this.rateLimitResetSeconds));
      return this.error(
        response,
        429,
        "RateLimitExceeded",
        "You have exceeded the rate limit of the Organization.",
      );
    }
    if (request.headers.authorization !== `Bearer ${this.options.token}`) {
      return this.error(
        response,
        401,
        "AccessTokenInvalid",
        "The access token you sent could not be found or is invalid.",
      );
    }
    const prefix = `/spaces/${this.options.spaceId}/environments/${this.options.environment ?? "master"}/`;
    if (!url.pathname.startsWith(prefix))
      return this.error(response, 404, "NotFound", "The resource could not be found.");
    const resource = url.pathname.slice(prefix.length);
    if (resource === "locales") return this.json(response, { sys: { type: "Array" }, items: this.locales() });
    if (resource === "sync") {
      if (this.options.api === "preview") {
        return this.error(response, 400, "BadRequest", "The Preview API does not support the Sync API.");
      }
      return this.sync(url, response);
    }
    if (resource === "entries" || resource === "assets") return this.collection(resource, url, response);
    return this.error(response, 404, "NotFound", "The resource could not be found.");
  }

  private locales() {
    return (this.options.locales ?? [{ code: "en-US", default: true, fallbackCode: null }]).map((locale) => ({
      name: locale.code,
      sys: { id: locale.code, type: "Locale" },
      ...locale,
    }));
  }

  private sync(url: URL, response: ServerResponse) {
    const token = url.searchParams.get("sync_token");
    let session: SyncSession | undefined;
    if (url.searchParams.get("initial") === "true") {
      const type = url.searchParams.get("type") ?? undefined;
      const contentType = url.searchParams.get("content_type") ?? undefined;
      if (contentType && type !== "Entry") {
        return this.error(response, 400, "BadRequest", "content_type can only be used with type=Entry");
      }
      const filter: SyncFilter = { type, contentType, limit: Number(url.searchParams.get("limit") ?? 100) };
      // Initial syncs carry no deletions: only what exists now.
      const items = [...this.entities.values()]
        .filter((entity) => this.visible(entity) && this.matches(entity.kind, entity, filter))
        .map((entity) => this.serialize(entity));
      session = { phase: "page", items, offset: 0, filter, seq: this.log.length };
    } else if (token) {
      session = this.sessions.get(token);
      if (!session) return this.error(response, 400, "BadRequest", "Invalid sync token");
      if (session.phase === "delta") {
        // A delta token: collect what changed since the token's position in the log.
        const changed = new Map<string, LogRecord>();
        for (const record of this.log.slice(session.seq)) changed.set(record.id, record);
        const items: object[] = [];
        for (const record of changed.values()) {
          const entity = this.entities.get(record.id);
          if (this.visible(entity)) {
            if (this.matches(entity.kind, entity, session.filter)) items.push(this.serialize(entity));
          } else if (this.matches(`Deleted${record.kind}`, undefined, session.filter)) {
            items.push(this.tombstone(record));
          }
        }
        session = { phase: "page", items, offset: 0, filter: session.filter, seq: this.log.length };
      }
    } else {
      return this.error(response, 400, "BadRequest", "initial or sync_token is required");
    }
    const page = session.items.slice(session.offset, session.offset + session.filter.limit);
    const nextOffset = session.offset + session.filter.limit;
    const syncUrl = (id: string) =>
      `${this.baseUrl}/spaces/${this.options.spaceId}/environments/${this.options.environment ?? "master"}/sync?sync_token=${id}`;
    if (nextOffset < session.items.length) {
      const id = this.newToken({ ...session, offset: nextOffset });
      return this.json(response, { sys: { type: "Array" }, items: page, nextPageUrl: syncUrl(id) });
    }
    const id = this.newToken({
      phase: "delta",
      items: [],
      offset: 0,
      filter: session.filter,
      seq: session.seq,
    });
    return this.json(response, { sys: { type: "Array" }, items: page, nextSyncUrl: syncUrl(id) });
  }

  /** Type filter of the Sync API: all, Entry (optionally one content type), Asset, Deletion, DeletedEntry… */
  private matches(kind: string, entity: StoredEntity | undefined, filter: SyncFilter): boolean {
    const type = filter.type;
    if (filter.contentType) return kind === "Entry" && entity?.contentType === filter.contentType;
    if (!type) return true;
    if (type === "Deletion") return kind.startsWith("Deleted");
    return kind === type;
  }

  private newToken(session: SyncSession): string {
    this.sessionCounter += 1;
    const id = `tok${this.sessionCounter}x${Buffer.from(String(session.seq)).toString("hex")}`;
    this.sessions.set(id, session);
    return id;
  }

  private collection(resource: "entries" | "assets", url: URL, response: ServerResponse) {
    const params = url.searchParams;
    if (params.get("locale") !== "*")
      return this.error(response, 400, "BadRequest", "this fixture serves locale=* only");
    const kind = resource === "entries" ? "Entry" : "Asset";
    let items = [...this.entities.values()].filter((entity) => entity.kind === kind && this.visible(entity));
    const ids = params.get("sys.id[in]")?.split(",");
    if (ids) items = items.filter((entity) => ids.includes(entity.id));
    const contentType = params.get("content_type");
    if (contentType) items = items.filter((entity) => entity.contentType === contentType);
    const tags = params.get("metadata.tags.sys.id[in]")?.split(",");
    if (tags) items = items.filter((entity) => entity.tags.some((tag) => tags.includes(tag)));
    const updatedSince = params.get("sys.updatedAt[gte]");
    if (updatedSince) items = items.filter((entity) => entity.updatedAt >= updatedSince);
    const order = (params.get("order") ?? "sys.id").split(",");
    items.sort((a, b) => {
      for (const key of order) {
        const descending = key.startsWith("-");
        const field = key.replace(/^-/, "").replace(/^sys\./, "") as "id" | "createdAt" | "updatedAt";
        const cmp = a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0;
        if (cmp !== 0) return descending ? -cmp : cmp;
      }
      return 0;
    });
    const skip = Number(params.get("skip") ?? 0);
    const limit = Number(params.get("limit") ?? 100);
    const page = items.slice(skip, skip + limit);
    const linked = this.linkedFrom(page);
    return this.json(response, {
      sys: { type: "Array" },
      total: items.length,
      skip,
      limit,
      items: page.map((entity) => this.serialize(entity)),
      includes: {
        Entry: linked.filter((entity) => entity.kind === "Entry").map((entity) => this.serialize(entity)),
        Asset: linked.filter((entity) => entity.kind === "Asset").map((entity) => this.serialize(entity)),
      },
    });
  }

  /** Entities linked from rich text in the page (one level), as `includes`. */
  private linkedFrom(page: StoredEntity[]): StoredEntity[] {
    const ids = new Set<string>();
    const visit = (node: unknown) => {
      if (typeof node !== "object" || node === null) return;
      const target = (node as { data?: { target?: { sys?: { id?: string } } } }).data?.target?.sys?.id;
      if (target) ids.add(target);
      for (const child of (node as { content?: unknown[] }).content ?? []) visit(child);
    };
    for (const entity of page)
      for (const values of Object.values(entity.fields)) for (const v of Object.values(values)) visit(v);
    return [...ids].map((id) => this.entities.get(id)).filter((entity) => this.visible(entity));
  }

  private serialize(entity: StoredEntity): object {
    const link = (linkType: string, id: string) => ({ sys: { type: "Link", linkType, id } });
    return {
      metadata: { tags: entity.tags.map((tag) => link("Tag", tag)) },
      sys: {
        space: link("Space", this.options.spaceId),
        environment: link("Environment", this.options.environment ?? "master"),
        id: entity.id,
        type: entity.kind,
        createdAt: entity.createdAt,
        updatedAt: entity.updatedAt,
        revision: entity.revision,
        ...(entity.contentType ? { contentType: link("ContentType", entity.contentType) } : {}),
        ...(this.options.api === "preview" && entity.publishedAt
          ? { publishedAt: entity.publishedAt, publishedVersion: entity.revision }
          : {}),
      },
      fields: entity.fields,
    };
  }

  private tombstone(record: LogRecord): object {
    const at = this.now.toISOString();
    return {
      sys: {
        type: `Deleted${record.kind}`,
        id: record.id,
        space: { sys: { type: "Link", linkType: "Space", id: this.options.spaceId } },
        revision: 1,
        createdAt: at,
        updatedAt: at,
        deletedAt: at,
      },
    };
  }

  private json(response: ServerResponse, body: unknown) {
    response.writeHead(200, { "content-type": "application/vnd.contentful.delivery.v1+json" });
    response.end(JSON.stringify(body));
    const last = this.requests.at(-1);
    if (last) this.afterResponse?.(last.path, last.query);
  }

  private error(response: ServerResponse, status: number, id: string, message: string) {
    response.writeHead(status, { "content-type": "application/vnd.contentful.delivery.v1+json" });
    response.end(
      JSON.stringify({ sys: { type: "Error", id }, message, requestId: `req-${this.requests.length}` }),
    );
  }
}
