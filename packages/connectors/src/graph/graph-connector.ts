import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  DocumentMetadata,
  FetchedDocument,
  ListContext,
  ListedDocument,
  SourceEvent,
} from "../contract.js";
import { ConnectorError, isConnectorError } from "../errors.js";
import { fileUrl } from "../filesystem/url-template.js";
import { oauthClientCredentials } from "../toolkit/credentials/oauth-client-credentials.js";
import { readSecretEnv } from "../toolkit/credentials/secret-env.js";
import { FileScope } from "../toolkit/files/file-scope.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import { bodyFromBytes, canonicalMediaType, mediaTypeOfName } from "../toolkit/media-types/media-types.js";
import { GraphApi } from "./graph-api.js";
import { decodePartCursor, encodePartCursor } from "../toolkit/cursors/part-cursor.js";
import { GRAPH_SCOPE, type GraphOptions, graphOptionsSchema, tokenUrlOf } from "./graph-options.js";
import { DrivePaths } from "./graph-paths.js";
import { GraphPushHandler } from "./graph-push.js";
import { sitePageHtml } from "./graph-site-pages.js";
import type { GraphDrive, GraphDriveItem, GraphPage, GraphSitePage } from "./graph-types.js";
import { graphWebhook } from "./graph-webhook.js";

/** The cursor holds one `@odata.deltaLink` per drive id. */
const CURSOR_FIELD = "drives";

/** Prefix of a site page's external id: `sitepage:{siteId}:{pageId}`. Files are `{driveId}:{itemId}`. */
const SITE_PAGE = "sitepage:";

/** A drive the source reads, with the name shown as `space`. */
interface SourceDrive {
  id: string;
  name: string;
}

/** The drives resolved from `sites`, `users` and `drives`, and the parts Graph refused or lacks. */
interface ResolvedDrives {
  drives: SourceDrive[];
  failures: ConnectorError[];
}

type Mode = "full" | "changes";

const authorOf = (item: { lastModifiedBy?: GraphDriveItem["lastModifiedBy"] }) =>
  item.lastModifiedBy?.user?.displayName ?? item.lastModifiedBy?.application?.displayName ?? undefined;

const stemOf = (name: string) => {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
};

const dateOf = (value: string | null | undefined): Date | undefined => {
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
};

/**
 * SharePoint document libraries and OneDrive drives through Microsoft Graph v1.0, with an app's
 * client credentials.
 *
 * Listing and changes both read each drive's `root/delta`: without a token it enumerates the
 * drive, with the stored `@odata.deltaLink` it answers what changed since (items with a `deleted`
 * facet are Graph's own tombstones). Each drive is one part of the cursor: a drive that Graph
 * refuses or lacks is reported when the others are done, and its position is never overwritten, so
 * one failing library neither stops nor rewinds the others. Site pages (`sitePages`) have no change
 * feed: every run lists them, and their eTag versions skip unchanged ones.
 */
class GraphConnector implements Connector {
  readonly webhook = graphWebhook();
  readonly push: GraphPushHandler;
  readonly listChanges: Connector["listChanges"];
  private readonly scope: FileScope;
  private readonly scopeKey: string;

  constructor(
    private readonly options: GraphOptions,
    private readonly init: ConnectorInit,
    private readonly api: GraphApi,
    private readonly logger: Logger,
  ) {
    this.scope = new FileScope(options);
    this.listChanges = (cursor, ctx) => this.changes(cursor, ctx);
    this.push = new GraphPushHandler(
      api,
      {
        lifetimeDays: options.subscriptionDays,
        driveIds: async (signal) => {
          const { drives, failures } = await this.resolveDrives(signal);
          if (failures[0]) throw failures[0];
          return drives.map((drive) => drive.id);
        },
      },
      logger,
    );
    // Files outside the scope never reached the feed's answers: a cursor belongs to one scope.
    this.scopeKey = createHash("sha256")
      .update(
        JSON.stringify([
          options.baseUrl,
          options.folders,
          options.include,
          options.exclude,
          options.mediaTypes ?? null,
        ]),
      )
      .digest("hex")
      .slice(0, 16);
  }

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    const { drives, failures } = await this.resolveDrives(ctx.signal);
    const positions: Record<string, string> = {};
    for (const drive of drives) {
      try {
        positions[drive.id] = yield* this.driveEvents(drive, this.api.deltaStart(drive.id), "full", ctx);
        yield this.cursor(positions);
      } catch (error) {
        failures.push(this.partFailure(error, ctx));
      }
    }
    yield* this.sitePageEvents(failures, ctx);
    this.throwFailures(failures);
  }

  private async *changes(raw: string, ctx: ListContext): AsyncIterable<SourceEvent> {
    // A drive missing from the cursor has not finished a listing: its feed starts from the beginning.
    const { positions: deltaLinks } = decodePartCursor(raw, {
      scope: this.scopeKey,
      sourceId: this.init.sourceId,
      product: "SharePoint",
      field: CURSOR_FIELD,
    });
    const { drives, failures } = await this.resolveDrives(ctx.signal);
    // Every drive's first page before anything is yielded: a 410 on any of them must reach the
    // engine before the first event, so it can list everything in this run instead.
    const started: Array<{ drive: SourceDrive; first: GraphPage<GraphDriveItem>; mode: Mode }> = [];
    for (const drive of drives) {
      const link = deltaLinks[drive.id];
      try {
        const first = await this.api.deltaPage(drive.id, link ?? this.api.deltaStart(drive.id), ctx.signal);
        // A drive without a position (new in the config, or it failed its listing) is enumerated.
        started.push({ drive, first, mode: link === undefined ? "full" : "changes" });
      } catch (error) {
        if (isConnectorError(error) && error.kind === "cursor_expired") throw error;
        failures.push(this.partFailure(error, ctx));
      }
    }
    // Drives that failed (or that could not be resolved this time) keep their stored positions.
    const positions: Record<string, string> = { ...deltaLinks };
    for (const { drive, first, mode } of started) {
      try {
        positions[drive.id] = yield* this.driveEvents(drive, first, mode, ctx);
        yield this.cursor(positions);
      } catch (error) {
        failures.push(this.partFailure(error, ctx));
      }
    }
    yield* this.sitePageEvents(failures, ctx);
    this.throwFailures(failures);
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    let resolved: ResolvedDrives | undefined;
    const paths = new Map<string, DrivePaths>();
    for (const externalId of new Set(ids)) {
      ctx.signal.throwIfAborted();
      if (externalId.startsWith(SITE_PAGE)) {
        yield await this.fetchSitePage(externalId, ctx);
        continue;
      }
      const [driveId, itemId] = splitFileId(externalId);
      if (!driveId || !itemId) {
        yield { kind: "missing", externalId, reason: "not a SharePoint file id ({driveId}:{itemId})" };
        continue;
      }
      resolved ??= await this.resolveDrives(ctx.signal);
      const drive = resolved.drives.find((candidate) => candidate.id === driveId);
      if (!drive) {
        // A part refused or gone may be this id's drive: that is the source's failure, not the document's.
        this.throwFailures(resolved.failures);
        yield { kind: "missing", externalId, reason: `drive ${driveId} is not one this source reads now` };
        continue;
      }
      const item = await this.api.item(driveId, itemId, ctx.signal);
      if (!item) {
        // Graph answers 404 alike for a deleted item and for one the app may no longer read.
        yield {
          kind: "missing",
          externalId,
          reason: "Graph returned no item with this id (deleted, or not readable by the app)",
        };
        continue;
      }
      if (item.deleted) {
        yield { kind: "deleted", externalId };
        continue;
      }
      if (!item.file) {
        yield { kind: "missing", externalId, reason: "the item is not a file" };
        continue;
      }
      let drivePaths = paths.get(driveId);
      if (!drivePaths) {
        drivePaths = this.pathsOf(driveId, ctx.signal);
        paths.set(driveId, drivePaths);
      }
      yield (await this.fileEvent(drive, item, drivePaths, "changes", ctx)) ?? {
        kind: "deleted",
        externalId,
      };
    }
  }

  /** Resolves the configured sites, users and drives, one part at a time; refusals are collected. */
  private async resolveDrives(signal: AbortSignal): Promise<ResolvedDrives> {
    const drives = new Map<string, SourceDrive>();
    const failures: ConnectorError[] = [];
    const add = (drive: GraphDrive) => {
      if (drive.id && !drives.has(drive.id))
        drives.set(drive.id, { id: drive.id, name: drive.name ?? drive.id });
    };
    const part = async (what: string, resolve: () => Promise<void>) => {
      try {
        await resolve();
      } catch (error) {
        if (!isConnectorError(error)) throw error;
        failures.push(error);
        this.logger.warn({ part: what, err: error.message }, "sharepoint: a configured part cannot be read");
      }
    };
    for (const site of this.options.sites) {
      await part(`site ${site}`, async () => {
        const libraries = await this.api.siteDrives(site, signal);
        const wanted = this.options.libraries;
        for (const drive of libraries) if (!wanted || wanted.includes(drive.name ?? "")) add(drive);
      });
    }
    for (const user of this.options.users)
      await part(`user ${user}`, async () => add(await this.api.userDrive(user, signal)));
    for (const id of this.options.drives)
      await part(`drive ${id}`, async () => add(await this.api.drive(id, signal)));
    return { drives: [...drives.values()], failures };
  }

  /**
   * The events of one drive's delta from `start` (a link, or its first page already read) to its
   * `@odata.deltaLink`, which it returns. Folders only feed the paths; in a full listing `deleted`
   * items are history and skipped, in a change feed they are tombstones.
   */
  private async *driveEvents(
    drive: SourceDrive,
    start: string | GraphPage<GraphDriveItem>,
    mode: Mode,
    ctx: ListContext,
  ): AsyncGenerator<SourceEvent, string> {
    const paths = this.pathsOf(drive.id, ctx.signal);
    let page = typeof start === "string" ? await this.api.deltaPage(drive.id, start, ctx.signal) : start;
    for (;;) {
      for (const item of page.value ?? []) {
        if (!item.id) throw this.badItem(drive, "an item without an id");
        if (item.deleted) {
          if (mode === "changes") yield { kind: "deleted", externalId: `${drive.id}:${item.id}` };
          continue;
        }
        if (item.root || item.folder) {
          await paths.noteFolder(item);
          continue;
        }
        // Only files have content; OneNote notebooks and other packages are skipped.
        if (!item.file) continue;
        const event = await this.fileEvent(drive, item, paths, mode, ctx);
        if (event) yield event;
      }
      const deltaLink = page["@odata.deltaLink"];
      if (deltaLink) return deltaLink;
      const next = page["@odata.nextLink"];
      if (!next) throw this.badItem(drive, "a delta page without a next or delta link");
      page = await this.api.deltaPage(drive.id, next, ctx.signal);
    }
  }

  /**
   * The event of one file, or undefined when a full listing leaves it out. In a change feed (and a
   * fetch by id) a file that moved out of scope is `deleted`: Graph itself says where it is now.
   */
  private async fileEvent(
    drive: SourceDrive,
    item: GraphDriveItem,
    paths: DrivePaths,
    mode: Mode,
    ctx: ListContext,
  ): Promise<SourceEvent | undefined> {
    const externalId = `${drive.id}:${item.id}`;
    const name = item.name ?? "";
    const path = await paths.pathOf(item);
    if (path === undefined) {
      return {
        kind: "failed",
        externalId,
        error: new Error(`${name} in drive ${drive.name}: the folders above it cannot be read`),
      };
    }
    const mediaType =
      mediaTypeOfName(name) ?? (item.file?.mimeType ? canonicalMediaType(item.file.mimeType) : undefined);
    const inScope =
      this.inFolders(path) && this.scope.includesPath(path) && this.scope.includesMediaType(mediaType);
    if (!inScope || mediaType === undefined) {
      ctx.logger.debug({ path, mediaType: item.file?.mimeType }, "sharepoint: file out of scope");
      return mode === "changes" ? { kind: "deleted", externalId } : undefined;
    }
    return (
      this.scope.oversize(`${drive.name}/${path}`, item.size ?? undefined, externalId) ?? {
        kind: "document",
        document: this.listedFile(drive, item, externalId, path, mediaType),
      }
    );
  }

  private listedFile(
    drive: SourceDrive,
    item: GraphDriveItem,
    externalId: string,
    path: string,
    mediaType: string,
  ): ListedDocument {
    const name = item.name ?? "";
    const author = authorOf(item);
    const metadata: DocumentMetadata = {
      path,
      space: drive.name,
      type: mediaType,
      ...(author ? { author } : {}),
    };
    const updatedAt = dateOf(item.lastModifiedDateTime);
    const url = this.options.urlTemplate
      ? fileUrl(this.options.urlTemplate, path)
      : (item.webUrl ?? undefined);
    const version = versionOf(item, name, url);
    return {
      externalId,
      version,
      ...(updatedAt ? { updatedAt } : {}),
      metadata,
      load: async (signal?: AbortSignal): Promise<FetchedDocument> => {
        // DownloadTooLargeError names the file and its size; the engine reports it as failed.
        const data = await this.api.content(
          drive.id,
          item.id ?? "",
          { name: `${drive.name}/${path}`, maxBytes: this.options.maxFileSize },
          signal ?? new AbortController().signal,
        );
        const body = bodyFromBytes(data, { fileName: name, declaredMediaType: mediaType });
        if (!body) throw new Error(`${drive.name}/${path}: ${mediaType} cannot be converted`);
        return {
          externalId,
          version,
          title: stemOf(name),
          ...(url ? { url } : {}),
          ...(updatedAt ? { updatedAt } : {}),
          metadata,
          body,
        };
      },
    };
  }

  /** Site pages of every configured site (each run: pages have no change feed). */
  private async *sitePageEvents(failures: ConnectorError[], ctx: ListContext): AsyncGenerator<SourceEvent> {
    if (!this.options.sitePages) return;
    for (const site of this.options.sites) {
      try {
        for await (const pages of this.api.sitePages(site, ctx.signal))
          for (const page of pages)
            if (page.id) yield { kind: "document", document: this.listedPage(site, page) };
      } catch (error) {
        failures.push(this.partFailure(error, ctx));
      }
    }
  }

  private async fetchSitePage(externalId: string, ctx: ListContext): Promise<SourceEvent> {
    const rest = externalId.slice(SITE_PAGE.length);
    const at = rest.lastIndexOf(":");
    const site = rest.slice(0, at);
    const pageId = rest.slice(at + 1);
    if (at <= 0 || pageId === "") return { kind: "missing", externalId, reason: "not a site page id" };
    if (!this.options.sitePages || !this.options.sites.includes(site))
      return {
        kind: "missing",
        externalId,
        reason: `the pages of site ${site} are not synced by this source`,
      };
    const page = await this.api.sitePage(site, pageId, ctx.signal);
    if (!page?.id)
      return {
        kind: "missing",
        externalId,
        reason: "Graph returned no page with this id (deleted, or not readable)",
      };
    return { kind: "document", document: this.listedPage(site, page) };
  }

  private listedPage(site: string, page: GraphSitePage): ListedDocument {
    const externalId = `${SITE_PAGE}${site}:${page.id}`;
    const author = authorOf(page);
    const status = page.publishingState?.level ?? undefined;
    const metadata: DocumentMetadata = {
      path: page.name ?? page.id ?? "",
      space: site,
      type: "sitePage",
      ...(author ? { author } : {}),
      ...(status ? { status } : {}),
    };
    const version = page.eTag ?? page.lastModifiedDateTime ?? "";
    const updatedAt = dateOf(page.lastModifiedDateTime);
    return {
      externalId,
      version,
      ...(updatedAt ? { updatedAt } : {}),
      metadata,
      // The canvas is read only for pages whose version changed (the listing leaves it out).
      load: async (signal?: AbortSignal): Promise<FetchedDocument> => {
        const full = await this.api.sitePage(site, page.id ?? "", signal ?? new AbortController().signal);
        if (!full) throw new Error(`site page ${page.name ?? page.id} vanished before it was read`);
        const title = full.title ?? page.title ?? undefined;
        const url = full.webUrl ?? page.webUrl ?? undefined;
        return {
          externalId,
          version,
          ...(title ? { title } : {}),
          ...(url ? { url } : {}),
          ...(updatedAt ? { updatedAt } : {}),
          metadata,
          body: { kind: "html", html: sitePageHtml(full.canvasLayout) },
        };
      },
    };
  }

  private pathsOf(driveId: string, signal: AbortSignal): DrivePaths {
    return new DrivePaths((itemId) => this.api.item(driveId, itemId, signal));
  }

  private inFolders(path: string): boolean {
    return this.options.folders.some((folder) => folder === "" || path.startsWith(`${folder}/`));
  }

  private cursor(positions: Record<string, string>): SourceEvent {
    return {
      kind: "cursor",
      cursor: encodePartCursor({ scope: this.scopeKey, positions: { ...positions } }, CURSOR_FIELD),
    };
  }

  /** A part's failure, kept for the end of the run; cancellation and programming errors go straight up. */
  private partFailure(error: unknown, ctx: ListContext): ConnectorError {
    if (ctx.signal.aborted || !isConnectorError(error)) throw error;
    this.logger.warn({ err: error.message }, "sharepoint: a part of the source failed; the others go on");
    return error;
  }

  /** After every part had its turn: a listing with a failed part is incomplete, so it throws. */
  private throwFailures(failures: ConnectorError[]): void {
    const [first, ...others] = failures;
    if (!first) return;
    if (others.length === 0) throw first;
    throw new ConnectorError(
      first.kind,
      `${first.message} (and ${others.length} more: ${others.map((error) => error.message).join("; ")})`,
      {
        sourceId: this.init.sourceId,
        ...(first.status === undefined ? {} : { status: first.status }),
        ...(first.credentialEnv ? { credentialEnv: first.credentialEnv } : {}),
        cause: first,
      },
    );
  }

  private badItem(drive: SourceDrive, what: string): ConnectorError {
    return new ConnectorError(
      "bad_response",
      `source "${this.init.sourceId}": drive ${drive.name} answered ${what}`,
      {
        sourceId: this.init.sourceId,
      },
    );
  }
}

/**
 * The content tag (cTag changes with the content only; eTag also with every column edit, share or
 * check-out, which would download the file again for nothing), plus the name and URL the page
 * shows, so a rename or a move updates the page's title and link.
 */
function versionOf(item: GraphDriveItem, name: string, url: string | undefined): string {
  const tag = item.cTag ?? item.eTag ?? "";
  if (tag === "") return "";
  const shown = createHash("sha256")
    .update(`${name}\n${url ?? ""}`)
    .digest("hex")
    .slice(0, 12);
  return `${tag}|${shown}`;
}

/** `{driveId}:{itemId}`: Graph's drive and item ids hold no colon. */
function splitFileId(externalId: string): [string | undefined, string | undefined] {
  const at = externalId.indexOf(":");
  return at <= 0 ? [undefined, undefined] : [externalId.slice(0, at), externalId.slice(at + 1) || undefined];
}

/** The `sharepoint` connector type (SharePoint Online libraries and pages, OneDrive for Business). */
export const graphConnector: ConnectorDefinition<GraphOptions> = {
  type: "sharepoint",
  // SharePoint throttles per app and tenant by resource units (~1,250/min for small tenants, a
  // delta or item read costs 1–2): 10 per second stays clear of it; 429s are honoured on top.
  defaultRate: { perSecond: 10, burst: 10 },
  optionsSchema: graphOptionsSchema,
  create(options: GraphOptions, init: ConnectorInit): Connector {
    const logger = init.logger.child({ connector: "sharepoint" });
    const clientSecret = readSecretEnv(init.env, options.clientSecretEnv, {
      sourceId: init.sourceId,
      option: "clientSecretEnv",
    });
    const credentials = oauthClientCredentials({
      sourceId: init.sourceId,
      tokenUrl: options.tokenUrl ?? tokenUrlOf(options.tenantId),
      clientId: options.clientId,
      clientSecret,
      scope: GRAPH_SCOPE,
      credentialEnv: options.clientSecretEnv,
    });
    const graph = connectorHttp(init, { baseUrl: options.baseUrl, credentials, logger });
    // Pre-authenticated download URLs: the same budget and network, no credentials.
    const downloads = connectorHttp(init, { baseUrl: options.baseUrl, logger, timeoutMs: 120_000 });
    const api = new GraphApi(
      graph,
      downloads,
      { sourceId: init.sourceId, pageSize: options.pageSize },
      logger,
    );
    return new GraphConnector(options, init, api, logger);
  },
};
