import { randomUUID } from "node:crypto";
import type {
  BlockObjectResponse,
  DatabaseObjectResponse,
  DataSourceObjectResponse,
  GetBlockResponse,
  GetDatabaseResponse,
  GetDataSourceResponse,
  GetPageResponse,
  ListBlockChildrenResponse,
  PageObjectResponse,
  QueryDataSourceResponse,
  RichTextItemResponse,
  SearchResponse,
} from "@notionhq/client";
import {
  cursorPageOf,
  type FixtureReply,
  type FixtureRequest,
  FixtureServer,
} from "../../src/testing/index.js";

/**
 * A local Notion API (Notion-Version 2025-09-03, the data-sources model) whose answers are typed with
 * `@notionhq/client`'s own `…Response` types, so the compiler holds them to Notion's declarations:
 * `POST /v1/search`, `POST /v1/data_sources/{id}/query` (with the `last_edited_time` timestamp
 * filter), `GET /v1/data_sources/{id}`, `GET /v1/databases/{id}`, `GET /v1/pages/{id}`,
 * `GET /v1/blocks/{id}` and `GET /v1/blocks/{id}/children`, paged with `start_cursor` / `page_size`
 * (max 100) / `has_more` / `next_cursor`. Errors are Notion's `{ object: "error", status, code,
 * message }`; unknown and unshared objects answer 404 `object_not_found`, as Notion does. Times are
 * rounded down to the minute, as Notion rounds `last_edited_time`.
 */

const USER = { object: "user", id: "6794760a-1f15-45cd-9c65-0dfe42f5135a" } as const;

export type BlockType = BlockObjectResponse["type"];
type BlockOf<T extends BlockType> = Extract<BlockObjectResponse, { type: T }>;
type ContentOf<T extends BlockType> =
  BlockOf<T> extends infer B ? (B extends Record<T, infer C> ? C : never) : never;

/** A block to put on a page, with its children (served from `/v1/blocks/{id}/children`). */
export interface BlockSpec {
  type: BlockType;
  content: unknown;
  children?: BlockSpec[];
}

export function block<T extends BlockType>(
  type: T,
  content: ContentOf<T>,
  children?: BlockSpec[],
): BlockSpec {
  return { type, content, ...(children ? { children } : {}) };
}

interface Annotations {
  bold?: boolean;
  italic?: boolean;
  strikethrough?: boolean;
  underline?: boolean;
  code?: boolean;
}

export function text(
  content: string,
  annotations: Annotations = {},
  href: string | null = null,
): RichTextItemResponse {
  return {
    type: "text",
    text: { content, link: href ? { url: href } : null },
    annotations: {
      bold: false,
      italic: false,
      strikethrough: false,
      underline: false,
      code: false,
      color: "default",
      ...annotations,
    },
    plain_text: content,
    href,
  };
}

export const paragraph = (...rich: RichTextItemResponse[]): BlockSpec =>
  block("paragraph", { rich_text: rich, color: "default", icon: null });

export type FixtureParent = { page: string } | { dataSource: string } | { block: string } | "workspace";

export interface FixturePage {
  title: string;
  parent?: FixtureParent;
  content?: BlockSpec[];
  tags?: string[];
  status?: string;
  publicUrl?: string;
}

interface StoredDataSource {
  source: DataSourceObjectResponse;
  databaseId: string;
}

function notionError(status: number, code: string, message: string): FixtureReply {
  return { status, json: { object: "error", status, code, message, request_id: randomUUID() } };
}

const minute = (date: Date) => new Date(Math.floor(date.getTime() / 60_000) * 60_000).toISOString();

export class NotionFixture {
  readonly pages = new Map<string, PageObjectResponse>();
  readonly blocks = new Map<string, BlockObjectResponse>();
  /** Children of pages and blocks, in order. */
  readonly children = new Map<string, string[]>();
  readonly databases = new Map<string, DatabaseObjectResponse>();
  readonly dataSources = new Map<string, StoredDataSource>();
  /** Pages and databases the integration cannot see: 404 like anything unknown. */
  readonly unshared = new Set<string>();
  /** Pages search has not indexed yet (Notion's search trails edits and new shares). */
  readonly unindexed = new Set<string>();
  /** Fixture clock; `last_edited_time` is it rounded down to the minute. */
  now = new Date("2026-03-02T09:00:30.000Z");

  private constructor(readonly server: FixtureServer) {}

  static async start(token: string): Promise<NotionFixture> {
    const server = await FixtureServer.start();
    server.requireAuth(
      (request) => request.headers.authorization === `Bearer ${token}`,
      notionError(401, "unauthorized", "API token is invalid."),
    );
    const fixture = new NotionFixture(server);
    fixture.routes();
    return fixture;
  }

  get url(): string {
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** Moves the clock forward. */
  tick(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  addPage(spec: FixturePage): string {
    const id = randomUUID();
    const edited = minute(this.now);
    const parent = this.parentOf(spec.parent ?? "workspace");
    const page: PageObjectResponse = {
      object: "page",
      id,
      created_time: edited,
      last_edited_time: edited,
      in_trash: false,
      archived: false,
      is_archived: false,
      is_locked: false,
      url: "",
      public_url: spec.publicUrl ?? null,
      parent,
      properties: {},
      icon: null,
      cover: null,
      created_by: USER,
      last_edited_by: USER,
    };
    this.pages.set(id, page);
    this.setProperties(page, spec);
    this.setContent(id, spec.content ?? []);
    return id;
  }

  /** A database with one data source, under a page or the workspace. */
  addDatabase(title: string, parentPage?: string): { databaseId: string; dataSourceId: string } {
    const databaseId = randomUUID();
    const dataSourceId = randomUUID();
    const edited = minute(this.now);
    const parent = parentPage
      ? ({ type: "page_id", page_id: parentPage } as const)
      : ({ type: "workspace", workspace: true } as const);
    this.databases.set(databaseId, {
      object: "database",
      id: databaseId,
      title: [text(title)],
      description: [],
      parent,
      is_inline: false,
      in_trash: false,
      archived: false,
      is_locked: false,
      created_time: edited,
      last_edited_time: edited,
      data_sources: [{ id: dataSourceId, name: title }],
      icon: null,
      cover: null,
      url: `https://www.notion.so/${databaseId.replace(/-/g, "")}`,
      public_url: null,
    });
    this.dataSources.set(dataSourceId, {
      databaseId,
      source: {
        object: "data_source",
        id: dataSourceId,
        title: [text(title)],
        description: [],
        parent: { type: "database_id", database_id: databaseId },
        database_parent: parent,
        is_inline: false,
        in_trash: false,
        archived: false,
        created_time: edited,
        last_edited_time: edited,
        created_by: USER,
        last_edited_by: USER,
        properties: {},
        icon: null,
        cover: null,
        url: `https://www.notion.so/${dataSourceId.replace(/-/g, "")}`,
        public_url: null,
      },
    });
    return { databaseId, dataSourceId };
  }

  /** An edit: title, tags or content replaced, `last_edited_time` moved to now. */
  edit(id: string, change: Partial<FixturePage>): void {
    const page = this.page(id);
    if (change.parent) page.parent = this.parentOf(change.parent);
    this.setProperties(page, { title: change.title ?? this.titleOf(page), ...change });
    if (change.content) this.setContent(id, change.content);
    page.last_edited_time = minute(this.now);
  }

  /** To the trash: still readable by id with `in_trash: true`, gone from search and queries. */
  trash(id: string): void {
    const page = this.page(id);
    page.in_trash = true;
    page.archived = true;
    page.last_edited_time = minute(this.now);
  }

  /** Deleted from the trash for good (or unshared): 404 everywhere. */
  purge(id: string): void {
    this.pages.delete(id);
  }

  private page(id: string): PageObjectResponse {
    const page = this.pages.get(id);
    if (!page) throw new Error(`no fixture page ${id}`);
    return page;
  }

  private titleOf(page: PageObjectResponse): string {
    const title = Object.values(page.properties).find((property) => property.type === "title");
    return title?.type === "title" ? title.title.map((item) => item.plain_text).join("") : "";
  }

  private parentOf(parent: FixtureParent): PageObjectResponse["parent"] {
    if (parent === "workspace") return { type: "workspace", workspace: true };
    if ("page" in parent) return { type: "page_id", page_id: parent.page };
    if ("block" in parent) return { type: "block_id", block_id: parent.block };
    const source = this.dataSources.get(parent.dataSource);
    if (!source) throw new Error(`no fixture data source ${parent.dataSource}`);
    return { type: "data_source_id", data_source_id: parent.dataSource, database_id: source.databaseId };
  }

  private setProperties(page: PageObjectResponse, spec: FixturePage): void {
    const inDatabase = page.parent.type === "data_source_id";
    page.properties = {
      [inDatabase ? "Name" : "title"]: { id: "title", type: "title", title: [text(spec.title)] },
      ...(spec.tags
        ? {
            Tags: {
              id: "tags",
              type: "multi_select",
              multi_select: spec.tags.map((name) => ({ id: name, name, color: "default" as const })),
            },
          }
        : {}),
      ...(spec.status
        ? {
            Status: {
              id: "status",
              type: "status",
              status: { id: spec.status, name: spec.status, color: "green" },
            },
          }
        : {}),
    };
    const slug = spec.title.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
    page.url = `https://www.notion.so/${slug ? `${slug}-` : ""}${page.id.replace(/-/g, "")}`;
    if (spec.publicUrl !== undefined) page.public_url = spec.publicUrl;
  }

  private setContent(parentId: string, specs: BlockSpec[]): void {
    for (const old of this.children.get(parentId) ?? []) this.blocks.delete(old);
    const ids: string[] = [];
    for (const spec of specs) {
      const id = randomUUID();
      const edited = minute(this.now);
      const parent = this.pages.has(parentId)
        ? ({ type: "page_id", page_id: parentId } as const)
        : ({ type: "block_id", block_id: parentId } as const);
      // The spec's content was checked against this block type by `block()`.
      const created = {
        object: "block",
        id,
        type: spec.type,
        [spec.type]: spec.content,
        parent,
        created_time: edited,
        created_by: USER,
        last_edited_time: edited,
        last_edited_by: USER,
        has_children: (spec.children?.length ?? 0) > 0,
        in_trash: false,
        archived: false,
      } as unknown as BlockObjectResponse;
      this.blocks.set(id, created);
      ids.push(id);
      if (spec.children) this.setContent(id, spec.children);
    }
    this.children.set(parentId, ids);
  }

  private visiblePage(id: string): PageObjectResponse | undefined {
    return this.unshared.has(id) ? undefined : this.pages.get(id);
  }

  /** `page_size` as Notion checks it: 1–100, default 100. */
  private pageSize(value: unknown): number | FixtureReply {
    if (value === undefined || value === null) return 100;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 100)
      return notionError(
        400,
        "validation_error",
        "body failed validation: body.page_size should be ≤ `100`.",
      );
    return value;
  }

  private body(request: FixtureRequest): { json: Record<string, unknown> } | { error: FixtureReply } {
    if (request.body === "") return { json: {} };
    try {
      return { json: JSON.parse(request.body) as Record<string, unknown> };
    } catch {
      return { error: notionError(400, "invalid_json", "Error parsing JSON body.") };
    }
  }

  private routes(): void {
    const server = this.server;
    const versioned = (handler: (request: FixtureRequest) => FixtureReply) => (request: FixtureRequest) => {
      if (!request.headers["notion-version"])
        return notionError(
          400,
          "missing_version",
          "Notion-Version header failed validation: Notion-Version should be defined.",
        );
      return handler(request);
    };

    server.route(
      "POST",
      "/v1/search",
      versioned((request) => {
        const parsed = this.body(request);
        if ("error" in parsed) return parsed.error;
        const body = parsed.json;
        const size = this.pageSize(body.page_size);
        if (typeof size !== "number") return size;
        const filter = body.filter as { property?: string; value?: string } | undefined;
        const sort = body.sort as { direction?: string } | undefined;
        const pages = filter?.value === "data_source" ? [] : [...this.pages.values()];
        const found = pages
          .filter((page) => !page.in_trash && !this.unshared.has(page.id) && !this.unindexed.has(page.id))
          .sort(
            (a, b) =>
              (sort?.direction === "ascending" ? 1 : -1) *
                a.last_edited_time.localeCompare(b.last_edited_time) || a.id.localeCompare(b.id),
          );
        const { items, nextCursor } = cursorPageOf(found, body.start_cursor as string | undefined, size);
        const answer: SearchResponse = {
          type: "page_or_data_source",
          page_or_data_source: {},
          object: "list",
          next_cursor: nextCursor ?? null,
          has_more: nextCursor !== undefined,
          results: items,
        };
        return { json: answer };
      }),
    );

    server.route(
      "POST",
      "/v1/data_sources/:id/query",
      versioned((request) => {
        const id = request.params.id ?? "";
        if (!this.dataSources.has(id) || this.unshared.has(id))
          return notionError(
            404,
            "object_not_found",
            `Could not find data_source with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
          );
        const parsed = this.body(request);
        if ("error" in parsed) return parsed.error;
        const body = parsed.json;
        const size = this.pageSize(body.page_size);
        if (typeof size !== "number") return size;
        const filter = body.filter as
          | { timestamp?: string; last_edited_time?: { on_or_after?: string } }
          | undefined;
        const after = filter?.last_edited_time?.on_or_after;
        const rows = [...this.pages.values()]
          .filter((page) => page.parent.type === "data_source_id" && page.parent.data_source_id === id)
          .filter((page) => (body.in_trash === true ? page.in_trash : !page.in_trash))
          .filter((page) => !after || page.last_edited_time >= minute(new Date(after)))
          .sort((a, b) => b.created_time.localeCompare(a.created_time) || a.id.localeCompare(b.id));
        const { items, nextCursor } = cursorPageOf(rows, body.start_cursor as string | undefined, size);
        const answer: QueryDataSourceResponse = {
          type: "page_or_data_source",
          page_or_data_source: {},
          object: "list",
          next_cursor: nextCursor ?? null,
          has_more: nextCursor !== undefined,
          results: items,
        };
        return { json: answer };
      }),
    );

    server.route(
      "GET",
      "/v1/data_sources/:id",
      versioned((request) => {
        const id = request.params.id ?? "";
        const stored = this.unshared.has(id) ? undefined : this.dataSources.get(id);
        if (!stored)
          return notionError(404, "object_not_found", `Could not find data_source with ID: ${id}.`);
        const answer: GetDataSourceResponse = stored.source;
        return { json: answer };
      }),
    );

    server.route(
      "GET",
      "/v1/databases/:id",
      versioned((request) => {
        const id = request.params.id ?? "";
        const database = this.unshared.has(id) ? undefined : this.databases.get(id);
        if (!database) return notionError(404, "object_not_found", `Could not find database with ID: ${id}.`);
        const answer: GetDatabaseResponse = database;
        return { json: answer };
      }),
    );

    server.route(
      "GET",
      "/v1/pages/:id",
      versioned((request) => {
        const id = request.params.id ?? "";
        const page = this.visiblePage(id);
        if (!page)
          return notionError(
            404,
            "object_not_found",
            `Could not find page with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
          );
        const answer: GetPageResponse = page;
        return { json: answer };
      }),
    );

    server.route(
      "GET",
      "/v1/blocks/:id/children",
      versioned((request) => {
        const id = request.params.id ?? "";
        if (!this.blocks.has(id) && !this.visiblePage(id))
          return notionError(404, "object_not_found", `Could not find block with ID: ${id}.`);
        const size = this.pageSize(
          request.query.has("page_size") ? Number(request.query.get("page_size")) : undefined,
        );
        if (typeof size !== "number") return size;
        const blocks = (this.children.get(id) ?? []).flatMap((child) => {
          const found = this.blocks.get(child);
          return found ? [found] : [];
        });
        const { items, nextCursor } = cursorPageOf(blocks, request.query.get("start_cursor"), size);
        const answer: ListBlockChildrenResponse = {
          type: "block",
          block: {},
          object: "list",
          next_cursor: nextCursor ?? null,
          has_more: nextCursor !== undefined,
          results: items,
        };
        return { json: answer };
      }),
    );

    server.route(
      "GET",
      "/v1/blocks/:id",
      versioned((request) => {
        const id = request.params.id ?? "";
        const found = this.blocks.get(id);
        if (!found) return notionError(404, "object_not_found", `Could not find block with ID: ${id}.`);
        const answer: GetBlockResponse = found;
        return { json: answer };
      }),
    );
  }
}

export { notionError };
