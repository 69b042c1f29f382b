import { z } from "zod";

/** Notion ids are UUIDs, written with or without dashes (as they appear at the end of page URLs). */
const notionId = z
  .string()
  .regex(
    /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
    "must be a Notion id (32 hex digits, dashes optional)",
  );

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

/** Options of a `notion` source. The integration token is referenced by env var name. */
export const notionOptionsSchema = z.strictObject({
  /** Env var holding the internal integration token (`ntn_…` / `secret_…`). */
  tokenEnv: envName,
  /** API root. Default `https://api.notion.com`; tests point it at a fixture. */
  baseUrl: z.url({ protocol: /^https?$/ }).default("https://api.notion.com"),
  /**
   * Data sources (2025-09-03 model: the tables inside a database) whose pages are synced, queried
   * with `POST /v1/data_sources/{id}/query`. Default none.
   */
  dataSources: z.array(notionId).default([]),
  /** Databases whose every data source is synced (`GET /v1/databases/{id}` lists them). Default none. */
  databases: z.array(notionId).default([]),
  /** Root pages to sync. Default none. Without any of dataSources/databases/pages: every shared page. */
  pages: z.array(notionId).default([]),
  /** With `pages`: their sub-pages too, at any depth. Default true. */
  includeChildPages: z.boolean().default(true),
  /**
   * Cite the page's `public_url` (Share → Publish to web) when it has one, else its `url` (needs
   * a Notion login). Default false: always `url`.
   */
  preferPublicUrl: z.boolean().default(false),
  /** Results per request (`page_size`). Default 100, Notion's maximum. */
  pageSize: z.number().int().min(1).max(100).default(100),
  /**
   * How far before the cursor incremental runs look again. Notion rounds `last_edited_time` to the
   * minute and its search index lags behind edits: default 10 minutes.
   */
  overlapMinutes: z.number().int().min(1).default(10),
  /** Deepest block nesting read for a page's content (toggles in toggles…). Default 10. */
  maxBlockDepth: z.number().int().min(1).max(50).default(10),
});

export type NotionOptions = z.output<typeof notionOptionsSchema>;

/** Notion answers ids with dashes; config may omit them. One spelling for comparisons. */
export function normalizeNotionId(id: string): string {
  const hex = id.replace(/-/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return id.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
