import { FileScope } from "../toolkit/files/file-scope.js";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  FetchedDocument,
  ListContext,
  ListedDocument,
  SourceEvent,
} from "../contract.js";
import { fileUrl } from "../filesystem/url-template.js";
import { readCapped } from "../toolkit/bodies/read-capped.js";
import { credentialsFromAuthBlock } from "../toolkit/credentials/auth-block.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import { bodyFromBytes, canonicalMediaType, mediaTypeOfName } from "../toolkit/media-types/media-types.js";
import { type DavEntry, WebdavClient } from "./webdav-client.js";
import { type WebdavOptions, webdavOptionsSchema } from "./webdav-options.js";

const FILE_ID_PREFIX = "fileid:";
const PATH_PREFIX = "path:";

/**
 * The version of a file: the ETag without its weak marker plus the size. Apache hands out `W/"…"`
 * for a file changed within the last second and the same tag strong a moment later; keeping the
 * `W/` would make an unchanged file look changed once.
 */
export function davVersion(entry: DavEntry): string {
  const etag = entry.etag?.replace(/^W\//, "") ?? "";
  if (etag !== "") return `${etag}:${entry.size ?? ""}`;
  // No ETag (rare): mtime and size are the next cheapest marker.
  return `${entry.lastModified?.toISOString() ?? ""}:${entry.size ?? ""}`;
}

/** Nextcloud's `oc:fileid` survives renames and moves, so the page follows the file; the path otherwise. */
export const davExternalId = (entry: DavEntry): string =>
  entry.fileId ? `${FILE_ID_PREFIX}${entry.fileId}` : `${PATH_PREFIX}${entry.path}`;

class WebdavConnector implements Connector {
  private readonly scope: FileScope;

  constructor(
    private readonly options: WebdavOptions,
    private readonly client: WebdavClient,
  ) {
    this.scope = new FileScope(options);
  }

  /**
   * Every file under the configured folders, collection by collection (`Depth: 1`). Any refusal or
   * error throws: a partial listing would let the engine delete what it did not see. WebDAV has no
   * change feed, so deletions come from the engine reconciling this complete listing.
   */
  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    const seen = new Set<string>();
    for await (const entry of this.walk(ctx)) {
      const id = davExternalId(entry);
      if (seen.has(id)) continue;
      seen.add(id);
      const event = this.event(entry, ctx);
      if (event) yield event;
    }
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    const found = new Map<string, DavEntry>();
    // A file id cannot be looked up with plain WebDAV: walk the scope once for all of them.
    if (ids.some((id) => id.startsWith(FILE_ID_PREFIX))) {
      for await (const entry of this.walk(ctx)) found.set(davExternalId(entry), entry);
    }
    for (const id of ids) {
      if (found.has(id) || !id.startsWith(PATH_PREFIX)) continue;
      const [entry] = await this.client.propfind(id.slice(PATH_PREFIX.length), "0", ctx.signal, false);
      if (entry && !entry.collection && davExternalId(entry) === id) found.set(id, entry);
    }
    for (const id of ids) {
      const entry = found.get(id);
      const event = entry && this.inFolders(entry.path) ? this.event(entry, ctx) : undefined;
      if (event) yield event;
      else
        yield {
          kind: "missing",
          externalId: id,
          reason: "the WebDAV server listed no file with this id in scope",
        };
    }
  }

  private async *walk(ctx: ListContext): AsyncGenerator<DavEntry> {
    const queue = [...this.options.folders];
    const visited = new Set<string>();
    for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
      if (visited.has(folder)) continue;
      visited.add(folder);
      for (const entry of await this.client.propfind(folder, "1", ctx.signal)) {
        if (entry.collection) queue.push(entry.path);
        else yield entry;
      }
    }
  }

  private inFolders(path: string): boolean {
    return this.options.folders.some((folder) => folder === "" || path.startsWith(`${folder}/`));
  }

  /** The listing event of a file, or undefined when the options leave it out (debug-logged). */
  private event(entry: DavEntry, ctx: ListContext): SourceEvent | undefined {
    if (!this.scope.includesPath(entry.path)) return undefined;
    const name = entry.path.split("/").at(-1) ?? entry.path;
    const mediaType =
      mediaTypeOfName(name) ?? (entry.contentType ? canonicalMediaType(entry.contentType) : undefined);
    if (!this.scope.includesMediaType(mediaType)) {
      ctx.logger.debug({ path: entry.path, mediaType: entry.contentType }, "webdav: media type not synced");
      return undefined;
    }
    const externalId = davExternalId(entry);
    return (
      this.scope.oversize(entry.path, entry.size, externalId) ?? {
        kind: "document",
        document: this.listed(entry, externalId, mediaType),
      }
    );
  }

  private listed(entry: DavEntry, externalId: string, mediaType: string): ListedDocument {
    const segments = entry.path.split("/");
    const name = segments.at(-1) ?? entry.path;
    const metadata = {
      path: entry.path,
      type: mediaType,
      ...(segments.length > 1 ? { space: segments[0] } : {}),
    };
    const version = davVersion(entry);
    return {
      externalId,
      version,
      ...(entry.lastModified ? { updatedAt: entry.lastModified } : {}),
      metadata,
      load: async (signal?: AbortSignal): Promise<FetchedDocument> => {
        const response = await this.client.get(entry.path, signal ?? new AbortController().signal);
        if (!response) throw new Error(`${entry.path} vanished from the WebDAV server before it was read`);
        // DownloadTooLargeError names the file and its size; the engine reports it as failed.
        const data = await readCapped(response, this.options.maxFileSize, entry.path);
        const body = bodyFromBytes(data, { fileName: name, declaredMediaType: mediaType });
        if (!body) throw new Error(`${entry.path}: ${mediaType} cannot be converted`);
        return {
          externalId,
          version,
          title: name.replace(/\.[^.]+$/, ""),
          url: this.options.urlTemplate ? fileUrl(this.options.urlTemplate, entry.path) : entry.href,
          ...(entry.lastModified ? { updatedAt: entry.lastModified } : {}),
          metadata,
          body,
        };
      },
    };
  }
}

/** The `webdav` connector type. */
export const webdavConnector: ConnectorDefinition<WebdavOptions> = {
  type: "webdav",
  // WebDAV servers document no limit (Nextcloud throttles brute force only): a polite default.
  defaultRate: { perSecond: 5 },
  optionsSchema: webdavOptionsSchema,
  create(options: WebdavOptions, init: ConnectorInit): Connector {
    const logger = init.logger.child({ connector: "webdav" });
    const http = connectorHttp(init, {
      baseUrl: options.url,
      credentials: credentialsFromAuthBlock(options.auth, init),
      logger,
    });
    return new WebdavConnector(options, new WebdavClient(http, options.url, init.sourceId));
  },
};
