import { createHash } from "node:crypto";
import type { PageObjectResponse } from "@notionhq/client";
import type { Logger } from "pino";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  FetchedDocument,
  ListContext,
  ListedDocument,
  SourceEvent,
  WebhookHandler,
} from "../contract.js";
import { ConnectorError } from "../errors.js";
import { bearerToken } from "../toolkit/credentials/static-credentials.js";
import { readSecretEnv } from "../toolkit/credentials/secret-env.js";
import { decodeTimestampCursor, encodeTimestampCursor } from "../toolkit/cursors/timestamp-cursor.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import { NotionApi } from "./notion-api.js";
import {
  isTrashed,
  metadataOf,
  type ParentRef,
  parentOf,
  titleOf,
  urlOf,
  versionOf,
} from "./notion-documents.js";
import { type BlockNode, plainText, renderBlocks } from "./notion-html.js";
import { type NotionOptions, normalizeNotionId, notionOptionsSchema } from "./notion-options.js";
import { notionWebhook } from "./notion-webhook.js";

/** A node of Notion's tree as far as scoping and paths need it. */
interface TreeNode {
  title: string | undefined;
  parent: ParentRef;
}

/** Where a page sits: the page ids above it (nearest first) and the titles from the top down. */
interface Ancestry {
  pageIds: string[];
  titles: string[];
}

/** Children of these blocks are separate documents (or databases), not the page's content. */
const OWN_DOCUMENTS = new Set(["child_page", "child_database"]);
/** Deepest parent chain followed; Notion's trees are far shallower in practice. */
const MAX_ANCESTORS = 64;

/**
 * Notion through `@notionhq/client` (Notion-Version pinned to 2025-09-03) inside the toolkit.
 *
 * Full listings: every configured data source through its query endpoint, then the pages shared
 * with the integration through search, kept when they are (or descend from) a configured root page,
 * or all of them when nothing is configured. Content is the page's block tree read lazily and
 * rendered here (notion-html.ts).
 *
 * Notion has no change feed: changes re-read search (sorted by `last_edited_time`, newest first)
 * back to the cursor minus the overlap, and each data source filtered on `last_edited_time`.
 * Deletions: trashed pages met on the way are `deleted`; pages that vanish (purged, unshared) only
 * disappear from complete listings.
 */
class NotionConnector implements Connector {
  readonly webhook: WebhookHandler = notionWebhook();
  readonly listChanges: Connector["listChanges"];
  private readonly roots: Set<string>;
  private readonly scoped: boolean;
  private readonly scopeKey: string;
  private readonly nodes = new Map<string, TreeNode | null>();

  constructor(
    private readonly options: NotionOptions,
    private readonly init: ConnectorInit,
    private readonly api: NotionApi,
    private readonly logger: Logger,
  ) {
    this.roots = new Set(options.pages.map(normalizeNotionId));
    this.scoped = options.pages.length + options.dataSources.length + options.databases.length > 0;
    this.listChanges = (cursor, ctx) => this.changes(cursor, ctx);
    // The cursor belongs to one scope: other pages come into view when it changes.
    this.scopeKey = createHash("sha256")
      .update(
        JSON.stringify([
          options.baseUrl,
          [...this.roots].sort(),
          options.dataSources.map(normalizeNotionId).sort(),
          options.databases.map(normalizeNotionId).sort(),
          options.includeChildPages,
        ]),
      )
      .digest("hex")
      .slice(0, 16);
  }

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    const started = new Date();
    const dataSources = await this.dataSources();
    const seen = new Set<string>();
    for (const [id, name] of dataSources) {
      for await (const batch of this.api.queryDataSource(id, ctx.signal)) {
        for (const page of batch) {
          const externalId = normalizeNotionId(page.id);
          if (isTrashed(page) || seen.has(externalId)) continue;
          seen.add(externalId);
          this.remember(page);
          yield { kind: "document", document: await this.listed(page, name, started) };
        }
      }
    }
    if (!this.scoped || this.roots.size > 0) {
      const roots: PageObjectResponse[] = [];
      for (const root of this.roots) {
        const page = await this.api.page(root);
        if (!page) throw this.notShared(`root page ${root}`);
        this.remember(page);
        roots.push(page);
      }
      // Parents may come later in search order than their children: read every result first, so
      // scope and paths are decided from the whole tree with as few extra requests as possible.
      const pages: PageObjectResponse[] = [];
      for await (const batch of this.api.searchPages(ctx.signal)) {
        for (const page of batch) {
          this.remember(page);
          pages.push(page);
        }
      }
      // A root just shared or edited may not be in search's index yet; it was read by id above.
      for (const page of [...pages, ...roots]) {
        const externalId = normalizeNotionId(page.id);
        if (isTrashed(page) || seen.has(externalId)) continue;
        const ancestry = await this.ancestry(page);
        if (!this.inScope(page, ancestry, dataSources)) continue;
        seen.add(externalId);
        yield { kind: "document", document: await this.listed(page, undefined, started, ancestry) };
      }
    }
    yield { kind: "cursor", cursor: this.cursor(started) };
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    const now = new Date();
    let dataSources: Map<string, string> | undefined;
    for (const id of new Set(ids.map(normalizeNotionId))) {
      ctx.signal.throwIfAborted();
      if (!/^[0-9a-f-]{36}$/.test(id)) {
        yield { kind: "missing", externalId: id, reason: "not a Notion page id" };
        continue;
      }
      const page = await this.api.page(id);
      if (!page) {
        yield {
          kind: "missing",
          externalId: id,
          // Notion answers 404 alike for a deleted page and for one no longer shared.
          reason: "Notion returned no page with this id (deleted, or not shared with the integration)",
        };
        continue;
      }
      if (isTrashed(page)) {
        yield { kind: "deleted", externalId: id };
        continue;
      }
      this.remember(page);
      dataSources ??= await this.dataSources();
      const ancestry = await this.ancestry(page);
      if (!this.inScope(page, ancestry, dataSources)) {
        // Readable, but moved out of the configured pages or data sources: Notion says it is elsewhere.
        yield { kind: "deleted", externalId: id };
        continue;
      }
      yield {
        kind: "document",
        document: await this.listed(page, this.spaceOf(page, dataSources), now, ancestry),
      };
    }
  }

  private async *changes(raw: string, ctx: ListContext): AsyncIterable<SourceEvent> {
    const decoded = decodeTimestampCursor(raw, this.init.sourceId, "Notion");
    const since = decoded.since[this.scopeKey];
    if (since === undefined) {
      throw new ConnectorError(
        "cursor_expired",
        `source "${this.init.sourceId}": the Notion cursor was written for other pages or data sources; a full listing replaces this run`,
        { sourceId: this.init.sourceId },
      );
    }
    const started = new Date();
    const from = new Date(Date.parse(since) - this.options.overlapMinutes * 60_000);
    const dataSources = await this.dataSources();
    const seen = new Set<string>();
    const candidates: PageObjectResponse[] = [];
    // Newest first: stop at the first page edited before the window.
    search: for await (const batch of this.api.searchPages(ctx.signal)) {
      for (const page of batch) {
        if (Date.parse(page.last_edited_time) < from.getTime()) break search;
        this.remember(page);
        candidates.push(page);
      }
    }
    for await (const page of this.editedRows(dataSources, from, ctx.signal)) {
      this.remember(page);
      candidates.push(page);
    }
    for (const page of candidates) {
      const externalId = normalizeNotionId(page.id);
      if (seen.has(externalId)) continue;
      seen.add(externalId);
      if (isTrashed(page)) {
        yield { kind: "deleted", externalId };
        continue;
      }
      const ancestry = await this.ancestry(page);
      if (!this.inScope(page, ancestry, dataSources)) {
        if (this.scoped) yield { kind: "deleted", externalId };
        continue;
      }
      yield {
        kind: "document",
        document: await this.listed(page, this.spaceOf(page, dataSources), started, ancestry),
      };
    }
    yield { kind: "cursor", cursor: this.cursor(started) };
  }

  /** Rows of the configured data sources edited since `from` (trashed ones included, to delete them). */
  private async *editedRows(
    dataSources: Map<string, string>,
    from: Date,
    signal: AbortSignal,
  ): AsyncGenerator<PageObjectResponse> {
    for (const id of dataSources.keys()) {
      let cursor: string | undefined;
      do {
        signal.throwIfAborted();
        const page = await this.api.call(`query data source ${id} for edits`, () =>
          this.api.client.dataSources.query({
            data_source_id: id,
            page_size: this.options.pageSize,
            filter: { timestamp: "last_edited_time", last_edited_time: { on_or_after: from.toISOString() } },
            ...(cursor ? { start_cursor: cursor } : {}),
          }),
        );
        for (const result of page.results)
          if ("properties" in result && result.object === "page") yield result;
        cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
      } while (cursor);
    }
  }

  /** The configured data sources (those of configured databases included) by id, with their names. */
  private async dataSources(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const id of this.options.databases.map(normalizeNotionId)) {
      const database = await this.api.database(id);
      if (!database) throw this.notShared(`database ${id}`);
      this.nodes.set(`database:${id}`, { title: plainText(database.title), parent: parentOf(database) });
      for (const source of database.data_sources) found.set(normalizeNotionId(source.id), source.name);
    }
    for (const id of this.options.dataSources.map(normalizeNotionId)) {
      if (found.has(id)) continue;
      const source = await this.api.dataSource(id);
      if (!source) throw this.notShared(`data source ${id}`);
      found.set(id, plainText(source.title));
    }
    return found;
  }

  private inScope(page: PageObjectResponse, ancestry: Ancestry, dataSources: Map<string, string>): boolean {
    if (!this.scoped) return true;
    if (
      page.parent.type === "data_source_id" &&
      dataSources.has(normalizeNotionId(page.parent.data_source_id))
    )
      return true;
    if (this.roots.has(normalizeNotionId(page.id))) return true;
    return this.options.includeChildPages && ancestry.pageIds.some((id) => this.roots.has(id));
  }

  private spaceOf(page: PageObjectResponse, dataSources: Map<string, string>): string | undefined {
    return page.parent.type === "data_source_id"
      ? dataSources.get(normalizeNotionId(page.parent.data_source_id))
      : undefined;
  }

  private remember(page: PageObjectResponse): void {
    this.nodes.set(`page:${normalizeNotionId(page.id)}`, { title: titleOf(page), parent: parentOf(page) });
  }

  /** Walks up from a page through pages, blocks and databases, reading what it has not seen yet. */
  private async ancestry(page: PageObjectResponse): Promise<Ancestry> {
    const pageIds: string[] = [];
    const titles: string[] = [];
    let parent = parentOf(page);
    for (let hops = 0; parent.type !== "root" && hops < MAX_ANCESTORS; hops++) {
      const node = await this.node(parent);
      if (!node) break; // not shared with the integration: the path starts below it
      if (parent.type === "page") pageIds.push(parent.id);
      if (node.title) titles.unshift(node.title);
      parent = node.parent;
    }
    return { pageIds, titles };
  }

  private async node(ref: Exclude<ParentRef, { type: "root" }>): Promise<TreeNode | null> {
    const key = `${ref.type}:${ref.id}`;
    const cached = this.nodes.get(key);
    if (cached !== undefined) return cached;
    let node: TreeNode | null = null;
    if (ref.type === "page") {
      const page = await this.api.page(ref.id);
      if (page) node = { title: titleOf(page), parent: parentOf(page) };
    } else if (ref.type === "block") {
      const block = await this.api.block(ref.id);
      if (block) node = { title: undefined, parent: parentOf(block) };
    } else {
      const database = await this.api.database(ref.id);
      if (database) node = { title: plainText(database.title), parent: parentOf(database) };
    }
    this.nodes.set(key, node);
    return node;
  }

  private async listed(
    page: PageObjectResponse,
    space: string | undefined,
    now: Date,
    known?: Ancestry,
  ): Promise<ListedDocument> {
    const ancestry = known ?? (await this.ancestry(page));
    const externalId = normalizeNotionId(page.id);
    const version = versionOf(page, now, this.options.overlapMinutes * 60_000);
    const metadata = metadataOf(page, { path: ancestry.titles, space });
    const updatedAt = new Date(page.last_edited_time);
    return {
      externalId,
      version,
      ...(Number.isNaN(updatedAt.getTime()) ? {} : { updatedAt }),
      metadata,
      load: async (signal) => {
        const tree = await this.blockTree(page.id, 1, signal ?? new AbortController().signal);
        const title = titleOf(page);
        const document: FetchedDocument = {
          externalId,
          version,
          ...(title ? { title } : {}),
          url: urlOf(page, this.options.preferPublicUrl),
          ...(Number.isNaN(updatedAt.getTime()) ? {} : { updatedAt }),
          metadata,
          body: { kind: "html", html: renderBlocks(tree, this.logger) },
        };
        return document;
      },
    };
  }

  /** A page's blocks with their children, depth first, up to `maxBlockDepth` levels. */
  private async blockTree(id: string, depth: number, signal: AbortSignal): Promise<BlockNode[]> {
    const blocks = await this.api.children(id, signal);
    const nodes: BlockNode[] = [];
    for (const block of blocks) {
      const descend = block.has_children && !OWN_DOCUMENTS.has(block.type);
      if (descend && depth >= this.options.maxBlockDepth) {
        this.logger.debug(
          { blockId: block.id, depth },
          "notion block nested deeper than maxBlockDepth: children skipped",
        );
      }
      const children =
        descend && depth < this.options.maxBlockDepth
          ? await this.blockTree(block.id, depth + 1, signal)
          : [];
      nodes.push({ block, children });
    }
    return nodes;
  }

  private cursor(started: Date): string {
    return encodeTimestampCursor({ since: { [this.scopeKey]: started.toISOString() } });
  }

  private notShared(what: string): ConnectorError {
    return new ConnectorError(
      "config",
      `source "${this.init.sourceId}": Notion ${what} was not found: share it with the integration (… → Connections) or fix the id`,
      { sourceId: this.init.sourceId, credentialEnv: this.options.tokenEnv },
    );
  }
}

/** The `notion` connector type. */
export const notionConnector: ConnectorDefinition<NotionOptions> = {
  type: "notion",
  // Notion documents "an average of three requests per second" per integration, with bursts allowed.
  defaultRate: { perSecond: 3, burst: 3 },
  optionsSchema: notionOptionsSchema,
  create(options: NotionOptions, init: ConnectorInit): Connector {
    const logger = init.logger.child({ connector: "notion" });
    const token = readSecretEnv(init.env, options.tokenEnv, { sourceId: init.sourceId, option: "tokenEnv" });
    const http = connectorHttp(init, {
      baseUrl: options.baseUrl,
      credentials: bearerToken(token, options.tokenEnv),
      // 529 is Notion's `service_overload`: retried like a 503, honouring Retry-After.
      retryStatuses: [529],
      logger,
    });
    const api = new NotionApi(
      http,
      {
        sourceId: init.sourceId,
        baseUrl: options.baseUrl,
        tokenEnv: options.tokenEnv,
        pageSize: options.pageSize,
      },
      logger,
    );
    return new NotionConnector(options, init, api, logger);
  },
};
