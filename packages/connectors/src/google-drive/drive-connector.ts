import { createHash } from "node:crypto";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  FetchedDocument,
  ListContext,
  ListedDocument,
  SourceEvent,
} from "../contract.js";
import { ConnectorError } from "../errors.js";
import { fileUrl } from "../filesystem/url-template.js";
import {
  googleServiceAccount,
  parseServiceAccountKey,
} from "../toolkit/credentials/google-service-account.js";
import { readSecretEnv } from "../toolkit/credentials/secret-env.js";
import { FileScope } from "../toolkit/files/file-scope.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import { bodyFromBytes } from "../toolkit/media-types/media-types.js";
import { type Corpus, DriveApi, EXPORT_LIMIT_BYTES, isDriveThrottle } from "./drive-api.js";
import { decodePartCursor, encodePartCursor, partCursorExpired } from "../toolkit/cursors/part-cursor.js";
import {
  isFolder,
  isGoogleDoc,
  mediaTypeOfFile,
  metadataOf,
  sizeOf,
  titleOf,
  updatedAtOf,
  versionOf,
} from "./drive-documents.js";
import { type GoogleDriveOptions, googleDriveOptionsSchema } from "./drive-options.js";
import { type DrivePart, DrivePush } from "./drive-push.js";
import { DriveTree } from "./drive-tree.js";
import { type Change, type DriveFile, FOLDER_MIME_TYPE } from "./drive-types.js";
import { googleDriveWebhook } from "./drive-webhook.js";

/** The cursor holds one page token per part (`drive:<id>`, `user`). */
const CURSOR_FIELD = "tokens";

export const DRIVE_READONLY_SCOPE = "https://www.googleapis.com/auth/drive.readonly";
const USER_PART = "user";
const MY_DRIVE = "My Drive";

/** Where a file in scope sits: the path the globs match and the space it is grouped under. */
interface Location {
  path: string;
  space: string;
}

/**
 * Google Drive (API v3) through the toolkit's HTTP client, as a service account.
 *
 * The source has parts, each with its own change feed: every configured shared drive, and the
 * user's corpus behind `folders` and `myDrive`. A full listing first takes a start page token per
 * part (so what changes while it lists is in the next incremental run), then lists shared drives
 * and My Drive folders first, files second (so paths come from known folders), and walks the
 * configured folders down. Incremental runs read each part's change feed from its token.
 */
class GoogleDriveConnector implements Connector {
  readonly listChanges: Connector["listChanges"];
  readonly webhook = googleDriveWebhook();
  readonly push: DrivePush;
  private readonly scope: FileScope;
  private readonly drives: ReadonlySet<string>;
  private readonly tree: DriveTree;
  private readonly parts: DrivePart[];
  private readonly scopeKey: string;

  constructor(
    private readonly options: GoogleDriveOptions,
    private readonly init: ConnectorInit,
    private readonly api: DriveApi,
  ) {
    this.scope = new FileScope(options);
    this.drives = new Set(options.drives);
    this.tree = new DriveTree(api, new Set([...options.drives, ...options.folders]));
    this.parts = options.drives.map((driveId) => ({ key: `drive:${driveId}`, corpus: { driveId } }));
    if (options.folders.length > 0 || options.myDrive) {
      // Configured folders may lie in shared drives: the user's feed then covers those too.
      this.parts.push({ key: USER_PART, corpus: { allDrives: options.folders.length > 0 } });
    }
    this.push = new DrivePush(api, this.parts, {
      sourceId: init.sourceId,
      channelHours: options.channelHours,
      logger: init.logger,
    });
    this.listChanges = (cursor, ctx) => this.changes(cursor, ctx);
    // A cursor belongs to one scope: other drives or folders bring other files into view.
    this.scopeKey = createHash("sha256")
      .update(
        JSON.stringify([
          options.baseUrl,
          options.subject ?? "",
          [...options.drives].sort(),
          [...options.folders].sort(),
          options.myDrive,
        ]),
      )
      .digest("hex")
      .slice(0, 16);
  }

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    // Tokens first: a change made while the listing runs is then in the next incremental run.
    const tokens: Record<string, string> = {};
    for (const part of this.parts) tokens[part.key] = await this.api.startPageToken(part.corpus, ctx.signal);
    const seen = new Set<string>();
    for (const driveId of this.options.drives) yield* this.listCorpus({ driveId }, seen, ctx);
    for (const folderId of this.options.folders) yield* this.listFolder(folderId, seen, ctx);
    if (this.options.myDrive) yield* this.listCorpus({}, seen, ctx);
    yield {
      kind: "cursor",
      cursor: encodePartCursor({ scope: this.scopeKey, positions: tokens }, CURSOR_FIELD),
    };
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    for (const id of new Set(ids)) {
      ctx.signal.throwIfAborted();
      const file = /^[A-Za-z0-9_-]+$/.test(id) ? await this.api.file(id, ctx.signal) : undefined;
      if (!file) {
        yield {
          kind: "missing",
          externalId: id,
          // Drive answers 404 alike for a deleted file and for one the service account cannot see.
          reason: "Drive returned no file with this id (deleted, or not shared with the service account)",
        };
      } else if (file.trashed) {
        yield { kind: "deleted", externalId: id };
      } else if (isFolder(file)) {
        yield { kind: "missing", externalId: id, reason: "this Drive id is a folder, not a file" };
      } else {
        // Readable but outside the configured drives and folders (moved out) or left out by the
        // options: Drive itself says where it is now, so the page goes.
        yield (await this.event(file, ctx)) ?? { kind: "deleted", externalId: id };
      }
    }
  }

  /** A shared drive or the user's corpus: every folder first (for paths), then every other file. */
  private async *listCorpus(
    corpus: Corpus,
    seen: Set<string>,
    ctx: ListContext,
  ): AsyncGenerator<SourceEvent> {
    for await (const page of this.api.files(
      `mimeType = '${FOLDER_MIME_TYPE}' and trashed = false`,
      corpus,
      ctx.signal,
    ))
      for (const folder of page) this.tree.remember(folder);
    for await (const page of this.api.files(
      `mimeType != '${FOLDER_MIME_TYPE}' and trashed = false`,
      corpus,
      ctx.signal,
    )) {
      for (const file of page) {
        if (seen.has(file.id)) continue;
        seen.add(file.id);
        const event = await this.event(file, ctx);
        if (event) yield event;
      }
    }
  }

  /** A configured folder and its subfolders, level by level (`'<id>' in parents`). */
  private async *listFolder(
    folderId: string,
    seen: Set<string>,
    ctx: ListContext,
  ): AsyncGenerator<SourceEvent> {
    const root = await this.api.file(folderId, ctx.signal);
    if (!root || root.trashed || !isFolder(root)) {
      throw new ConnectorError(
        "config",
        `source "${this.init.sourceId}": Drive folder ${folderId} ${root ? "is not a folder, or is in the trash" : "was not found: share it with the service account or fix the id"}`,
        { sourceId: this.init.sourceId, credentialEnv: this.options.serviceAccountKeyEnv },
      );
    }
    this.tree.remember(root);
    const queue = [folderId];
    const visited = new Set<string>();
    for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
      if (visited.has(folder)) continue;
      visited.add(folder);
      for await (const page of this.api.files(
        `'${folder}' in parents and trashed = false`,
        { allDrives: true },
        ctx.signal,
      )) {
        for (const file of page) {
          if (isFolder(file)) {
            this.tree.remember(file);
            queue.push(file.id);
            continue;
          }
          if (seen.has(file.id)) continue;
          seen.add(file.id);
          const event = await this.event(file, ctx);
          if (event) yield event;
        }
      }
    }
  }

  private async *changes(raw: string, ctx: ListContext): AsyncIterable<SourceEvent> {
    const expected = {
      scope: this.scopeKey,
      sourceId: this.init.sourceId,
      product: "Google Drive",
      field: CURSOR_FIELD,
    };
    const tokens = decodePartCursor(raw, expected).positions;
    // Every part needs its page token: a part without one cannot say where its changes start.
    const untracked = this.parts.find((part) => tokens[part.key] === undefined);
    if (untracked) throw partCursorExpired(expected, `has no page token for ${untracked.key}`);
    for (const part of this.parts) {
      const token = tokens[part.key] ?? "";
      for await (const page of this.api.changes(token, part.corpus, ctx.signal)) {
        const latest = latestPerFile(page.changes);
        // Folders first: a file's place is decided with the folder renames and moves of its page.
        for (const change of latest) {
          if (change.removed && change.fileId) this.tree.forget(change.fileId);
          else if (change.file && isFolder(change.file)) this.tree.remember(change.file);
        }
        for (const change of latest) {
          const event = await this.changeEvent(change, part, ctx);
          if (event) yield event;
        }
        if (part.key === USER_PART && this.options.folders.length > 0) {
          for (const change of latest)
            if (change.file && isFolder(change.file) && !this.inConfiguredDrive(change))
              yield* this.folderContents(change.file, ctx);
        }
        // Each page's token resumes after it, so a later part failing keeps this part's progress.
        tokens[part.key] = page.resumeToken;
        yield {
          kind: "cursor",
          cursor: encodePartCursor({ scope: this.scopeKey, positions: { ...tokens } }, CURSOR_FIELD),
        };
      }
    }
  }

  /**
   * Drive reports a moved, renamed or trashed folder as a change of the folder alone: the files
   * below it get none, though they may have left the configured folders (or entered them). So a
   * folder's change re-reads what lies below it (trashed items included) and places each file
   * again: out of scope or in the trash → deleted, else a document whose unchanged version costs
   * the engine nothing.
   */
  private async *folderContents(folder: DriveFile, ctx: ListContext): AsyncGenerator<SourceEvent> {
    const queue = [folder.id];
    const visited = new Set<string>();
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      if (visited.has(id)) continue;
      visited.add(id);
      for await (const page of this.api.files(`'${id}' in parents`, { allDrives: true }, ctx.signal)) {
        for (const file of page) {
          if (isFolder(file)) {
            this.tree.remember(file);
            queue.push(file.id);
          } else if (file.trashed) yield { kind: "deleted", externalId: file.id };
          else yield (await this.event(file, ctx)) ?? { kind: "deleted", externalId: file.id };
        }
      }
    }
  }

  private inConfiguredDrive(change: Change): boolean {
    const driveId = change.driveId ?? change.file?.driveId;
    return driveId !== undefined && this.drives.has(driveId);
  }

  /**
   * One change as an event. `removed` (deleted for good, or access lost) and the trash are Drive's
   * own word that the file is gone. Otherwise the change carries the file's current state, its
   * `parents` included: a file whose parents no longer lead to a configured folder was moved out of
   * scope, and is deleted like one the options now leave out.
   */
  private async changeEvent(
    change: Change,
    part: DrivePart,
    ctx: ListContext,
  ): Promise<SourceEvent | undefined> {
    if (change.changeType === "drive" || !change.fileId) return undefined;
    // The user's feed also reports files of shared drives; a configured drive's own part owns them.
    if (part.key === USER_PART && this.inConfiguredDrive(change)) return undefined;
    if (change.removed) return { kind: "deleted", externalId: change.fileId };
    const file = change.file;
    if (!file) {
      ctx.logger.warn({ fileId: change.fileId }, "drive: a change without removed or file; skipped");
      return undefined;
    }
    if (isFolder(file)) return undefined;
    if (file.trashed) return { kind: "deleted", externalId: file.id };
    return (await this.event(file, ctx)) ?? { kind: "deleted", externalId: file.id };
  }

  /** Where a file lies in scope: below a configured folder or in a shared drive, else in My Drive when synced. */
  private async locate(file: DriveFile, signal: AbortSignal): Promise<Location | undefined> {
    const placed = await this.tree.place(file, signal);
    const path = [...placed.folders, file.name].join("/");
    if (placed.root !== undefined) {
      const space = this.drives.has(placed.root)
        ? placed.root
        : ((await this.tree.name(placed.root, signal)) ?? placed.root);
      return { path, space };
    }
    if (file.driveId && this.drives.has(file.driveId)) return { path, space: file.driveId };
    if (this.options.myDrive && !file.driveId) return { path, space: MY_DRIVE };
    return undefined;
  }

  /** The listing event of a file in scope, or undefined when it is out of scope or the options leave it out. */
  private async event(file: DriveFile, ctx: ListContext): Promise<SourceEvent | undefined> {
    const location = await this.locate(file, ctx.signal);
    if (!location || !this.scope.includesPath(location.path)) return undefined;
    const mediaType = mediaTypeOfFile(file);
    if (!this.scope.includesMediaType(mediaType)) {
      ctx.logger.debug(
        { fileId: file.id, path: location.path, mimeType: file.mimeType },
        "drive: media type not synced (Sheets, Slides and other Google types have no conversion)",
      );
      return undefined;
    }
    return (
      this.scope.oversize(location.path, sizeOf(file), file.id) ?? {
        kind: "document",
        document: this.listed(file, location, mediaType),
      }
    );
  }

  private listed(file: DriveFile, location: Location, mediaType: string): ListedDocument {
    const version = versionOf(file);
    const updatedAt = updatedAtOf(file);
    const metadata = metadataOf(file, { ...location, mediaType });
    const url = this.options.urlTemplate
      ? fileUrl(this.options.urlTemplate, location.path)
      : file.webViewLink;
    return {
      externalId: file.id,
      version,
      ...(updatedAt ? { updatedAt } : {}),
      metadata,
      load: async (signal?: AbortSignal): Promise<FetchedDocument> => {
        const abort = signal ?? new AbortController().signal;
        // DownloadTooLargeError and the export limit name the file; the engine reports it as failed.
        const body = isGoogleDoc(file)
          ? {
              kind: "html" as const,
              html: new TextDecoder().decode(
                await this.api.exportHtml(
                  file.id,
                  location.path,
                  Math.min(EXPORT_LIMIT_BYTES, this.scope.maxFileSize),
                  abort,
                ),
              ),
            }
          : bodyFromBytes(await this.api.media(file.id, location.path, this.scope.maxFileSize, abort), {
              fileName: file.name,
              declaredMediaType: mediaType,
            });
        if (!body) throw new Error(`${location.path}: ${mediaType} cannot be converted`);
        return {
          externalId: file.id,
          version,
          title: titleOf(file),
          ...(url ? { url } : {}),
          ...(updatedAt ? { updatedAt } : {}),
          metadata,
          body,
        };
      },
    };
  }
}

/** A file changed twice in one page appears twice: its last change is its state. */
function latestPerFile(changes: readonly Change[]): Change[] {
  const last = new Map<string, Change>();
  const other: Change[] = [];
  for (const change of changes) {
    if (change.fileId) {
      last.delete(change.fileId);
      last.set(change.fileId, change);
    } else other.push(change);
  }
  return [...other, ...last.values()];
}

/** The `google-drive` connector type. */
export const googleDriveConnector: ConnectorDefinition<GoogleDriveOptions> = {
  type: "google-drive",
  // Drive's default quota is 12,000 queries a minute per project and per user; the source shares it
  // with every other app of the project, so it keeps to a tenth of it.
  defaultRate: { perSecond: 20, burst: 20 },
  optionsSchema: googleDriveOptionsSchema,
  create(options: GoogleDriveOptions, init: ConnectorInit): Connector {
    const logger = init.logger.child({ connector: "google-drive" });
    const credentialEnv = options.serviceAccountKeyEnv;
    const raw = readSecretEnv(init.env, credentialEnv, {
      sourceId: init.sourceId,
      option: "serviceAccountKeyEnv",
    });
    const credentials = googleServiceAccount({
      sourceId: init.sourceId,
      key: parseServiceAccountKey(raw, init.sourceId, credentialEnv),
      scopes: [DRIVE_READONLY_SCOPE],
      ...(options.subject ? { subject: options.subject } : {}),
      ...(options.tokenUrl ? { tokenUrl: options.tokenUrl } : {}),
      credentialEnv,
    });
    const http = connectorHttp(init, {
      baseUrl: options.baseUrl,
      credentials,
      throttled: isDriveThrottle,
      logger,
    });
    const api = new DriveApi(http, { sourceId: init.sourceId, pageSize: options.pageSize, credentialEnv });
    return new GoogleDriveConnector(options, { ...init, logger }, api);
  },
};
