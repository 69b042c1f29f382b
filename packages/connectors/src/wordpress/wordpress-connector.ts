import type { Logger } from "pino";
import { z } from "zod";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  ListContext,
  SourceEvent,
  WebhookHandler,
} from "../contract.js";
import { ConnectorError } from "../errors.js";
import type { CredentialProvider } from "../toolkit/credentials/credential-provider.js";
import { credentialsFromAuthBlock } from "../toolkit/credentials/auth-block.js";
import { readSecretEnv } from "../toolkit/credentials/secret-env.js";
import { basicAuth, bearerToken } from "../toolkit/credentials/static-credentials.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import type { ToolkitHttpClient, ToolkitRequest } from "../toolkit/http/toolkit-http-client.js";
import { decodeTimestampCursor, encodeTimestampCursor } from "../toolkit/cursors/timestamp-cursor.js";
import { parseWordPressExternalId, wordpressDocument, wordpressExternalId } from "./wordpress-document.js";
import { type WordPressOptions, wordpressOptionsSchema } from "./wordpress-options.js";
import { type WordPressPost, wordpressPostSchema } from "./wordpress-post.js";
import { wordpressRoutes } from "./wordpress-routes.js";
import { wordpressWebhook } from "./wordpress-webhook.js";

/** Every status an authenticated incremental listing asks for, so moves out of scope become deletions. */
const ALL_STATUSES = ["publish", "future", "draft", "pending", "private", "trash"];
/** Author and term names for the metadata, in the same request as the posts. */
const EMBED = "author,wp:term";

interface PostType {
  slug: string;
  restBase: string;
  hasCategories: boolean;
  hasTags: boolean;
}

interface TermIds {
  categories?: number[];
  excludeCategories?: number[];
  tags?: number[];
  excludeTags?: number[];
}

const typeSchema = z.object({ rest_base: z.string().min(1), taxonomies: z.array(z.string()).default([]) });
const termListSchema = z.array(z.object({ id: z.number(), slug: z.string() }));
const trashItemSchema = z.array(z.object({ id: z.number().int().positive(), type: z.string() }));

/** The site's clock from the Date header (second precision), or ours when it sends none. */
function serverDate(headers: Headers): Date {
  const date = Date.parse(headers.get("date") ?? "");
  return Number.isNaN(date) ? new Date() : new Date(date);
}

/**
 * `modified_after` is exclusive and WordPress keeps seconds only: an edit in the same second as the
 * server's clock reading would not be "after" it. One second earlier covers everything from then on.
 */
function coveredUntil(serverTime: Date): Date {
  return new Date(serverTime.getTime() - 1000);
}

/** Application Password (Basic) or a bearer token, from `auth` or the older flat options. */
function wordpressCredentials(
  options: WordPressOptions,
  init: ConnectorInit,
): CredentialProvider | undefined {
  if (options.auth) return credentialsFromAuthBlock(options.auth, init);
  const secret = (name: string, option: string) =>
    readSecretEnv(init.env, name, { sourceId: init.sourceId, option });
  if (options.usernameEnv !== undefined && options.applicationPasswordEnv !== undefined) {
    return basicAuth(
      secret(options.usernameEnv, "usernameEnv"),
      secret(options.applicationPasswordEnv, "applicationPasswordEnv"),
      options.applicationPasswordEnv,
    );
  }
  if (options.bearerTokenEnv !== undefined) {
    return bearerToken(secret(options.bearerTokenEnv, "bearerTokenEnv"), options.bearerTokenEnv);
  }
  return undefined;
}

/**
 * WordPress over its REST API (`wp/v2`). Full listings page through each post type by id with
 * `page`/`per_page` and `X-WP-TotalPages`; trashed posts are reported as deletions and force-deleted
 * ones simply stop appearing. Incremental listings use `modified_after` + `orderby=modified`.
 */
export class WordPressConnector implements Connector {
  readonly webhook: WebhookHandler;
  private readonly http: ToolkitHttpClient;
  private readonly route: (route: string) => string;
  private readonly authenticated: boolean;
  private readonly logger: Logger;
  private postTypes: Promise<PostType[]> | undefined;
  private termIds: Promise<TermIds> | undefined;

  constructor(
    private readonly options: WordPressOptions,
    private readonly init: ConnectorInit,
  ) {
    this.logger = init.logger.child({ connector: "wordpress", sourceId: init.sourceId });
    this.route = wordpressRoutes(options);
    const credentials = wordpressCredentials(options, init);
    this.authenticated = credentials !== undefined;
    this.http = connectorHttp(init, {
      baseUrl: this.route("/"),
      logger: this.logger,
      ...(credentials ? { credentials } : {}),
    });
    this.webhook = wordpressWebhook(options.postTypes, options.webhookToleranceSeconds);
  }

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    const startedAt = await this.checkCredentials(ctx.signal);
    const types = await this.resolvePostTypes(ctx.signal);
    const terms = await this.resolveTerms(ctx.signal);
    for (const type of types) {
      let firstTotal: number | undefined;
      let lastTotal = 0;
      for await (const page of this.pages(type, this.fullQuery(type, terms), ctx.signal)) {
        firstTotal ??= page.total;
        lastTotal = page.total;
        for (const post of page.posts) {
          if (this.inScope(post, terms)) yield { kind: "document", document: this.document(post) };
        }
      }
      // Pages are counted by offset: a post removed mid-listing shifts the rest one place and one
      // post could be skipped, which would look like a deletion. Refuse to call such a listing complete.
      if (firstTotal !== undefined && lastTotal < firstTotal) {
        throw new ConnectorError(
          "unavailable",
          `source "${this.init.sourceId}": ${type.restBase} changed while listing (${firstTotal} → ${lastTotal}); the listing is incomplete`,
          { sourceId: this.init.sourceId },
        );
      }
      if (this.authenticated) yield* this.trashed(type, ctx.signal);
    }
    const covered = coveredUntil(startedAt).toISOString();
    const since = Object.fromEntries(types.map((type) => [type.slug, covered]));
    yield { kind: "cursor", cursor: encodeTimestampCursor({ since }) };
  }

  async *listChanges(cursor: string, ctx: ListContext): AsyncIterable<SourceEvent> {
    const state = decodeTimestampCursor(cursor, this.init.sourceId, "WordPress");
    await this.checkCredentials(ctx.signal);
    const types = await this.resolvePostTypes(ctx.signal);
    const terms = await this.resolveTerms(ctx.signal);
    for (const type of types) {
      const previous = state.since[type.slug];
      const after =
        previous === undefined
          ? undefined
          : new Date(Date.parse(previous) - this.options.overlapSeconds * 1000);
      // Ordered by id, not by modified: posts edited while we page stay where they are (ties in
      // post_modified are ordered differently from one page request to the next), and a post
      // edited mid-listing is seen next time because the cursor is the listing's start.
      const query = {
        ...this.baseQuery(),
        status: (this.authenticated ? ALL_STATUSES : ["publish"]).join(","),
        orderby: "id",
        order: "asc",
        per_page: this.options.perPage,
        // WordPress converts a zoned value to the site's time zone before comparing it with the
        // local post_modified, so UTC with "Z" is exact whatever the site's zone.
        modified_after: after?.toISOString(),
      };
      let started: Date | undefined;
      let firstTotal: number | undefined;
      let lastTotal = 0;
      for await (const page of this.pages(type, query, ctx.signal)) {
        started ??= page.date;
        firstTotal ??= page.total;
        lastTotal = page.total;
        for (const post of page.posts) {
          yield this.inScope(post, terms)
            ? { kind: "document", document: this.document(post) }
            : { kind: "deleted", externalId: wordpressExternalId(post) };
        }
      }
      if (firstTotal !== undefined && lastTotal < firstTotal) {
        // A post vanished mid-listing and may have shifted another past us: keep the old position
        // for this type so the next run lists the window again.
        this.logger.warn({ route: type.restBase }, "posts vanished while listing changes; cursor kept");
        continue;
      }
      state.since[type.slug] = coveredUntil(started ?? new Date()).toISOString();
      yield { kind: "cursor", cursor: encodeTimestampCursor(state) };
    }
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    const types = await this.resolvePostTypes(ctx.signal);
    const terms = await this.resolveTerms(ctx.signal);
    for (const externalId of ids) {
      const parsed = parseWordPressExternalId(externalId);
      if (!parsed) {
        yield {
          kind: "failed",
          externalId,
          error: new Error(`"${externalId}" is not a WordPress id like post:123`),
        };
        continue;
      }
      const type = types.find((candidate) => candidate.slug === parsed.type);
      if (!type) {
        // Its type is no longer synced by this source, so it does not belong in the library.
        yield { kind: "deleted", externalId };
        continue;
      }
      // Anonymous requests for drafts and trash are refused (401/403), and so is everything behind a
      // firewall that blocks us: not proof of deletion, so the document is `missing` until a full
      // listing confirms it. With credentials a refusal is a real auth failure and throws.
      const absent = this.authenticated ? [404, 410] : [401, 403, 404, 410];
      const response = await this.http.json<unknown>(this.route(`/${type.restBase}/${parsed.id}`), {
        query: { ...this.baseQuery() },
        signal: ctx.signal,
        allowStatuses: absent,
      });
      if (absent.includes(response.status)) {
        yield {
          kind: "missing",
          externalId,
          reason: `WordPress answered ${response.status} for ${type.restBase}/${parsed.id}`,
        };
        continue;
      }
      const post = this.parsePost(response.data, response.url);
      yield this.inScope(post, terms)
        ? { kind: "document", document: this.document(post) }
        : { kind: "deleted", externalId };
    }
  }

  /**
   * WordPress ignores a wrong Application Password on public routes and answers as if anonymous,
   * which would silently hide private content (and delete it downstream). Ask who we are first.
   */
  private async checkCredentials(signal: AbortSignal): Promise<Date> {
    const response = this.authenticated
      ? await this.http.json<unknown>(this.route("/users/me"), { signal })
      : await this.http.json<unknown>(this.route("/types"), { signal });
    return serverDate(response.headers);
  }

  private baseQuery(): ToolkitRequest["query"] {
    return { context: this.authenticated ? "edit" : "view", _embed: EMBED };
  }

  private fullQuery(type: PostType, terms: TermIds): NonNullable<ToolkitRequest["query"]> {
    const join = (ids: number[] | undefined) => (ids === undefined ? undefined : ids.join(","));
    return {
      ...this.baseQuery(),
      status: this.options.statuses.join(","),
      orderby: "id",
      order: "asc",
      per_page: this.options.perPage,
      ...(type.hasCategories
        ? { categories: join(terms.categories), categories_exclude: join(terms.excludeCategories) }
        : {}),
      ...(type.hasTags ? { tags: join(terms.tags), tags_exclude: join(terms.excludeTags) } : {}),
    };
  }

  private async *pages(type: PostType, query: NonNullable<ToolkitRequest["query"]>, signal: AbortSignal) {
    for (let page = 1; ; page++) {
      const result = await this.get(type, { ...query, page }, signal);
      yield result;
      if (page >= result.totalPages || result.posts.length === 0) return;
    }
  }

  private async get(type: PostType, query: NonNullable<ToolkitRequest["query"]>, signal: AbortSignal) {
    const response = await this.http.json<unknown>(this.route(`/${type.restBase}`), { query, signal });
    if (!Array.isArray(response.data)) {
      throw this.badResponse(response.url, "a list of posts was expected");
    }
    const posts = response.data.map((item) => this.parsePost(item, response.url));
    const total = Number(response.headers.get("x-wp-total") ?? posts.length);
    const totalPages = Number(response.headers.get("x-wp-totalpages") ?? 1);
    const date = serverDate(response.headers);
    this.logger.debug(
      { route: type.restBase, page: query.page, count: posts.length, totalPages },
      "listed page",
    );
    return { posts, total, totalPages, date };
  }

  private async *trashed(type: PostType, signal: AbortSignal): AsyncIterable<SourceEvent> {
    for (let page = 1; ; page++) {
      const response = await this.http.json<unknown>(this.route(`/${type.restBase}`), {
        query: { context: "edit", status: "trash", per_page: this.options.perPage, page, _fields: "id,type" },
        signal,
      });
      const parsed = trashItemSchema.safeParse(response.data);
      if (!parsed.success) throw this.badResponse(response.url, z.prettifyError(parsed.error));
      for (const item of parsed.data) yield { kind: "deleted", externalId: wordpressExternalId(item) };
      if (page >= Number(response.headers.get("x-wp-totalpages") ?? 1) || parsed.data.length === 0) return;
    }
  }

  private parsePost(item: unknown, url: string): WordPressPost {
    const parsed = wordpressPostSchema.safeParse(item);
    if (!parsed.success) throw this.badResponse(url, z.prettifyError(parsed.error));
    return parsed.data;
  }

  private badResponse(url: string, detail: string): ConnectorError {
    return new ConnectorError(
      "bad_response",
      `source "${this.init.sourceId}": unexpected answer from ${url}: ${detail}`,
      {
        sourceId: this.init.sourceId,
        url,
      },
    );
  }

  private document(post: WordPressPost) {
    return wordpressDocument(post, this.options.urlTemplate);
  }

  /** The source's rules, checked on every post: incremental listings ask for more than they keep. */
  private inScope(post: WordPressPost, terms: TermIds): boolean {
    if (!(this.options.statuses as readonly string[]).includes(post.status)) return false;
    if (post.content?.protected && !this.options.includePasswordProtected) return false;
    const matches = (assigned: number[] | undefined, include?: number[], exclude?: number[]) => {
      if (assigned === undefined) return true;
      if (include && !assigned.some((id) => include.includes(id))) return false;
      if (exclude?.some((id) => assigned.includes(id))) return false;
      return true;
    };
    return (
      matches(post.categories, terms.categories, terms.excludeCategories) &&
      matches(post.tags, terms.tags, terms.excludeTags)
    );
  }

  private resolvePostTypes(signal: AbortSignal): Promise<PostType[]> {
    this.postTypes ??= Promise.all(
      this.options.postTypes.map(async (slug) => {
        const response = await this.http.json<unknown>(this.route(`/types/${encodeURIComponent(slug)}`), {
          signal,
          allowStatuses: [404],
        });
        if (response.status === 404) {
          throw new ConnectorError(
            "config",
            `source "${this.init.sourceId}": post type "${slug}" (options.postTypes) does not exist or is not in the REST API`,
            { sourceId: this.init.sourceId, url: response.url },
          );
        }
        const parsed = typeSchema.safeParse(response.data);
        if (!parsed.success) throw this.badResponse(response.url, z.prettifyError(parsed.error));
        return {
          slug,
          restBase: parsed.data.rest_base,
          hasCategories: parsed.data.taxonomies.includes("category"),
          hasTags: parsed.data.taxonomies.includes("post_tag"),
        };
      }),
    );
    this.postTypes.catch(() => {
      this.postTypes = undefined;
    });
    return this.postTypes;
  }

  private resolveTerms(signal: AbortSignal): Promise<TermIds> {
    const resolve = async (
      refs: readonly (string | number)[] | undefined,
      taxonomy: "categories" | "tags",
      option: string,
    ) => {
      if (refs === undefined) return undefined;
      const slugs = refs.filter((ref): ref is string => typeof ref === "string");
      const ids = refs.filter((ref): ref is number => typeof ref === "number");
      if (slugs.length === 0) return ids;
      const response = await this.http.json<unknown>(this.route(`/${taxonomy}`), {
        query: { slug: slugs.join(","), per_page: 100, _fields: "id,slug" },
        signal,
      });
      const parsed = termListSchema.safeParse(response.data);
      if (!parsed.success) throw this.badResponse(response.url, z.prettifyError(parsed.error));
      const missing = slugs.filter((slug) => !parsed.data.some((term) => term.slug === slug));
      if (missing.length > 0) {
        throw new ConnectorError(
          "config",
          `source "${this.init.sourceId}": ${taxonomy} ${missing.join(", ")} (options.${option}) do not exist`,
          { sourceId: this.init.sourceId },
        );
      }
      return [...ids, ...parsed.data.map((term) => term.id)];
    };
    this.termIds ??= (async () => {
      const { categories, excludeCategories, tags, excludeTags } = this.options;
      const result: TermIds = {};
      const entries = [
        ["categories", await resolve(categories, "categories", "categories")],
        ["excludeCategories", await resolve(excludeCategories, "categories", "excludeCategories")],
        ["tags", await resolve(tags, "tags", "tags")],
        ["excludeTags", await resolve(excludeTags, "tags", "excludeTags")],
      ] as const;
      for (const [key, value] of entries) if (value !== undefined) result[key] = value;
      return result;
    })();
    this.termIds.catch(() => {
      this.termIds = undefined;
    });
    return this.termIds;
  }
}

/** The `wordpress` connector type. */
export const wordpressConnector: ConnectorDefinition<WordPressOptions> = {
  type: "wordpress",
  // WordPress documents no REST rate limit (hosts set their own): a polite rate for a shared host.
  defaultRate: { perSecond: 10 },
  optionsSchema: wordpressOptionsSchema,
  create: (options, init) => new WordPressConnector(options, init),
};
