import { ConnectorError } from "../errors.js";
import type { ToolkitHttpClient, ToolkitRequest } from "../toolkit/http/toolkit-http-client.js";
import type { V1Content, V1ContentArray, V2List } from "./confluence-types.js";

/** The v1 expansions every listing asks for: what scoping and metadata need, in one call. */
export const V1_EXPAND = [
  "space",
  "history",
  "version",
  "ancestors",
  "metadata.labels",
  "restrictions.read.restrictions.user",
  "restrictions.read.restrictions.group",
].join(",");

export interface Paged<T> {
  results: T[];
  /** `_links.base` of the answer: the site's wiki URL, for canonical links. */
  base: string | undefined;
  /** Server clock from the Date header. */
  serverTime: Date | undefined;
}

/**
 * Requests to one Confluence deployment. Cloud answers v2 under `wiki/api/v2/` and v1 under
 * `wiki/rest/api/` of the site or gateway root; Data Center answers v1 under `rest/api/` of its base URL
 * (context path included). Paths are relative so the base URL's path is kept.
 */
export class ConfluenceApi {
  readonly v1: string;

  constructor(
    readonly http: ToolkitHttpClient,
    private readonly where: { sourceId: string; deployment: "cloud" | "datacenter"; pageSize: number },
  ) {
    this.v1 = where.deployment === "cloud" ? "wiki/rest/api/" : "rest/api/";
  }

  /**
   * A v2 list, page by page: the `Link` header's `rel="next"` (or `_links.next`) is followed as given,
   * relative to the site root; the cursor inside stays opaque.
   */
  async *v2List<T>(
    path: string,
    query: ToolkitRequest["query"],
    signal: AbortSignal,
  ): AsyncGenerator<Paged<T>> {
    let next: string | undefined = `wiki/api/v2/${path}`;
    let first = true;
    while (next) {
      const response: { data: V2List<T> | undefined; headers: Headers; status: number } =
        await this.http.json<V2List<T> | undefined>(next, {
          ...(first ? { query: { limit: this.where.pageSize, ...query } } : {}),
          signal,
        });
      first = false;
      const results = response.data?.results;
      if (!Array.isArray(results)) throw this.badResponse(path, response.status);
      yield { results, base: response.data?._links?.base, serverTime: serverTime(response.headers) };
      next = nextFromLink(response.headers.get("link")) ?? response.data?._links?.next;
    }
  }

  /**
   * A v1 list (`content`, `content/search`, `content/{id}/child/…`). Cloud's search pages with an
   * opaque cursor inside `_links.next`, which is followed as given (under `wiki/`); Data Center pages
   * with `start`/`limit`, advanced by the answer's `size` while `_links.next` says more remain.
   */
  async *v1List(
    path: string,
    query: ToolkitRequest["query"],
    signal: AbortSignal,
  ): AsyncGenerator<Paged<V1Content>> {
    const limit = this.where.pageSize;
    let start = 0;
    let next: string | undefined;
    for (;;) {
      const target =
        next && this.where.deployment === "cloud" ? `wiki/${next.replace(/^\//, "")}` : `${this.v1}${path}`;
      const request: ToolkitRequest["query"] =
        next && this.where.deployment === "cloud" ? undefined : { ...query, start, limit };
      const response = await this.http.json<V1ContentArray | undefined>(target, {
        ...(request ? { query: request } : {}),
        signal,
      });
      const results = response.data?.results;
      if (!Array.isArray(results)) throw this.badResponse(path, response.status);
      yield { results, base: response.data?._links?.base, serverTime: serverTime(response.headers) };
      next = response.data?._links?.next;
      if (!next || results.length === 0) return;
      start += response.data?.size ?? results.length;
    }
  }

  /** One item by id; undefined on 404 (never proof of deletion by itself). */
  async one<T>(
    path: string,
    query: ToolkitRequest["query"],
    signal: AbortSignal,
  ): Promise<(T & { _links?: { base?: string } }) | undefined> {
    const response = await this.http.json<T & { _links?: { base?: string } }>(path, {
      ...(query ? { query } : {}),
      signal,
      allowStatuses: [404],
    });
    return response.status === 404 ? undefined : response.data;
  }

  private badResponse(path: string, status: number): ConnectorError {
    return new ConnectorError(
      "bad_response",
      `source "${this.where.sourceId}": Confluence ${path} answer has no "results" list`,
      { sourceId: this.where.sourceId, status },
    );
  }
}

/** `</wiki/api/v2/pages?cursor=…>; rel="next", <https://site/wiki>; rel="base"` → the next link. */
export function nextFromLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function serverTime(headers: Headers): Date | undefined {
  const date = headers.get("date");
  const parsed = date ? new Date(date) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : undefined;
}
