import { ConnectorError } from "../errors.js";
import { readCapped } from "../toolkit/bodies/read-capped.js";
import type { QueryValue, ToolkitHttpClient, ToolkitResponse } from "../toolkit/http/toolkit-http-client.js";
import {
  type Change,
  type ChangeList,
  type Channel,
  type DriveFile,
  FILE_FIELDS,
  type FileList,
  type StartPageToken,
} from "./drive-types.js";

/** Drive refuses to export a Google Doc above 10 MB (403 `exportSizeLimitExceeded`); no read goes past it. */
export const EXPORT_LIMIT_BYTES = 10 * 1024 * 1024;

/** The reasons Drive gives a 403 (or 429) that throttles rather than refuses. */
const THROTTLE_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded"]);

/** Drive's error body: `{ error: { code, message, errors: [{ domain, reason, message }] } }`. */
async function errorReasons(response: Response): Promise<string[]> {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { errors?: { reason?: unknown }[] } }
    | undefined;
  return (body?.error?.errors ?? []).flatMap((error) =>
    typeof error.reason === "string" ? [error.reason] : [],
  );
}

/**
 * For the toolkit's `throttled` hook: Drive answers per-user and per-project quota exhaustion with
 * 403 and reason `rateLimitExceeded`/`userRateLimitExceeded` (Google asks for exponential backoff),
 * while every other 403 is a refusal that no retry changes.
 */
export async function isDriveThrottle(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  return (await errorReasons(response)).some((reason) => THROTTLE_REASONS.has(reason));
}

/** Where a listing or change feed looks: one shared drive, or the user's corpus. */
export interface Corpus {
  /** A shared drive's id; undefined for the user's corpus (My Drive, shared with me). */
  driveId?: string;
  /** With the user's corpus: include items of shared drives too (folders configured inside them). */
  allDrives?: boolean;
}

/** One page of the change feed and the token that resumes after it. */
export interface ChangePage {
  changes: Change[];
  /** `nextPageToken` while pages remain, then `newStartPageToken`: both stay valid. */
  resumeToken: string;
}

/** A Google Doc Drive would not export (403 `exportSizeLimitExceeded`): the document fails, the run goes on. */
export class DriveExportTooLargeError extends Error {
  override readonly name = "DriveExportTooLargeError";
}

/** Drive API v3 over the toolkit's HTTP client: paths, parameters and `fields` in one place. */
export class DriveApi {
  constructor(
    private readonly http: ToolkitHttpClient,
    private readonly context: { sourceId: string; pageSize: number; credentialEnv: string },
  ) {}

  /** `files.list`, page by page; `q` in Drive's query language. */
  async *files(q: string, corpus: Corpus, signal: AbortSignal): AsyncGenerator<DriveFile[]> {
    let pageToken: string | undefined;
    do {
      signal.throwIfAborted();
      const { data } = await this.http.json<FileList>("drive/v3/files", {
        query: {
          q,
          ...this.corpusQuery(corpus, "files"),
          pageSize: this.context.pageSize,
          fields: `nextPageToken,files(${FILE_FIELDS})`,
          pageToken,
        },
        signal,
      });
      if (!data || (data.files !== undefined && !Array.isArray(data.files)))
        throw this.badResponse("files.list answered without a files array");
      yield data.files ?? [];
      pageToken = data.nextPageToken;
    } while (pageToken);
  }

  /**
   * The token that starts the change feed at "now" (`changes.getStartPageToken`). A shared drive the
   * service account cannot see answers 404: a config error for the run, never an empty drive.
   */
  async startPageToken(corpus: Corpus, signal: AbortSignal): Promise<string> {
    const response = await this.http.json<StartPageToken>("drive/v3/changes/startPageToken", {
      query: {
        supportsAllDrives: true,
        ...(corpus.driveId ? { driveId: corpus.driveId } : {}),
      },
      signal,
      allowStatuses: [404],
    });
    if (response.status === 404) throw this.driveNotFound(corpus.driveId);
    const token = response.data?.startPageToken;
    if (typeof token !== "string" || token === "")
      throw this.badResponse("changes.getStartPageToken answered without a startPageToken");
    return token;
  }

  /** `changes.list` from a token, page by page, until Drive hands out `newStartPageToken`. */
  async *changes(token: string, corpus: Corpus, signal: AbortSignal): AsyncGenerator<ChangePage> {
    let pageToken: string | undefined = token;
    while (pageToken !== undefined) {
      signal.throwIfAborted();
      const response: ToolkitResponse<ChangeList | undefined> = await this.http.json<ChangeList | undefined>(
        "drive/v3/changes",
        {
          query: {
            pageToken,
            ...this.corpusQuery(corpus, "changes"),
            pageSize: this.context.pageSize,
            fields: `nextPageToken,newStartPageToken,changes(changeType,fileId,removed,driveId,file(${FILE_FIELDS}))`,
          },
          signal,
          allowStatuses: [404],
        },
      );
      if (response.status === 404) throw this.driveNotFound(corpus.driveId);
      const data = response.data;
      const resumeToken = data?.nextPageToken ?? data?.newStartPageToken;
      if (!data || typeof resumeToken !== "string" || (data.changes && !Array.isArray(data.changes)))
        throw this.badResponse("changes.list answered without changes and a next or new start page token");
      yield { changes: data.changes ?? [], resumeToken };
      pageToken = data.nextPageToken;
    }
  }

  /** `files.get` with the fields this connector reads; undefined on 404 (deleted, or no access: Drive cannot tell). */
  async file(id: string, signal: AbortSignal): Promise<DriveFile | undefined> {
    const response = await this.http.json<DriveFile>(`drive/v3/files/${encodeURIComponent(id)}`, {
      query: { fields: FILE_FIELDS, supportsAllDrives: true },
      signal,
      allowStatuses: [404],
    });
    if (response.status === 404) return undefined;
    if (typeof response.data?.id !== "string" || typeof response.data.name !== "string")
      throw this.badResponse(`files.get ${id} answered without an id and name`);
    return response.data;
  }

  /** A Google Doc as HTML (`files.export`, mimeType text/html), read up to `maxBytes`. */
  async exportHtml(id: string, name: string, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
    const response = await this.http.send(`drive/v3/files/${encodeURIComponent(id)}/export`, {
      query: { mimeType: "text/html" },
      signal,
      allowStatuses: [403, 404],
    });
    if (response.status === 403) {
      const reasons = await errorReasons(response);
      if (reasons.includes("exportSizeLimitExceeded"))
        throw new DriveExportTooLargeError(
          `"${name}" is too large for Drive to export as HTML (exportSizeLimitExceeded: Docs export up to 10 MB); skipped`,
        );
      throw new ConnectorError(
        "auth",
        `source "${this.context.sourceId}": Drive refused to export "${name}" (${reasons.join(", ") || "403"}; service account key from env var ${this.context.credentialEnv})`,
        { sourceId: this.context.sourceId, status: 403, credentialEnv: this.context.credentialEnv },
      );
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`"${name}" vanished from Drive before it was exported`);
    }
    return readCapped(response, maxBytes, name);
  }

  /** A file's bytes (`files.get` with `alt=media`), read up to `maxBytes`. */
  async media(id: string, name: string, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
    const response = await this.http.download(`drive/v3/files/${encodeURIComponent(id)}`, {
      query: { alt: "media", supportsAllDrives: true },
      signal,
      allowStatuses: [404],
      maxBytes,
      documentName: name,
    });
    if (response.status === 404) throw new Error(`"${name}" vanished from Drive before it was read`);
    return response.data;
  }

  /** `changes.watch`: a web_hook channel on one corpus's change feed from `pageToken`. */
  async watch(
    pageToken: string,
    corpus: Corpus,
    channel: { id: string; address: string; token: string; expiration: number },
    signal: AbortSignal,
  ): Promise<Channel> {
    const response = await this.http.json<Channel>("drive/v3/changes/watch", {
      method: "POST",
      query: { pageToken, ...this.corpusQuery(corpus, "changes") },
      json: {
        id: channel.id,
        type: "web_hook",
        address: channel.address,
        token: channel.token,
        expiration: String(channel.expiration),
      },
      signal,
      // A repeated watch with the same channel id is refused as a duplicate: never resent blindly.
      idempotent: false,
    });
    if (typeof response.data?.resourceId !== "string")
      throw this.badResponse("changes.watch answered without a resourceId");
    return response.data;
  }

  /** `channels.stop`: Drive stops delivering to the channel. A channel already gone answers 404. */
  async stop(id: string, resourceId: string, signal: AbortSignal): Promise<void> {
    await this.http.text("drive/v3/channels/stop", {
      method: "POST",
      json: { id, resourceId },
      signal,
      allowStatuses: [404],
    });
  }

  private corpusQuery(corpus: Corpus, call: "files" | "changes"): Record<string, QueryValue> {
    if (corpus.driveId) {
      return {
        ...(call === "files" ? { corpora: "drive" } : {}),
        driveId: corpus.driveId,
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
      };
    }
    return {
      ...(call === "files" ? { corpora: corpus.allDrives ? "allDrives" : "user" } : {}),
      supportsAllDrives: true,
      includeItemsFromAllDrives: corpus.allDrives === true,
    };
  }

  private driveNotFound(driveId: string | undefined): ConnectorError {
    const { sourceId, credentialEnv } = this.context;
    return new ConnectorError(
      "config",
      `source "${sourceId}": Drive answered 404 for ${driveId ? `shared drive ${driveId}` : "the user's change feed"}: add the service account (key from env var ${credentialEnv}) as a member, or fix the id`,
      { sourceId, status: 404, credentialEnv },
    );
  }

  private badResponse(message: string): ConnectorError {
    return new ConnectorError("bad_response", `source "${this.context.sourceId}": ${message}`, {
      sourceId: this.context.sourceId,
    });
  }
}
