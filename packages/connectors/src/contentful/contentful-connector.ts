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
import { bearerToken } from "../toolkit/credentials/static-credentials.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import type { ToolkitHttpClient } from "../toolkit/http/toolkit-http-client.js";
import { ContentfulApi, type SyncStart } from "./contentful-api.js";
import {
  type ContentfulCursor,
  decodeContentfulCursor,
  encodeContentfulCursor,
} from "./contentful-cursor.js";
import { ContentfulDocuments } from "./contentful-documents.js";
import { LinkResolver } from "./contentful-links.js";
import { LocaleChain } from "./contentful-locales.js";
import { type ContentfulOptions, contentfulOptionsSchema } from "./contentful-options.js";
import type { ContentfulEntity } from "./contentful-types.js";
import { contentfulWebhook } from "./contentful-webhook.js";

const DELIVERY_URL = "https://cdn.contentful.com";
const PREVIEW_URL = "https://preview.contentful.com";
/** Key of the single unfiltered sync stream in a cursor. */
const ALL_TYPES = "*";

interface SyncStream {
  key: string;
  start: SyncStart;
}

/**
 * Contentful through the Content Delivery API's Sync API (published content), or through the Content
 * Preview API's entries collection when drafts are included (the Preview API has no Sync API).
 *
 * Deletions: an unfiltered sync carries `DeletedEntry` items (unpublish and delete both produce one).
 * A sync filtered by content type carries none, so, as Contentful documents, such sources also follow
 * a separate `type=DeletedEntry` sync; its tombstones name entries of every content type, and ids this
 * source never synced are simply unknown to the engine. Preview sources have no tombstones: deletions
 * come from webhooks and from the engine's id reconciliation after a full listing.
 */
class ContentfulConnector implements Connector {
  private readonly api: ContentfulApi;
  private readonly links: LinkResolver;
  private documentsPromise: Promise<ContentfulDocuments> | undefined;
  readonly webhook: WebhookHandler;
  readonly listChanges: Connector["listChanges"];

  constructor(
    private readonly options: ContentfulOptions,
    private readonly init: ConnectorInit,
    http: ToolkitHttpClient,
    private readonly logger: Logger,
  ) {
    this.api = new ContentfulApi(http, {
      sourceId: init.sourceId,
      spaceId: options.spaceId,
      environment: options.environment,
      pageSize: options.pageSize,
    });
    this.links = new LinkResolver(this.api);
    this.webhook = contentfulWebhook({
      webhookPath: options.webhookPath,
      toleranceSeconds: options.webhookToleranceSeconds,
      includeDrafts: options.includeDrafts,
    });
    this.listChanges = (cursor, ctx) => this.changes(cursor, ctx);
  }

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    const documents = await this.documents(ctx.signal);
    if (this.options.includeDrafts) {
      yield* this.previewListing(documents, ctx);
      return;
    }
    const cursor: ContentfulCursor & { mode: "sync" } = { v: 1, mode: "sync", tokens: {} };
    // The deletion stream starts first: a deletion that happens while the entries are listed then
    // shows up in the next delta instead of falling between the two tokens.
    if (this.options.contentTypes.length > 0) {
      cursor.deletions = await this.drain({ initial: true, type: "DeletedEntry" }, ctx.signal);
    }
    for (const stream of this.syncStreams()) {
      for await (const page of this.api.syncPages(stream.start, ctx.signal)) {
        yield* this.syncEvents(page.items, documents, "full");
        if (page.nextSyncToken) cursor.tokens[stream.key] = page.nextSyncToken;
      }
    }
    yield { kind: "cursor", cursor: encodeContentfulCursor(cursor) };
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    const documents = await this.documents(ctx.signal);
    const found = new Map<string, ContentfulEntity>();
    for (const page of await this.api.entriesByIds([...new Set(ids)], ctx.signal)) {
      this.links.rememberCollection(page);
      for (const item of page.items) found.set(item.sys.id, item);
    }
    for (const id of ids) {
      const entry = found.get(id);
      // An entry outside the source's content types or tags is gone as far as this source goes.
      if (entry && documents.inScope(entry)) yield { kind: "document", document: documents.listed(entry) };
      else if (entry) yield { kind: "deleted", externalId: id };
      // Only a DeletedEntry (sync) or a verified unpublish webhook proves a deletion.
      else yield { kind: "missing", externalId: id, reason: "Contentful returned no entry with this id" };
    }
  }

  private async *changes(raw: string, ctx: ListContext): AsyncIterable<SourceEvent> {
    const cursor = decodeContentfulCursor(raw);
    if ("error" in cursor) throw this.cursorError(cursor.error);
    const documents = await this.documents(ctx.signal);
    if (this.options.includeDrafts) {
      if (cursor.mode !== "updated") throw this.cursorError("cursor comes from a Delivery API (sync) source");
      yield* this.previewChanges(cursor.since, documents, ctx);
      return;
    }
    if (cursor.mode !== "sync") throw this.cursorError("cursor comes from a Preview API source");
    const streams = this.syncStreams();
    const expected = streams.map((stream) => stream.key).sort();
    const stored = Object.keys(cursor.tokens).sort();
    const needsDeletions = this.options.contentTypes.length > 0;
    if (expected.join("\n") !== stored.join("\n") || needsDeletions !== (cursor.deletions !== undefined)) {
      throw this.cursorError(
        `cursor covers content types [${stored.join(", ")}] but the source syncs [${expected.join(", ")}]`,
      );
    }
    const next: ContentfulCursor & { mode: "sync" } = { ...cursor, tokens: { ...cursor.tokens } };
    // Deletions before changes: an entry deleted and re-created with the same id ends up existing.
    if (cursor.deletions) {
      for await (const page of this.api.syncPages({ syncToken: cursor.deletions }, ctx.signal)) {
        yield* this.syncEvents(page.items, documents, "delta");
        if (page.nextSyncToken) next.deletions = page.nextSyncToken;
      }
      yield { kind: "cursor", cursor: encodeContentfulCursor(next) };
    }
    for (const stream of streams) {
      const token = cursor.tokens[stream.key];
      if (!token) continue;
      for await (const page of this.api.syncPages({ syncToken: token }, ctx.signal)) {
        yield* this.syncEvents(page.items, documents, "delta");
        if (page.nextSyncToken) next.tokens[stream.key] = page.nextSyncToken;
      }
      // Each finished stream is a safe resume point: the other streams keep their old tokens.
      yield { kind: "cursor", cursor: encodeContentfulCursor(next) };
    }
  }

  /** One sync per configured content type (the Sync API filters by one), or one unfiltered sync. */
  private syncStreams(): SyncStream[] {
    if (this.options.contentTypes.length === 0) return [{ key: ALL_TYPES, start: { initial: true } }];
    return this.options.contentTypes.map((contentType) => ({
      key: contentType,
      start: { initial: true, type: "Entry", contentType },
    }));
  }

  private async drain(start: SyncStart, signal: AbortSignal): Promise<string> {
    let token: string | undefined;
    for await (const page of this.api.syncPages(start, signal)) token = page.nextSyncToken ?? token;
    if (!token)
      throw new ConnectorError("bad_response", `source "${this.init.sourceId}": sync ended without a token`);
    return token;
  }

  /**
   * Sync items → events. Full listings yield what is in scope and skip the rest (reconciliation
   * removes it). Deltas also turn tombstones and entries that left the scope (a tag removed) into
   * deletions.
   */
  private *syncEvents(
    items: readonly ContentfulEntity[],
    documents: ContentfulDocuments,
    mode: "full" | "delta",
  ): Iterable<SourceEvent> {
    for (const item of items) {
      this.links.remember(item);
      if (item.sys.type === "Entry") {
        if (documents.inScope(item)) yield { kind: "document", document: documents.listed(item) };
        else if (mode === "delta") yield { kind: "deleted", externalId: item.sys.id };
      } else if (item.sys.type === "DeletedEntry" && mode === "delta") {
        yield { kind: "deleted", externalId: item.sys.id };
      }
    }
  }

  /**
   * One collection query per configured content type (`content_type` takes one id), or one for all.
   * The Preview API has no Sync API, so these collections stand in for it.
   */
  private previewQueries(): Record<string, string>[] {
    const { contentTypes } = this.options;
    return contentTypes.length > 0
      ? contentTypes.map((contentType) => ({ content_type: contentType }))
      : [{}];
  }

  /**
   * Drafts: the entries collection, oldest first (new entries land at the end). Skip/limit pages shift
   * when an entry is deleted mid-listing, which would make a live entry look deleted: a total that
   * shrinks between pages, or fewer distinct ids than the final total, fails the listing (transient)
   * instead. A deletion exactly offset by a creation mid-listing is not detected.
   */
  private async *previewListing(
    documents: ContentfulDocuments,
    ctx: ListContext,
  ): AsyncIterable<SourceEvent> {
    const tags =
      this.options.tags.length > 0 ? { "metadata.tags.sys.id[in]": this.options.tags.join(",") } : {};
    let started: Date | undefined;
    for (const query of this.previewQueries()) {
      let total: number | undefined;
      const seen = new Set<string>();
      for await (const page of this.api.entryPages(
        { ...query, ...tags, order: "sys.createdAt,sys.id" },
        ctx.signal,
      )) {
        started ??= page.serverTime ?? new Date();
        if (total !== undefined && page.collection.total < total) {
          throw this.shifted(`the total went from ${total} to ${page.collection.total}`);
        }
        total = page.collection.total;
        this.links.rememberCollection(page.collection);
        for (const entry of page.collection.items) {
          if (seen.has(entry.sys.id)) continue;
          seen.add(entry.sys.id);
          if (documents.inScope(entry)) yield { kind: "document", document: documents.listed(entry) };
        }
      }
      if (seen.size < (total ?? 0)) throw this.shifted(`${seen.size} of ${total} seen`);
    }
    yield {
      kind: "cursor",
      cursor: encodeContentfulCursor({ v: 1, mode: "updated", since: (started ?? new Date()).toISOString() }),
    };
  }

  /**
   * Drafts incrementally: entries updated since the cursor minus the overlap, newest first. Newest
   * first means an entry saved mid-run moves to pages already read instead of pushing an unread one
   * past a page boundary; the next run sees it. The next cursor is the server's clock (Date header)
   * at the first page, so a skewed local clock cannot open a gap. Tags are filtered here, not by the
   * API, so an entry whose tag was removed comes back and is deleted.
   */
  private async *previewChanges(
    since: string,
    documents: ContentfulDocuments,
    ctx: ListContext,
  ): AsyncIterable<SourceEvent> {
    const from = new Date(new Date(since).getTime() - this.options.overlapSeconds * 1000);
    let started: Date | undefined;
    const seen = new Set<string>();
    for (const query of this.previewQueries()) {
      const filter = { ...query, "sys.updatedAt[gte]": from.toISOString(), order: "-sys.updatedAt,sys.id" };
      for await (const page of this.api.entryPages(filter, ctx.signal)) {
        started ??= page.serverTime ?? new Date();
        this.links.rememberCollection(page.collection);
        for (const entry of page.collection.items) {
          if (seen.has(entry.sys.id)) continue;
          seen.add(entry.sys.id);
          if (documents.inScope(entry)) yield { kind: "document", document: documents.listed(entry) };
          else yield { kind: "deleted", externalId: entry.sys.id };
        }
      }
    }
    const next = started ?? new Date(Math.max(Date.now(), new Date(since).getTime()));
    this.logger.debug({ updated: seen.size }, "contentful preview changes listed");
    yield {
      kind: "cursor",
      cursor: encodeContentfulCursor({ v: 1, mode: "updated", since: next.toISOString() }),
    };
  }

  /** Locales are read once per connector: the fallback chain decides which value of each field is used. */
  private documents(signal: AbortSignal): Promise<ContentfulDocuments> {
    this.documentsPromise ??= this.api
      .locales(signal)
      .then((locales) => {
        try {
          return new ContentfulDocuments(
            this.options,
            new LocaleChain(locales, this.options.locale),
            this.links,
          );
        } catch (error) {
          throw new ConnectorError("config", `source "${this.init.sourceId}": ${(error as Error).message}`, {
            sourceId: this.init.sourceId,
          });
        }
      })
      .catch((error: unknown) => {
        this.documentsPromise = undefined;
        throw error;
      });
    return this.documentsPromise;
  }

  private shifted(detail: string): ConnectorError {
    return new ConnectorError(
      "unavailable",
      `source "${this.init.sourceId}": Contentful entries changed while paging (${detail}); retry the listing`,
      { sourceId: this.init.sourceId },
    );
  }

  private cursorError(reason: string): ConnectorError {
    return new ConnectorError(
      "config",
      `source "${this.init.sourceId}": ${reason}; run a full sync to start over`,
      {
        sourceId: this.init.sourceId,
      },
    );
  }
}

/** The `contentful` connector type. */
export const contentfulConnector: ConnectorDefinition<ContentfulOptions> = {
  type: "contentful",
  // Contentful documents 55 requests/s for the Delivery API and 14/s for the Preview API (uncached
  // requests); one default must hold for both.
  defaultRate: { perSecond: 14 },
  optionsSchema: contentfulOptionsSchema,
  create(options: ContentfulOptions, init: ConnectorInit): Connector {
    const credentialEnv = options.includeDrafts ? options.previewAccessTokenEnv : options.accessTokenEnv;
    const token = credentialEnv ? init.env[credentialEnv] : undefined;
    if (!credentialEnv || !token) {
      throw new ConnectorError(
        "config",
        `source "${init.sourceId}": env var ${credentialEnv ?? "(none configured)"} holding the Contentful ${
          options.includeDrafts ? "Preview" : "Delivery"
        } API token is not set`,
        { sourceId: init.sourceId, ...(credentialEnv ? { credentialEnv } : {}) },
      );
    }
    const logger = init.logger.child({ connector: "contentful" });
    const http = connectorHttp(init, {
      baseUrl: options.baseUrl ?? (options.includeDrafts ? PREVIEW_URL : DELIVERY_URL),
      credentials: bearerToken(token, credentialEnv),
      logger,
      // Contentful answers 429 with the seconds to wait in this header rather than Retry-After.
      waitHeaders: [
        { name: "retry-after", format: "retry-after" },
        { name: "x-contentful-ratelimit-reset", format: "delay-seconds" },
      ],
    });
    return new ContentfulConnector(options, init, http, logger);
  },
};
