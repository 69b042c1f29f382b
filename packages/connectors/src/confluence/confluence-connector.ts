import { createHash } from "node:crypto";
import { z } from "zod";
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
import { credentialsFromAuthBlock } from "../toolkit/credentials/auth-block.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import {
  bodyFromBytes,
  canonicalMediaType,
  DOCX_MEDIA_TYPE,
  mediaTypeOfName,
  PDF_MEDIA_TYPE,
} from "../toolkit/media-types/media-types.js";
import { ConfluenceApi, V1_EXPAND } from "./confluence-api.js";
import {
  type ConfluenceItem,
  canonicalUrl,
  cqlDate,
  cqlString,
  itemOfV1,
  metadataOf,
  outOfScope,
} from "./confluence-documents.js";
import { type ConfluenceOptions, confluenceOptionsSchema } from "./confluence-options.js";
import type { V1Content, V2Attachment, V2Comment, V2Page, V2Space } from "./confluence-types.js";
import { confluenceWebhook } from "./confluence-webhook.js";

/** The server time the previous run started and the scope it listed; versioned. */
const cursorSchema = z.strictObject({ v: z.literal(1), since: z.iso.datetime(), scope: z.string() });

const ATTACHMENT_PREFIX = "attachment:";
const SYNCED_ATTACHMENTS = new Set([PDF_MEDIA_TYPE, DOCX_MEDIA_TYPE]);
const collection = (type: string) => (type === "blogpost" ? "blogposts" : "pages");

/**
 * Confluence Cloud (REST v2 listings, v1 CQL for metadata and changes) and Data Center / Server (v1).
 *
 * Full listings walk spaces → pages and blog posts with v2's cursor links (Cloud) or v1's start/limit
 * (Data Center). v2 list answers carry neither labels nor ancestors nor restrictions, so each page of
 * ids is enriched with one v1 CQL search (`id in (…)`) that expands them. Bodies are loaded lazily in
 * `export_view` (the per-page call: list endpoints only serve storage/ADF).
 *
 * Changes: CQL `lastmodified >=` from the cursor minus the overlap (minute precision, read in the
 * credential user's time zone), then the trash of the scoped spaces: trashed content is the product's
 * deletion evidence. Purged content only disappears from complete listings (the engine reconciles).
 */
class ConfluenceConnector implements Connector {
  /** Data Center only: Cloud delivers webhooks to Connect/Forge apps alone (JWT, app-registered). */
  readonly webhook: WebhookHandler | undefined;
  readonly listChanges: Connector["listChanges"];
  private readonly cloud: boolean;
  private readonly scope: string;

  constructor(
    private readonly options: ConfluenceOptions,
    private readonly init: ConnectorInit,
    private readonly api: ConfluenceApi,
  ) {
    this.cloud = options.deployment === "cloud";
    this.webhook = this.cloud ? undefined : confluenceWebhook(options);
    this.listChanges = (cursor, ctx) => this.changes(cursor, ctx);
    const { spaces, contentTypes, labels, includeArchived, includeRestricted, includeComments, attachments } =
      options;
    this.scope = createHash("sha256")
      .update(
        JSON.stringify([
          options.baseUrl,
          spaces,
          contentTypes,
          labels,
          includeArchived,
          includeRestricted,
          includeComments,
          attachments,
        ]),
      )
      .digest("hex")
      .slice(0, 16);
  }

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    let started: Date | undefined;
    const batches = this.cloud ? this.cloudBatches(ctx.signal) : this.dataCenterBatches(ctx.signal);
    for await (const batch of batches) {
      started ??= batch.serverTime ?? new Date();
      for (const item of batch.items) {
        if (outOfScope(item, this.options) !== undefined) continue;
        yield* this.documentsOf(item, ctx.signal);
      }
    }
    yield { kind: "cursor", cursor: this.cursor(started ?? new Date()) };
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    for (const id of new Set(ids)) {
      if (id.startsWith(ATTACHMENT_PREFIX)) {
        yield (await this.attachmentById(id.slice(ATTACHMENT_PREFIX.length), ctx.signal)) ?? {
          kind: "missing",
          externalId: id,
          reason: "not a PDF or DOCX attachment",
        };
        continue;
      }
      if (!/^\d+$/.test(id)) {
        yield { kind: "missing", externalId: id, reason: "not a Confluence content id" };
        continue;
      }
      const content = await this.api.one<V1Content>(
        `${this.api.v1}content/${id}`,
        { expand: V1_EXPAND, status: "any" },
        ctx.signal,
      );
      const item = content ? itemOfV1(content, content._links?.base) : undefined;
      if (!item) {
        yield {
          kind: "missing",
          externalId: id,
          reason: "Confluence returned no page or blog post with this id",
        };
        continue;
      }
      const why = outOfScope(item, this.options);
      // Trashed, or returned by Confluence but out of scope (archived, restricted, label): the product says so.
      if (why !== undefined) yield { kind: "deleted", externalId: id };
      else yield { kind: "document", document: this.listed(item) };
    }
  }

  private async *changes(raw: string, ctx: ListContext): AsyncIterable<SourceEvent> {
    const cursor = this.decode(raw);
    const since = new Date(cursor.since);
    if (cursor.scope !== this.scope) {
      throw this.expired("the source's scope options changed since the cursor was written");
    }
    const from = new Date(since.getTime() - this.options.overlapMinutes * 60_000);
    // Attachments are content of their own in CQL: a new file on an unchanged page is found too.
    const types = [...this.options.contentTypes, ...(this.options.attachments ? ["attachment"] : [])];
    const clauses = [
      `type in (${types.join(",")})`,
      `lastmodified >= ${cqlString(cqlDate(from, this.options.cqlTimeZone))}`,
    ];
    if (this.options.spaces.length > 0)
      clauses.push(`space in (${this.options.spaces.map(cqlString).join(",")})`);
    const cql = `${clauses.join(" and ")} order by lastmodified asc`;
    let started: Date | undefined;
    const seen = new Set<string>();
    for await (const page of this.api.v1List("content/search", { cql, expand: V1_EXPAND }, ctx.signal)) {
      if (started === undefined) {
        started = page.serverTime ?? new Date();
        // Measured on the server's clock, before anything is yielded, as cursor_expired requires.
        const ageDays = (started.getTime() - since.getTime()) / 86_400_000;
        if (ageDays > this.options.maxCursorAgeDays) {
          throw this.expired(
            `the cursor is ${Math.floor(ageDays)} days old (maxCursorAgeDays ${this.options.maxCursorAgeDays})`,
          );
        }
      }
      for (const content of page.results) {
        if (content.type === "attachment" && !seen.has(`${ATTACHMENT_PREFIX}${content.id}`)) {
          seen.add(`${ATTACHMENT_PREFIX}${content.id}`);
          // Files that are not PDF/DOCX were never synced: nothing to say about them.
          const event = await this.attachmentById(String(content.id), ctx.signal);
          if (event) yield event;
          continue;
        }
        const item = itemOfV1(content, page.base);
        if (!item || seen.has(item.id)) continue;
        seen.add(item.id);
        if (outOfScope(item, this.options) !== undefined) {
          yield { kind: "deleted", externalId: item.id };
          continue;
        }
        for await (const event of this.documentsOf(item, ctx.signal)) {
          // A changed page lists its attachments, which the search may also have returned.
          if (event.kind === "document" && event.document.externalId !== item.id) {
            if (seen.has(event.document.externalId)) continue;
            seen.add(event.document.externalId);
          }
          yield event;
        }
      }
    }
    for await (const id of this.trashed(ctx.signal)) {
      if (seen.has(id)) continue;
      seen.add(id);
      yield { kind: "deleted", externalId: id };
    }
    yield { kind: "cursor", cursor: this.cursor(started ?? new Date(Math.max(Date.now(), since.getTime()))) };
  }

  /** Cloud: v2 spaces (by key), their pages and blog posts, enriched by v1 in batches. */
  private async *cloudBatches(
    signal: AbortSignal,
  ): AsyncGenerator<{ items: ConfluenceItem[]; serverTime?: Date }> {
    for await (const space of this.cloudSpaces(signal)) {
      for (const type of this.options.contentTypes) {
        const status = this.options.includeArchived ? ["current", "archived"] : ["current"];
        const path = `spaces/${space.id}/${collection(type)}`;
        for await (const page of this.api.v2List<V2Page>(path, { status, sort: "id" }, signal)) {
          const items = await this.enrich(page.results, page.base, signal);
          yield { items, ...(page.serverTime ? { serverTime: page.serverTime } : {}) };
        }
      }
    }
  }

  /** The configured spaces (all configured keys must exist), or every readable space. */
  private async *cloudSpaces(signal: AbortSignal): AsyncGenerator<V2Space> {
    const found = new Set<string>();
    const query = {
      ...(this.options.spaces.length > 0 ? { keys: this.options.spaces } : {}),
      ...(this.options.includeArchived ? {} : { status: "current" }),
    };
    for await (const page of this.api.v2List<V2Space>("spaces", query, signal)) {
      for (const space of page.results) {
        found.add(space.key);
        yield space;
      }
    }
    const unknown = this.options.spaces.filter((key) => !found.has(key));
    if (unknown.length > 0) {
      throw new ConnectorError(
        "config",
        `source "${this.init.sourceId}": Confluence spaces not found or not readable: ${unknown.join(", ")}`,
        { sourceId: this.init.sourceId },
      );
    }
  }

  /**
   * Labels, ancestors, author and restrictions for a page of v2 results: one CQL search over their
   * ids, then a v1 fetch for any the search index has not caught up with yet.
   */
  private async enrich(
    pages: V2Page[],
    base: string | undefined,
    signal: AbortSignal,
  ): Promise<ConfluenceItem[]> {
    if (pages.length === 0) return [];
    const byId = new Map<string, ConfluenceItem>();
    const cql = `id in (${pages.map((page) => page.id).join(",")})`;
    for await (const result of this.api.v1List("content/search", { cql, expand: V1_EXPAND }, signal)) {
      for (const content of result.results) {
        const item = itemOfV1(content, result.base ?? base);
        if (item) byId.set(item.id, item);
      }
    }
    const items: ConfluenceItem[] = [];
    for (const page of pages) {
      let item = byId.get(page.id);
      if (!item) {
        const content = await this.api.one<V1Content>(
          `${this.api.v1}content/${page.id}`,
          { expand: V1_EXPAND, status: "any" },
          signal,
        );
        item = content ? itemOfV1(content, content._links?.base ?? base) : undefined;
      }
      if (!item) continue; // gone between the two calls: the next listing settles it
      // v2 is authoritative for status and the web link; v1 may lag behind the index.
      items.push({
        ...item,
        status: page.status ?? item.status,
        title: page.title ?? item.title,
        version: page.version?.number ?? item.version,
        webui: page._links?.webui ?? item.webui,
        base: base ?? item.base,
      });
    }
    return items;
  }

  /** Data Center: v1 `content` per type and status (and space), start/limit. */
  private async *dataCenterBatches(
    signal: AbortSignal,
  ): AsyncGenerator<{ items: ConfluenceItem[]; serverTime?: Date }> {
    const spaces: (string | undefined)[] = this.options.spaces.length > 0 ? this.options.spaces : [undefined];
    const statuses = this.options.includeArchived ? ["current", "archived"] : ["current"];
    for (const spaceKey of spaces) {
      for (const type of this.options.contentTypes) {
        for (const status of statuses) {
          const query = { type, status, expand: V1_EXPAND, ...(spaceKey ? { spaceKey } : {}) };
          for await (const page of this.api.v1List("content", query, signal)) {
            const items = page.results
              .map((content) => itemOfV1(content, page.base))
              .filter((item): item is ConfluenceItem => item !== undefined);
            yield { items, ...(page.serverTime ? { serverTime: page.serverTime } : {}) };
          }
        }
      }
    }
  }

  /** Ids in the trash of the scoped spaces: Confluence's own statement that they were deleted. */
  private async *trashed(signal: AbortSignal): AsyncGenerator<string> {
    if (this.cloud) {
      const spaceIds: string[] = [];
      if (this.options.spaces.length > 0)
        for await (const space of this.cloudSpaces(signal)) spaceIds.push(space.id);
      for (const type of this.options.contentTypes) {
        const query = { status: "trashed", ...(spaceIds.length > 0 ? { "space-id": spaceIds } : {}) };
        for await (const page of this.api.v2List<V2Page>(collection(type), query, signal)) {
          for (const item of page.results) yield item.id;
        }
      }
      return;
    }
    const spaces: (string | undefined)[] = this.options.spaces.length > 0 ? this.options.spaces : [undefined];
    for (const spaceKey of spaces) {
      for (const type of this.options.contentTypes) {
        const query = { type, status: "trashed", ...(spaceKey ? { spaceKey } : {}) };
        for await (const page of this.api.v1List("content", query, signal)) {
          for (const content of page.results) yield String(content.id);
        }
      }
    }
  }

  /** The page itself, then its PDF/DOCX attachments when configured. */
  private async *documentsOf(item: ConfluenceItem, signal: AbortSignal): AsyncGenerator<SourceEvent> {
    yield { kind: "document", document: this.listed(item) };
    if (!this.options.attachments) return;
    for await (const attachment of this.attachmentsOf(item, signal)) {
      yield { kind: "document", document: attachment };
    }
  }

  private listed(item: ConfluenceItem): ListedDocument {
    const updatedAt = item.updated ? new Date(item.updated) : undefined;
    return {
      externalId: item.id,
      // Footer comments do not bump the page's version: with them folded in, hash every run instead.
      version: this.options.includeComments || item.version === undefined ? "" : String(item.version),
      ...(updatedAt && !Number.isNaN(updatedAt.getTime()) ? { updatedAt } : {}),
      metadata: metadataOf(item),
      load: (signal) => this.load(item, signal ?? new AbortController().signal),
    };
  }

  private async load(item: ConfluenceItem, signal: AbortSignal): Promise<FetchedDocument> {
    let html: string | undefined;
    let base = item.base;
    let webui = item.webui;
    if (this.cloud) {
      const page = await this.api.one<V2Page>(
        `wiki/api/v2/${collection(item.type)}/${item.id}`,
        // Without `status` only current pages are served; archived ones are in scope when configured.
        { "body-format": "export_view", status: ["current", "archived"] },
        signal,
      );
      if (!page) throw this.vanished(item);
      html = page.body?.export_view?.value;
      base = page._links?.base ?? base;
      webui = page._links?.webui ?? webui;
    } else {
      const content = await this.api.one<V1Content>(
        `rest/api/content/${item.id}`,
        { expand: "body.export_view" },
        signal,
      );
      if (!content) throw this.vanished(item);
      html = content.body?.export_view?.value;
      base = content._links?.base ?? base;
      webui = content._links?.webui ?? webui;
    }
    if (html === undefined) {
      throw new ConnectorError(
        "bad_response",
        `source "${this.init.sourceId}": Confluence ${item.type} ${item.id} has no export_view body`,
        {
          sourceId: this.init.sourceId,
        },
      );
    }
    if (this.options.includeComments) html += await this.comments(item, signal);
    const url = canonicalUrl(base, webui);
    const updatedAt = item.updated ? new Date(item.updated) : undefined;
    return {
      externalId: item.id,
      version: this.options.includeComments || item.version === undefined ? "" : String(item.version),
      ...(item.title ? { title: item.title } : {}),
      ...(url ? { url } : {}),
      ...(updatedAt && !Number.isNaN(updatedAt.getTime()) ? { updatedAt } : {}),
      metadata: metadataOf(item),
      body: { kind: "html", html: (await loadHtmlCleanUp()).cleanConfluenceHtml(html, base) },
    };
  }

  /** Footer comments as a section after the page body, oldest first. */
  private async comments(item: ConfluenceItem, signal: AbortSignal): Promise<string> {
    const bodies: string[] = [];
    if (this.cloud) {
      const path = `${collection(item.type)}/${item.id}/footer-comments`;
      for await (const page of this.api.v2List<V2Comment>(
        path,
        { "body-format": "view", sort: "created-date" },
        signal,
      )) {
        for (const comment of page.results)
          if (comment.body?.view?.value) bodies.push(comment.body.view.value);
      }
    } else {
      const query = { expand: "body.view,extensions", depth: "all", location: "footer" };
      for await (const page of this.api.v1List(`content/${item.id}/child/comment`, query, signal)) {
        for (const comment of page.results) {
          if (comment.extensions?.location === "inline") continue;
          const value = comment.body?.view?.value;
          if (value) bodies.push(value);
        }
      }
    }
    if (bodies.length === 0) return "";
    return `<section class="comments"><h2>Comments</h2>${bodies.map((body) => `<div class="comment">${body}</div>`).join("")}</section>`;
  }

  /** PDF and DOCX attachments of a page as documents of their own, linked to the page. */
  private async *attachmentsOf(item: ConfluenceItem, signal: AbortSignal): AsyncGenerator<ListedDocument> {
    if (this.cloud) {
      const path = `${collection(item.type)}/${item.id}/attachments`;
      for await (const page of this.api.v2List<V2Attachment>(path, { status: "current" }, signal)) {
        for (const attachment of page.results) {
          const listed = this.attachmentDocument(attachment, item, page.base ?? item.base);
          if (listed) yield listed;
        }
      }
      return;
    }
    for await (const page of this.api.v1List(
      `content/${item.id}/child/attachment`,
      { expand: "version" },
      signal,
    )) {
      for (const content of page.results) {
        const listed = this.attachmentDocument(
          {
            id: String(content.id),
            title: content.title ?? "",
            mediaType: content.metadata?.mediaType ?? content.extensions?.mediaType ?? "",
            version: {
              number: content.version?.number ?? 0,
              ...(content.version?.when ? { createdAt: content.version.when } : {}),
            },
            downloadLink: content._links?.download ?? "",
            webuiLink: content._links?.webui ?? "",
          },
          item,
          page.base ?? item.base,
        );
        if (listed) yield listed;
      }
    }
  }

  private attachmentDocument(
    attachment: V2Attachment,
    parent: ConfluenceItem | undefined,
    base: string | undefined,
  ): ListedDocument | undefined {
    const title = attachment.title ?? "";
    const mediaType = canonicalMediaType(attachment.mediaType ?? "") ?? mediaTypeOfName(title);
    if (!mediaType || !SYNCED_ATTACHMENTS.has(mediaType)) return undefined;
    const externalId = `${ATTACHMENT_PREFIX}${attachment.id.replace(/^att/, "")}`;
    const version = String(attachment.version?.number ?? "");
    const updatedAt = attachment.version?.createdAt ? new Date(attachment.version.createdAt) : undefined;
    const metadata = {
      type: "attachment",
      status: attachment.status ?? "current",
      ...(parent
        ? { ...metadataOf(parent), type: "attachment", parentId: parent.id, parentTitle: parent.title }
        : {}),
      ...(parent ? { path: [...parent.ancestors, parent.title, title].join("/") } : { path: title }),
      mediaType,
    };
    const download = attachment.downloadLink ?? attachment._links?.download;
    const url = canonicalUrl(base, attachment.webuiLink ?? attachment._links?.webui);
    return {
      externalId,
      version,
      ...(updatedAt && !Number.isNaN(updatedAt.getTime()) ? { updatedAt } : {}),
      metadata,
      load: async (signal) => {
        if (!download) {
          throw new ConnectorError(
            "bad_response",
            `source "${this.init.sourceId}": attachment ${attachment.id} has no download link`,
            {
              sourceId: this.init.sourceId,
            },
          );
        }
        // Download links are relative to the wiki (`/download/attachments/…`).
        const target = /^https?:/.test(download)
          ? download
          : `${this.cloud ? "wiki/" : ""}${download.replace(/^\//, "")}`;
        const response = await this.api.http.download(target, {
          maxBytes: this.options.attachmentMaxBytes,
          documentName: title,
          ...(signal ? { signal } : {}),
        });
        const body = bodyFromBytes(response.data, { fileName: title, declaredMediaType: mediaType });
        if (!body)
          throw new ConnectorError(
            "bad_response",
            `source "${this.init.sourceId}": attachment ${title} is not a PDF or DOCX`,
            { sourceId: this.init.sourceId },
          );
        return {
          externalId,
          version,
          title,
          ...(url ? { url } : {}),
          ...(updatedAt && !Number.isNaN(updatedAt.getTime()) ? { updatedAt } : {}),
          metadata,
          body,
        };
      },
    };
  }

  /** An attachment by id; undefined when it is not a PDF or DOCX (never synced). */
  private async attachmentById(id: string, signal: AbortSignal): Promise<SourceEvent | undefined> {
    const externalId = `${ATTACHMENT_PREFIX}${id}`;
    const content = await this.api.one<V1Content>(
      `${this.api.v1}content/${id}`,
      { expand: "version,container,metadata", status: "any" },
      signal,
    );
    if (content?.type !== "attachment") {
      return { kind: "missing", externalId, reason: "Confluence returned no attachment with this id" };
    }
    if (content.status === "trashed" || content.status === "deleted") return { kind: "deleted", externalId };
    const parentId = content.container?.id;
    const parent = parentId
      ? await this.api.one<V1Content>(`${this.api.v1}content/${parentId}`, { expand: V1_EXPAND }, signal)
      : undefined;
    const parentItem = parent ? itemOfV1(parent, parent._links?.base) : undefined;
    if (!parentItem || outOfScope(parentItem, this.options) !== undefined)
      return { kind: "deleted", externalId };
    const listed = this.attachmentDocument(
      {
        id,
        title: content.title ?? "",
        mediaType: content.metadata?.mediaType ?? content.extensions?.mediaType ?? "",
        version: {
          number: content.version?.number ?? 0,
          ...(content.version?.when ? { createdAt: content.version.when } : {}),
        },
        downloadLink: content._links?.download ?? "",
        webuiLink: content._links?.webui ?? "",
      },
      parentItem,
      content._links?.base ?? parentItem.base,
    );
    return listed ? { kind: "document", document: listed } : undefined;
  }

  /** Listed, then not found when its body was read: the engine records a failure, never a deletion. */
  private vanished(item: ConfluenceItem): ConnectorError {
    return new ConnectorError(
      "unavailable",
      `source "${this.init.sourceId}": Confluence ${item.type} ${item.id} was not found when its body was read (trashed, purged or restricted since it was listed)`,
      { sourceId: this.init.sourceId, status: 404 },
    );
  }

  private cursor(since: Date): string {
    return JSON.stringify({ v: 1, since: since.toISOString(), scope: this.scope });
  }

  private expired(why: string): ConnectorError {
    return new ConnectorError(
      "cursor_expired",
      `source "${this.init.sourceId}": Confluence cursor cannot be used: ${why}; a full listing replaces this run`,
      {
        sourceId: this.init.sourceId,
      },
    );
  }

  private decode(raw: string): z.output<typeof cursorSchema> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const result = cursorSchema.safeParse(parsed);
    if (!result.success) {
      throw new ConnectorError(
        "config",
        `source "${this.init.sourceId}": cursor is not a Confluence cursor; run a full sync to start over`,
        {
          sourceId: this.init.sourceId,
        },
      );
    }
    return result.data;
  }
}

/** The `confluence` connector type. */
export const confluenceConnector: ConnectorDefinition<ConfluenceOptions> = {
  type: "confluence",
  // Confluence Cloud meters REST calls by cost-based quotas and answers 429 with Retry-After rather
  // than publishing a fixed rate; Data Center's default rate limiting is configured per instance.
  // 10/s stays well inside both; a source can set `requestBudget`.
  defaultRate: { perSecond: 10, burst: 10 },
  optionsSchema: confluenceOptionsSchema,
  create(options: ConfluenceOptions, init: ConnectorInit): Connector {
    const logger = init.logger.child({ connector: "confluence" });
    const http = connectorHttp(init, {
      baseUrl: options.baseUrl,
      credentials: credentialsFromAuthBlock(options.auth, init),
      logger,
    });
    const api = new ConfluenceApi(http, {
      sourceId: init.sourceId,
      deployment: options.deployment,
      pageSize: options.pageSize,
    });
    return new ConfluenceConnector(options, init, api);
  },
};

/**
 * The clean-up module, imported on the first page that needs it: it loads cheerio, which a process
 * that never reads a page of this product (another source's run, a config check) should not load.
 */
let htmlCleanUp: Promise<typeof import("./confluence-html.js")> | undefined;
function loadHtmlCleanUp(): Promise<typeof import("./confluence-html.js")> {
  htmlCleanUp ??= import("./confluence-html.js");
  return htmlCleanUp;
}
