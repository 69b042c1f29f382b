import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Ghost's Content API (`/ghost/api/content/`, `?key=`) and Admin API
 * (`/ghost/api/admin/`, `Authorization: Ghost <jwt>` checked like Ghost does: HS256 with the
 * hex-decoded secret, `kid`, audience `/admin/`, at most five minutes of life). Browse answers have
 * Ghost's shape (`{ posts, meta: { pagination } }`), `limit`/`page`, an NQL subset for `filter`
 * (`+` and, `[a,b]` in, `>=`/`>` on dates, `tag:`), `order`, and Ghost's error bodies.
 */

export interface FixturePost {
  type?: "post" | "page";
  title: string;
  slug: string;
  html?: string;
  status?: "published" | "draft" | "scheduled";
  visibility?: "public" | "members" | "paid";
  tags?: string[];
  author?: string;
}

interface StoredPost extends Required<Omit<FixturePost, "tags" | "author">> {
  id: string;
  uuid: string;
  tags: string[];
  author: string;
  updated_at: string;
}

export interface GhostFixtureOptions {
  contentKey: string;
  adminKeyId: string;
  adminSecretHex: string;
}

export class GhostFixture {
  private server: Server | undefined;
  private readonly posts = new Map<string, StoredPost>();
  private counter = 0;
  readonly requests: {
    api: string;
    resource: string;
    query: URLSearchParams;
    acceptVersion: string | undefined;
  }[] = [];
  /** Fixture clock for updated_at and the Date header. */
  now = new Date("2026-02-01T08:00:00.000Z");
  /** Answer the next browse with 429 and this Retry-After once. */
  rateLimitOnce: string | undefined;
  /** Runs after a browse page is answered, before the next request: lets tests change data mid-listing. */
  afterResponse: ((query: URLSearchParams) => void) | undefined;
  baseUrl = "";

  constructor(private readonly options: GhostFixtureOptions) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  tick(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  /** Creates or edits (by slug) a post; returns its id. */
  upsert(post: FixturePost): string {
    const existing = [...this.posts.values()].find((item) => item.slug === post.slug);
    this.counter += 1;
    const id = existing?.id ?? `64f0a0b0c0d0e0f0a0b0${this.counter.toString(16).padStart(4, "0")}`;
    this.posts.set(id, {
      id,
      uuid: existing?.uuid ?? randomUUID(),
      type: post.type ?? "post",
      title: post.title,
      slug: post.slug,
      html: post.html ?? `<p>${post.title}</p>`,
      status: post.status ?? "published",
      visibility: post.visibility ?? "public",
      tags: post.tags ?? [],
      author: post.author ?? "Ada",
      updated_at: this.now.toISOString().replace(/\.\d{3}Z$/, ".000Z"),
    });
    return id;
  }

  remove(id: string): void {
    this.posts.delete(id);
  }

  private handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", this.baseUrl);
    response.setHeader("date", this.now.toUTCString());
    const match = /^\/ghost\/api\/(content|admin)\/(posts|pages)\/$/.exec(url.pathname);
    if (!match?.[1] || !match[2]) return this.error(response, 404, "NotFoundError", "Resource not found");
    const [, api, resource] = match;
    this.requests.push({
      api,
      resource,
      query: url.searchParams,
      acceptVersion: request.headers["accept-version"] as string,
    });
    if (this.rateLimitOnce && url.pathname.includes(this.rateLimitOnce)) {
      this.rateLimitOnce = undefined;
      response.setHeader("retry-after", "2");
      return this.error(response, 429, "TooManyRequestsError", "Too many requests");
    }
    if (api === "content" && url.searchParams.get("key") !== this.options.contentKey) {
      return this.error(response, 401, "UnauthorizedError", "Unknown Content API Key");
    }
    if (api === "admin") {
      const problem = this.checkAdminToken(request.headers.authorization);
      if (problem) return this.error(response, 401, "UnauthorizedError", problem);
    }
    let items = [...this.posts.values()].filter(
      (post) => post.type === (resource === "posts" ? "post" : "page"),
    );
    if (api === "content") items = items.filter((post) => post.status === "published");
    const filter = url.searchParams.get("filter");
    if (filter)
      items = items.filter((post) => filter.split("+").every((clause) => this.matches(post, clause)));
    const [field = "id", direction = "asc"] = (url.searchParams.get("order") ?? "updated_at desc").split(" ");
    items.sort((a, b) => {
      const left = String(a[field as keyof StoredPost]);
      const right = String(b[field as keyof StoredPost]);
      const cmp = left < right ? -1 : left > right ? 1 : a.id < b.id ? -1 : 1;
      return direction === "desc" ? -cmp : cmp;
    });
    const limit = Number(url.searchParams.get("limit") ?? 15);
    const page = Number(url.searchParams.get("page") ?? 1);
    const pages = Math.max(1, Math.ceil(items.length / limit));
    const body = {
      [resource]: items.slice((page - 1) * limit, page * limit).map((post) => this.serialize(post, api)),
      meta: {
        pagination: {
          page,
          limit,
          pages,
          total: items.length,
          next: page < pages ? page + 1 : null,
          prev: page > 1 ? page - 1 : null,
        },
      },
    };
    response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify(body));
    this.afterResponse?.(url.searchParams);
  }

  private checkAdminToken(authorization: string | undefined): string | undefined {
    const token = /^Ghost (.+)$/.exec(authorization ?? "")?.[1];
    if (!token) return 'Authorization header format is "Authorization: Ghost [token]"';
    const [head, payload, signature] = token.split(".");
    if (!head || !payload || !signature) return "Invalid token";
    const decoded = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    const header = decoded(head) as { alg?: string; kid?: string };
    const claims = decoded(payload) as { iat?: number; exp?: number; aud?: string };
    if (header.alg !== "HS256" || header.kid !== this.options.adminKeyId) return "Unknown Admin API Key";
    const expected = createHmac("sha256", Buffer.from(this.options.adminSecretHex, "hex"))
      .update(`${head}.${payload}`)
      .digest("base64url");
    if (expected !== signature) return "Invalid token: invalid signature";
    if (claims.aud !== "/admin/") return "Invalid token: jwt audience invalid";
    if (!claims.iat || !claims.exp || claims.exp - claims.iat > 300) return "Invalid token: maxAge exceeded";
    if (claims.exp * 1000 < Date.now()) return "Invalid token: jwt expired";
    return undefined;
  }

  private matches(post: StoredPost, clause: string): boolean {
    const match = /^(\w+):(>=|>|<=|<)?(.+)$/.exec(clause);
    if (!match?.[1] || !match[3]) throw new Error(`fixture cannot read NQL clause ${clause}`);
    const [, field, operator, raw] = match;
    const unquote = (value: string) => value.replace(/^'(.*)'$/, "$1");
    const values = raw.startsWith("[") ? raw.slice(1, -1).split(",").map(unquote) : [unquote(raw)];
    if (field === "tag")
      return post.tags.some((tag) => values.includes(tag.toLowerCase().replace(/\s+/g, "-")));
    if (field === "updated_at") {
      const stored = post.updated_at.slice(0, 19).replace("T", " ");
      const bound = values[0] ?? "";
      return operator === ">=" ? stored >= bound : operator === ">" ? stored > bound : stored === bound;
    }
    return values.includes(String(post[field as keyof StoredPost]));
  }

  private serialize(post: StoredPost, api: string): object {
    const author = { id: "1", name: post.author, slug: post.author.toLowerCase() };
    const gated = api === "content" && post.visibility !== "public";
    return {
      id: post.id,
      uuid: post.uuid,
      title: post.title,
      slug: post.slug,
      // The Content API strips gated content down to what a visitor may see.
      html: gated ? "" : post.html,
      status: post.status,
      visibility: post.visibility,
      url:
        post.status === "published"
          ? `https://blog.example.com/${post.slug}/`
          : `https://blog.example.com/p/${post.uuid}/`,
      updated_at: post.updated_at,
      published_at: post.status === "published" ? post.updated_at : null,
      tags: post.tags.map((name) => ({ id: name, name, slug: name.toLowerCase().replace(/\s+/g, "-") })),
      authors: [author],
      primary_author: author,
    };
  }

  private error(response: ServerResponse, status: number, type: string, message: string) {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify({ errors: [{ message, context: null, type }] }));
  }
}
