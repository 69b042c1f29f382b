import {
  APIErrorCode,
  APIResponseError,
  type BlockObjectResponse,
  Client,
  type DatabaseObjectResponse,
  type DataSourceObjectResponse,
  isFullBlock,
  isFullPage,
  type PageObjectResponse,
  RequestTimeoutError,
  UnknownHTTPResponseError,
} from "@notionhq/client";
import type { Logger } from "pino";
import { ConnectorError, type ConnectorErrorKind, isConnectorError } from "../errors.js";
import type { ToolkitHttpClient } from "../toolkit/http/toolkit-http-client.js";
import { notionClientOptions } from "../toolkit/sdk/notion-client-options.js";

/**
 * The Notion-Version this connector speaks, pinned rather than left to the SDK's default: the
 * 2025-09-03 "data sources" model (databases hold data sources; rows are queried per data source).
 * A newer SDK must not silently change the shapes this connector reads.
 */
export const NOTION_VERSION = "2025-09-03";

/**
 * The SDK wraps each call (the toolkit's retries and `Retry-After` waits included) in its own
 * timeout; the toolkit already bounds every attempt, so this only has to outlast its retries.
 */
const SDK_TIMEOUT_MS = 10 * 60_000;

/** Codes Notion answers for a transient condition (529 `service_overload` among them). */
const TRANSIENT = new Set<string>([
  APIErrorCode.InternalServerError,
  APIErrorCode.ServiceOverload,
  APIErrorCode.ServiceUnavailable,
  APIErrorCode.GatewayTimeout,
  APIErrorCode.ConflictError,
]);

/** One page of a Notion list answer. */
export interface NotionList<T> {
  results: T[];
  next_cursor: string | null;
  has_more: boolean;
}

/**
 * `@notionhq/client` inside the toolkit (budget, retries honouring `Retry-After` on 429/529, the
 * bearer credential, redaction), with Notion's error codes turned into ConnectorErrors. Calls whose
 * target may legitimately be absent (a page by id) return undefined on `object_not_found`.
 */
export class NotionApi {
  readonly client: Client;

  constructor(
    private readonly http: ToolkitHttpClient,
    private readonly context: { sourceId: string; baseUrl: string; tokenEnv: string; pageSize: number },
    logger: Logger,
  ) {
    this.client = new Client({
      ...notionClientOptions(http, logger),
      baseUrl: context.baseUrl,
      notionVersion: NOTION_VERSION,
      timeoutMs: SDK_TIMEOUT_MS,
    });
  }

  /** Every page shared with the integration, most recently edited first (`POST /v1/search`). */
  async *searchPages(signal: AbortSignal): AsyncGenerator<PageObjectResponse[]> {
    let cursor: string | undefined;
    do {
      signal.throwIfAborted();
      const page = await this.call("search the pages shared with the integration", () =>
        this.client.search({
          filter: { property: "object", value: "page" },
          sort: { timestamp: "last_edited_time", direction: "descending" },
          page_size: this.context.pageSize,
          ...(cursor ? { start_cursor: cursor } : {}),
        }),
      );
      yield page.results.filter(isFullPage);
      cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
    } while (cursor);
  }

  /** The pages of one data source (`POST /v1/data_sources/{id}/query`), trash excluded by Notion. */
  async *queryDataSource(id: string, signal: AbortSignal): AsyncGenerator<PageObjectResponse[]> {
    let cursor: string | undefined;
    do {
      signal.throwIfAborted();
      const page = await this.call(`query data source ${id}`, () =>
        this.client.dataSources.query({
          data_source_id: id,
          page_size: this.context.pageSize,
          ...(cursor ? { start_cursor: cursor } : {}),
        }),
      );
      yield page.results.filter(isFullPage);
      cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
    } while (cursor);
  }

  /** A database with the data sources it holds; undefined when absent or not shared. */
  async database(id: string): Promise<DatabaseObjectResponse | undefined> {
    const found = await this.optional(`read database ${id}`, () =>
      this.client.databases.retrieve({ database_id: id }),
    );
    return found && "data_sources" in found ? found : undefined;
  }

  async dataSource(id: string): Promise<DataSourceObjectResponse | undefined> {
    const found = await this.optional(`read data source ${id}`, () =>
      this.client.dataSources.retrieve({ data_source_id: id }),
    );
    return found && "title" in found ? found : undefined;
  }

  /** A page by id; undefined when Notion answers 404 (deleted, or never shared: it cannot tell). */
  async page(id: string): Promise<PageObjectResponse | undefined> {
    const found = await this.optional(`read page ${id}`, () => this.client.pages.retrieve({ page_id: id }));
    return found && isFullPage(found) ? found : undefined;
  }

  async block(id: string): Promise<BlockObjectResponse | undefined> {
    const found = await this.optional(`read block ${id}`, () =>
      this.client.blocks.retrieve({ block_id: id }),
    );
    return found && isFullBlock(found) ? found : undefined;
  }

  /** The direct children of a block or page, every page of them (`GET /v1/blocks/{id}/children`). */
  async children(id: string, signal: AbortSignal): Promise<BlockObjectResponse[]> {
    const blocks: BlockObjectResponse[] = [];
    let cursor: string | undefined;
    do {
      signal.throwIfAborted();
      const page = await this.call(`read the content of ${id}`, () =>
        this.client.blocks.children.list({
          block_id: id,
          page_size: this.context.pageSize,
          ...(cursor ? { start_cursor: cursor } : {}),
        }),
      );
      blocks.push(...page.results.filter(isFullBlock));
      cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
    } while (cursor);
    return blocks;
  }

  /** Like `call`, but 404 `object_not_found` and 403 `restricted_resource` resolve to undefined. */
  async optional<T>(what: string, send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(what, send);
    } catch (error) {
      if (isConnectorError(error) && (error.status === 404 || error.status === 403)) return undefined;
      throw error;
    }
  }

  /** Sends one SDK call; Notion's error codes become ConnectorErrors naming the source and the call. */
  async call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.mapError(what, error);
    }
  }

  private mapError(what: string, error: unknown): unknown {
    if (isConnectorError(error)) return error;
    const { sourceId, tokenEnv } = this.context;
    if (error instanceof RequestTimeoutError) {
      return new ConnectorError(
        "unavailable",
        `source "${sourceId}": Notion did not answer in time to ${what}`,
        {
          sourceId,
          cause: error,
        },
      );
    }
    if (!(error instanceof APIResponseError) && !(error instanceof UnknownHTTPResponseError)) return error;
    const code = String(error.code);
    const kind: ConnectorErrorKind =
      code === APIErrorCode.Unauthorized || code === APIErrorCode.RestrictedResource
        ? "auth"
        : code === APIErrorCode.RateLimited
          ? "rate_limited"
          : TRANSIENT.has(code) || error.status >= 500
            ? "unavailable"
            : "bad_response";
    const hint =
      kind === "auth"
        ? ` (integration token from env var ${tokenEnv}; is the content shared with the integration?)`
        : "";
    return new ConnectorError(
      kind,
      this.http.redact(
        `source "${sourceId}": could not ${what} in Notion: ${error.status} ${code}: ${error.message}${hint}`,
      ),
      {
        sourceId,
        status: error.status,
        ...(kind === "auth" ? { credentialEnv: tokenEnv } : {}),
      },
    );
  }
}
