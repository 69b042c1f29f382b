import type { Logger } from "pino";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  ListContext,
  SourceEvent,
  WebhookHandler,
} from "../contract.js";
import { ConnectorError } from "../errors.js";
import { readSecretEnv } from "../toolkit/credentials/secret-env.js";
import { bearerToken } from "../toolkit/credentials/static-credentials.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import type { ToolkitHttpClient, ToolkitRequest } from "../toolkit/http/toolkit-http-client.js";
import { decodeTimestampCursor, encodeTimestampCursor } from "../toolkit/cursors/timestamp-cursor.js";
import { strapiDocument } from "./strapi-document.js";
import {
  normalizeStrapiEntry,
  parseStrapiExternalId,
  type StrapiEntry,
  strapiExternalId,
} from "./strapi-entry.js";
import { type StrapiContentType, type StrapiOptions, strapiOptionsSchema } from "./strapi-options.js";
import { strapiWebhook } from "./strapi-webhook.js";

type Query = NonNullable<ToolkitRequest["query"]>;

/**
 * documentIds per `filters[documentId][$in]` lookup. Strapi parses queries with qs, whose default
 * arrayLimit (20) turns higher indices into object keys; 20 also keeps the URL short.
 */
const LOOKUP_CHUNK = 20;

/** One listing unit: a content type in one locale (or the server's default locale). */
interface Scope {
  type: StrapiContentType;
  locale?: string;
  /** Key of this scope in the cursor. */
  key: string;
}

interface RawPage {
  items: unknown[];
  pageCount: number;
  total: number;
  date: Date;
  url: string;
}

interface Page {
  entries: StrapiEntry[];
  pageCount: number;
  total: number;
  date: Date;
}

/**
 * Strapi v4 and v5 over the REST API (`/api/{pluralApiId}`). Full listings page by
 * `pagination[page]`/`pagination[pageSize]` in id order; incremental listings walk
 * `filters[updatedAt][$gte]` in `updatedAt` order, restarting from the last timestamp seen so entries
 * edited meanwhile cannot shift past the listing. Strapi has no trash: hard deletes are found by
 * the engine's id reconciliation on full runs, by webhooks, and by 404 on fetch by id.
 */
export class StrapiConnector implements Connector {
  readonly webhook: WebhookHandler;
  private readonly http: ToolkitHttpClient;
  private readonly logger: Logger;
  private readonly hasToken: boolean;

  constructor(
    private readonly options: StrapiOptions,
    private readonly init: ConnectorInit,
  ) {
    this.logger = init.logger.child({ connector: "strapi", sourceId: init.sourceId });
    const token =
      options.apiTokenEnv === undefined
        ? undefined
        : readSecretEnv(init.env, options.apiTokenEnv, { sourceId: init.sourceId, option: "apiTokenEnv" });
    this.hasToken = token !== undefined;
    this.http = connectorHttp(init, {
      baseUrl: options.baseUrl,
      logger: this.logger,
      ...(token && options.apiTokenEnv ? { credentials: bearerToken(token, options.apiTokenEnv) } : {}),
    });
    this.webhook = strapiWebhook(options);
  }

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    let startedAt: Date | undefined;
    for (const scope of this.scopes()) {
      // Before the drafts: a document published in between shows as a draft until the next run.
      const published = this.draftVersions()
        ? await this.publishedDocumentIds(scope, undefined, ctx.signal)
        : undefined;
      let firstTotal: number | undefined;
      let lastTotal = 0;
      for (let page = 1; ; page++) {
        const result = await this.list(
          scope,
          { ...this.publication(false), "sort[0]": "id:asc", "pagination[page]": page },
          ctx.signal,
        );
        startedAt ??= result.date;
        firstTotal ??= result.total;
        lastTotal = result.total;
        for (const entry of result.entries) yield this.event(scope, entry, published);
        if (page >= result.pageCount || result.entries.length === 0) break;
      }
      // Page numbers are offsets: an entry deleted mid-listing shifts the next one past us, which
      // would look like a deletion. Such a listing must not count as complete.
      if (firstTotal !== undefined && lastTotal < firstTotal) {
        throw new ConnectorError(
          "unavailable",
          `source "${this.init.sourceId}": ${scope.type.pluralApiId} changed while listing (${firstTotal} → ${lastTotal}); the listing is incomplete`,
          { sourceId: this.init.sourceId },
        );
      }
    }
    // The server's clock (second precision) at the start, minus that second: later edits are newer.
    const covered = new Date((startedAt ?? new Date()).getTime() - 1000).toISOString();
    yield {
      kind: "cursor",
      cursor: encodeTimestampCursor({
        since: Object.fromEntries(this.scopes().map((s) => [s.key, covered])),
      }),
    };
  }

  async *listChanges(cursor: string, ctx: ListContext): AsyncIterable<SourceEvent> {
    const state = decodeTimestampCursor(cursor, this.init.sourceId, "Strapi");
    const { overlapSeconds } = this.options;
    for (const scope of this.scopes()) {
      const previous = state.since[scope.key];
      let after =
        previous === undefined
          ? undefined
          : new Date(Date.parse(previous) - overlapSeconds * 1000).toISOString();
      let newest = previous;
      let page = 1;
      const seen = new Set<string>();
      for (;;) {
        const result = await this.list(
          scope,
          {
            ...this.publication(true),
            "sort[0]": "updatedAt:asc",
            "sort[1]": "id:asc",
            "pagination[page]": page,
            ...(after === undefined ? {} : { "filters[updatedAt][$gte]": after }),
          },
          ctx.signal,
        );
        const published = this.draftVersions()
          ? await this.publishedDocumentIds(
              scope,
              result.entries.map((entry) => entry.documentId ?? ""),
              ctx.signal,
            )
          : undefined;
        for (const entry of result.entries) {
          const key = `${entry.id}@${entry.updatedAt}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (newest === undefined || Date.parse(entry.updatedAt) > Date.parse(newest))
            newest = entry.updatedAt;
          // v4 previews show unpublished entries (publishedAt null): gone for a published-only source.
          yield entry.publishedAt === null && !this.options.includeDrafts
            ? { kind: "deleted", externalId: this.externalId(scope, entry) }
            : this.event(scope, entry, published);
        }
        if (newest !== undefined) {
          state.since[scope.key] = new Date(newest).toISOString();
          yield { kind: "cursor", cursor: encodeTimestampCursor(state) };
        }
        // pageCount, not our pageSize: a server whose maxLimit is lower returns smaller pages.
        if (result.entries.length === 0 || page >= result.pageCount) break;
        // Restart from the last timestamp seen; only a page that all shares one timestamp pages on.
        const last = result.entries.at(-1)!.updatedAt;
        if (after === undefined || Date.parse(last) > Date.parse(after)) {
          after = last;
          page = 1;
        } else {
          page++;
        }
      }
    }
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    for (const externalId of ids) {
      const parsed = parseStrapiExternalId(externalId, this.options.version);
      const type = this.options.contentTypes.find(
        (candidate) => candidate.pluralApiId === parsed?.pluralApiId,
      );
      if (!parsed) {
        yield {
          kind: "failed",
          externalId,
          error: new Error(`"${externalId}" is not a Strapi ${this.options.version} id`),
        };
        continue;
      }
      if (!type) {
        yield { kind: "deleted", externalId };
        continue;
      }
      const locale = parsed.locale ?? this.options.locales?.[0];
      const response = await this.http.json<unknown>(
        `/api/${type.pluralApiId}/${encodeURIComponent(parsed.id)}`,
        {
          query: {
            ...this.publication(false),
            ...this.populate(type),
            ...(parsed.locale ? { locale: parsed.locale } : {}),
          },
          signal: ctx.signal,
          allowStatuses: [404],
        },
      );
      // Strapi has no trash: a 404 (or an empty answer) may also be a permission the role lost, so
      // only a later full listing may turn it into a deletion.
      if (response.status === 404) {
        yield {
          kind: "missing",
          externalId,
          reason: `Strapi answered 404 for ${type.pluralApiId}/${parsed.id}`,
        };
        continue;
      }
      const data = (response.data as { data?: unknown } | undefined)?.data;
      if (data === null || data === undefined) {
        yield {
          kind: "missing",
          externalId,
          reason: `Strapi returned no entry for ${type.pluralApiId}/${parsed.id}`,
        };
        continue;
      }
      const entry = this.normalize(data, response.url);
      const scope: Scope = { type, key: type.pluralApiId, ...(locale ? { locale } : {}) };
      const published = this.draftVersions()
        ? await this.publishedDocumentIds(scope, [entry.documentId ?? ""], ctx.signal)
        : undefined;
      yield this.event(scope, entry, published);
    }
  }

  private scopes(): Scope[] {
    return this.options.contentTypes.flatMap((type) =>
      this.options.locales === undefined
        ? [{ type, key: type.pluralApiId }]
        : this.options.locales.map((locale) => ({ type, locale, key: `${type.pluralApiId}@${locale}` })),
    );
  }

  /**
   * Which versions to read. v5: `status=draft` gives the draft version of every document, published
   * ones included, so with `includeDrafts` the content synced is always the latest draft (edits not
   * yet published included). v4: `preview` includes drafts; incremental listings with a token use it
   * to see unpublishing (publishedAt null).
   */
  private publication(incremental: boolean): Query {
    if (this.options.version === "v5") return { status: this.options.includeDrafts ? "draft" : "published" };
    const preview = this.options.includeDrafts || (incremental && this.hasToken);
    return { publicationState: preview ? "preview" : "live" };
  }

  /**
   * True when entries are v5 draft versions: their `publishedAt` is always null, so whether the
   * document is published must be asked separately (see publishedDocumentIds).
   */
  private draftVersions(): boolean {
    return this.options.version === "v5" && this.options.includeDrafts;
  }

  /**
   * Which documents of a scope have a published version. Strapi 5 documents the `status=draft`
   * listing as returning the draft version of each document, whose `publishedAt` is null even when a
   * published version exists; `status=published` lists exactly the published ones. This asks the
   * latter for documentIds only (`fields[0]=documentId`; v5 always returns `id` and `documentId`),
   * page by page: for the given documentIds (in chunks of `filters[documentId][$in]`), or for the
   * whole scope when `documentIds` is undefined (one short request per page of documents; the set
   * holds one id per published document of the scope).
   */
  private async publishedDocumentIds(
    scope: Scope,
    documentIds: readonly string[] | undefined,
    signal: AbortSignal,
  ): Promise<Set<string>> {
    const published = new Set<string>();
    const wanted =
      documentIds === undefined ? undefined : [...new Set(documentIds)].filter((id) => id !== "");
    if (wanted?.length === 0) return published;
    const chunks =
      wanted === undefined
        ? [undefined]
        : Array.from({ length: Math.ceil(wanted.length / LOOKUP_CHUNK) }, (_, index) =>
            wanted.slice(index * LOOKUP_CHUNK, (index + 1) * LOOKUP_CHUNK),
          );
    for (const chunk of chunks) {
      const filter = Object.fromEntries(
        (chunk ?? []).map((id, index) => [`filters[documentId][$in][${index}]`, id]),
      );
      let firstTotal: number | undefined;
      for (let page = 1; ; page++) {
        const result = await this.page(
          scope,
          {
            status: "published",
            "fields[0]": "documentId",
            "sort[0]": "id:asc",
            "pagination[page]": page,
            ...filter,
          },
          signal,
        );
        firstTotal ??= result.total;
        // Offsets again: an unpublish mid-listing could shift a published document past us, and it
        // would be labelled a draft (and get the drafts' availability rules) for a whole run.
        if (result.total < firstTotal) {
          throw new ConnectorError(
            "unavailable",
            `source "${this.init.sourceId}": published ${scope.type.pluralApiId} changed while listing (${firstTotal} → ${result.total}); the listing is incomplete`,
            { sourceId: this.init.sourceId },
          );
        }
        for (const item of result.items) {
          const documentId = (item as { documentId?: unknown } | null)?.documentId;
          if (typeof documentId !== "string" || documentId === "") {
            throw this.badResponse(result.url, "a published entry has no documentId");
          }
          published.add(documentId);
        }
        if (page >= result.pageCount || result.items.length === 0) break;
      }
    }
    return published;
  }

  private populate(type: StrapiContentType): Query {
    return Object.fromEntries(type.populate.map((field, index) => [`populate[${index}]`, field]));
  }

  private async list(scope: Scope, query: Query, signal: AbortSignal): Promise<Page> {
    const result = await this.page(scope, { ...query, ...this.populate(scope.type) }, signal);
    const entries = result.items.map((item) => this.normalize(item, result.url));
    this.logger.debug(
      { type: scope.type.pluralApiId, page: query["pagination[page]"], count: entries.length },
      "listed page",
    );
    return { entries, pageCount: result.pageCount, total: result.total, date: result.date };
  }

  /** One page of a scope's collection route, checked for Strapi's `{data, meta.pagination}` shape. */
  private async page(scope: Scope, query: Query, signal: AbortSignal): Promise<RawPage> {
    const response = await this.http.json<unknown>(`/api/${scope.type.pluralApiId}`, {
      query: {
        ...query,
        "pagination[pageSize]": this.options.pageSize,
        ...(scope.locale ? { locale: scope.locale } : {}),
      },
      signal,
    });
    const body = response.data as {
      data?: unknown;
      meta?: { pagination?: { pageCount?: unknown; total?: unknown } };
    };
    const pagination = body?.meta?.pagination;
    if (
      !Array.isArray(body?.data) ||
      typeof pagination?.pageCount !== "number" ||
      typeof pagination.total !== "number"
    ) {
      throw this.badResponse(response.url, "expected {data: [...], meta: {pagination: {pageCount, total}}}");
    }
    const date = Date.parse(response.headers.get("date") ?? "");
    return {
      items: body.data,
      pageCount: pagination.pageCount,
      total: pagination.total,
      date: Number.isNaN(date) ? new Date() : new Date(date),
      url: response.url,
    };
  }

  private normalize(item: unknown, url: string): StrapiEntry {
    try {
      return normalizeStrapiEntry(item, this.options.version);
    } catch (error) {
      throw this.badResponse(url, (error as Error).message);
    }
  }

  private externalId(scope: Scope, entry: StrapiEntry): string {
    return strapiExternalId(scope.type.pluralApiId, entry, this.options);
  }

  /** `published`: documentIds with a published version, for entries that cannot tell (v5 drafts). */
  private event(scope: Scope, entry: StrapiEntry, published?: ReadonlySet<string>): SourceEvent {
    const externalId = this.externalId(scope, entry);
    const isPublished = entry.publishedAt !== null || published?.has(entry.documentId ?? "") === true;
    try {
      return {
        kind: "document",
        document: strapiDocument(externalId, entry, scope.type, this.options.baseUrl, isPublished),
      };
    } catch (error) {
      return { kind: "failed", externalId, error: error as Error };
    }
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
}

/** The `strapi` connector type (Strapi v4 and v5). */
export const strapiConnector: ConnectorDefinition<StrapiOptions> = {
  type: "strapi",
  // Self-hosted Strapi has no rate limit of its own unless a plugin adds one: a polite default.
  defaultRate: { perSecond: 10 },
  optionsSchema: strapiOptionsSchema,
  create: (options, init) => new StrapiConnector(options, init),
};
