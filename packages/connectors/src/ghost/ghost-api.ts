import { ConnectorError, isConnectorError } from "../errors.js";
import type { ToolkitHttpClient, ToolkitResponse } from "../toolkit/http/toolkit-http-client.js";
import type { GhostResource } from "./ghost-options.js";
import type { GhostBrowse, GhostPagination, GhostPost } from "./ghost-types.js";

export interface GhostBrowseQuery {
  /** NQL filter; parts are combined with `+` (and). */
  filter: string[];
  order: string;
}

export interface GhostPage {
  items: GhostPost[];
  pagination: GhostPagination;
  /** Server clock from the Date header, for cursors that ignore local clock skew. */
  serverTime: Date | undefined;
}

/** Most ids per `id:[…]` filter, to keep URLs short. */
const IDS_PER_REQUEST = 50;

/**
 * Browse endpoints of Ghost's Content API (`/ghost/api/content/`, `?key=`) or Admin API
 * (`/ghost/api/admin/`, `Authorization: Ghost <jwt>` from the caller's credential provider), with
 * `limit`/`page` pagination driven by `meta.pagination`.
 */
export class GhostApi {
  constructor(
    private readonly http: ToolkitHttpClient,
    private readonly where: {
      sourceId: string;
      api: "content" | "admin";
      contentKey?: string;
      pageSize: number;
    },
  ) {}

  async *browse(
    resource: GhostResource,
    query: GhostBrowseQuery,
    signal: AbortSignal,
  ): AsyncGenerator<GhostPage> {
    for (let page = 1; ; ) {
      const result = await this.request(resource, { ...query, page, limit: this.where.pageSize }, signal);
      yield result;
      const next = result.pagination.next;
      if (next === null || next === undefined || next <= page || result.items.length === 0) return;
      page = next;
    }
  }

  /** Posts or pages with these ids that match the filter; missing ids do not exist (or are out of scope). */
  async byIds(
    resource: GhostResource,
    ids: readonly string[],
    filter: string[],
    signal: AbortSignal,
  ): Promise<GhostPost[]> {
    const found: GhostPost[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_REQUEST) {
      const chunk = ids.slice(start, start + IDS_PER_REQUEST);
      const { items } = await this.request(
        resource,
        { filter: [`id:[${chunk.join(",")}]`, ...filter], order: "id asc", page: 1, limit: chunk.length },
        signal,
      );
      found.push(...items);
    }
    return found;
  }

  /**
   * The Content API takes its key only as `?key=`; errors carry the request URL, so the key is cut
   * out of it before the error travels on (messages only name origin and path).
   */
  private withoutKey(error: unknown): unknown {
    if (!isConnectorError(error) || !error.url || !this.where.contentKey) return error;
    const url = new URL(error.url);
    if (!url.searchParams.has("key")) return error;
    url.searchParams.set("key", "redacted");
    return new ConnectorError(error.kind, error.message, {
      sourceId: error.sourceId,
      url: url.href,
      ...(error.credentialEnv ? { credentialEnv: error.credentialEnv } : {}),
      ...(error.status !== undefined ? { status: error.status } : {}),
    });
  }

  private async request(
    resource: GhostResource,
    query: GhostBrowseQuery & { page: number; limit: number },
    signal: AbortSignal,
  ): Promise<GhostPage> {
    const response: ToolkitResponse<GhostBrowse | undefined> = await this.http
      .json<GhostBrowse | undefined>(`ghost/api/${this.where.api}/${resource}/`, {
        query: {
          ...(this.where.contentKey ? { key: this.where.contentKey } : {}),
          formats: "html",
          include: "tags,authors",
          limit: query.limit,
          page: query.page,
          order: query.order,
          ...(query.filter.length > 0 ? { filter: query.filter.join("+") } : {}),
        },
        signal,
      })
      .catch((error: unknown) => {
        throw this.withoutKey(error);
      });
    const items = response.data?.[resource];
    const pagination = response.data?.meta?.pagination;
    if (!Array.isArray(items) || !pagination || typeof pagination.total !== "number") {
      throw new ConnectorError(
        "bad_response",
        `source "${this.where.sourceId}": Ghost ${resource} answer lacks "${resource}" or meta.pagination`,
        { sourceId: this.where.sourceId, status: response.status },
      );
    }
    const date = response.headers.get("date");
    const serverTime = date ? new Date(date) : undefined;
    return {
      items,
      pagination,
      serverTime: serverTime && !Number.isNaN(serverTime.getTime()) ? serverTime : undefined,
    };
  }
}
