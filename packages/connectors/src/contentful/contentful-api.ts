import { ConnectorError } from "../errors.js";
import type {
  ToolkitHttpClient,
  ToolkitRequest,
  ToolkitResponse,
} from "../toolkit/http/toolkit-http-client.js";
import type {
  ContentfulCollection,
  ContentfulEntity,
  ContentfulLocale,
  ContentfulLocaleCollection,
  ContentfulSyncPage,
} from "./contentful-types.js";

/** Where a sync starts: a fresh initial sync (optionally filtered) or a stored sync token. */
export type SyncStart =
  | { initial: true; type?: "Entry" | "DeletedEntry"; contentType?: string }
  | { syncToken: string };

export interface SyncPageResult {
  items: ContentfulEntity[];
  /** Present on the last page: the token to start the next delta sync from. */
  nextSyncToken?: string;
}

export interface CollectionPageResult {
  collection: ContentfulCollection;
  /** Server clock from the response's Date header, used for skew-free cursors. */
  serverTime: Date | undefined;
}

/** Most `sys.id[in]` values per request, to keep URLs well under proxy limits. */
const IDS_PER_REQUEST = 50;

/**
 * The few Delivery/Preview API endpoints the connector uses, over the toolkit HTTP client (retries, auth errors).
 * Everything is requested with all locales so one shape covers sync items and collections.
 */
export class ContentfulApi {
  private readonly environmentPath: string;

  private readonly pageSize: number;

  constructor(
    private readonly http: ToolkitHttpClient,
    private readonly where: { sourceId: string; spaceId: string; environment: string; pageSize: number },
  ) {
    this.environmentPath = `spaces/${encodeURIComponent(where.spaceId)}/environments/${encodeURIComponent(where.environment)}`;
    this.pageSize = where.pageSize;
  }

  /**
   * Pages of one sync. `nextPageUrl`/`nextSyncUrl` are absolute URLs on Contentful's host; only their
   * `sync_token` is kept and the next request goes to the configured base URL, so the access token
   * is never sent to a host taken from a response.
   */
  async *syncPages(start: SyncStart, signal: AbortSignal): AsyncGenerator<SyncPageResult> {
    let query: ToolkitRequest["query"] =
      "syncToken" in start
        ? { sync_token: start.syncToken }
        : { initial: true, limit: this.pageSize, type: start.type, content_type: start.contentType };
    for (;;) {
      const response: ToolkitResponse<ContentfulSyncPage | undefined> = await this.http.json(
        `${this.environmentPath}/sync`,
        { query, signal },
      );
      const { data, url } = response;
      if (!data || !Array.isArray(data.items)) {
        throw this.badResponse("sync answered without an items array", url);
      }
      if (data.nextPageUrl) {
        yield { items: data.items };
        query = { sync_token: this.tokenOf(data.nextPageUrl, url) };
        continue;
      }
      if (!data.nextSyncUrl) throw this.badResponse("sync page has neither nextPageUrl nor nextSyncUrl", url);
      yield { items: data.items, nextSyncToken: this.tokenOf(data.nextSyncUrl, url) };
      return;
    }
  }

  /** Skip/limit pages of `/entries` with all locales and one level of includes. */
  async *entryPages(
    filter: Record<string, string | undefined>,
    signal: AbortSignal,
  ): AsyncGenerator<CollectionPageResult> {
    for (let skip = 0; ; ) {
      const page = await this.collection(
        "entries",
        { ...filter, locale: "*", include: 2, limit: this.pageSize, skip },
        signal,
      );
      yield page;
      skip += page.collection.items.length;
      if (page.collection.items.length === 0 || skip >= page.collection.total) return;
    }
  }

  /** Entries by id; ids missing from the answer do not exist (or are not visible to this token). */
  async entriesByIds(ids: readonly string[], signal: AbortSignal): Promise<ContentfulCollection[]> {
    return this.byIds("entries", ids, signal);
  }

  async assetsByIds(ids: readonly string[], signal: AbortSignal): Promise<ContentfulCollection[]> {
    return this.byIds("assets", ids, signal);
  }

  async locales(signal: AbortSignal): Promise<ContentfulLocale[]> {
    const { data, url } = await this.http.json<ContentfulLocaleCollection>(
      `${this.environmentPath}/locales`,
      {
        signal,
      },
    );
    if (!data || !Array.isArray(data.items)) throw this.badResponse("locales answered without items", url);
    return data.items;
  }

  private async byIds(
    resource: "entries" | "assets",
    ids: readonly string[],
    signal: AbortSignal,
  ): Promise<ContentfulCollection[]> {
    const pages: ContentfulCollection[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_REQUEST) {
      const chunk = ids.slice(start, start + IDS_PER_REQUEST);
      const { collection } = await this.collection(
        resource,
        { "sys.id[in]": chunk.join(","), locale: "*", include: 2, limit: chunk.length },
        signal,
      );
      pages.push(collection);
    }
    return pages;
  }

  private async collection(
    resource: "entries" | "assets",
    query: Record<string, string | number | undefined>,
    signal: AbortSignal,
  ): Promise<CollectionPageResult> {
    const { data, url, headers } = await this.http.json<ContentfulCollection>(
      `${this.environmentPath}/${resource}`,
      {
        query,
        signal,
      },
    );
    if (!data || !Array.isArray(data.items) || typeof data.total !== "number") {
      throw this.badResponse(`${resource} answered without items and total`, url);
    }
    const date = headers.get("date");
    const serverTime = date ? new Date(date) : undefined;
    return {
      collection: data,
      serverTime: serverTime && !Number.isNaN(serverTime.getTime()) ? serverTime : undefined,
    };
  }

  private tokenOf(nextUrl: string, requestUrl: string): string {
    let token: string | null = null;
    try {
      token = new URL(nextUrl).searchParams.get("sync_token");
    } catch {
      token = null;
    }
    if (!token) throw this.badResponse(`sync returned a next URL without sync_token: ${nextUrl}`, requestUrl);
    return token;
  }

  private badResponse(message: string, url: string): ConnectorError {
    return new ConnectorError(
      "bad_response",
      `source "${this.where.sourceId}": Contentful space "${this.where.spaceId}": ${message}`,
      { sourceId: this.where.sourceId, url },
    );
  }
}
