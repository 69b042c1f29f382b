import type { PageObjectResponse } from "@notionhq/client";
import type { DocumentMetadata } from "../contract.js";
import { plainText } from "./notion-html.js";
import { normalizeNotionId } from "./notion-options.js";

/** Where a page, block or database hangs in Notion's tree. */
export type ParentRef =
  | { type: "page"; id: string }
  | { type: "block"; id: string }
  | { type: "database"; id: string }
  | { type: "root" };

/** The parent of a page, block or database (they share Notion's parent shapes). */
export function parentOf(object: { parent: PageObjectResponse["parent"] }): ParentRef {
  const { parent } = object;
  switch (parent.type) {
    case "page_id":
      return { type: "page", id: normalizeNotionId(parent.page_id) };
    case "block_id":
      return { type: "block", id: normalizeNotionId(parent.block_id) };
    case "data_source_id":
    case "database_id":
      return { type: "database", id: normalizeNotionId(parent.database_id) };
    default:
      return { type: "root" };
  }
}

/** The page's title: the text of its one `title` property (a database row names it as it likes). */
export function titleOf(page: PageObjectResponse): string {
  for (const property of Object.values(page.properties)) {
    if (property.type === "title") return plainText(property.title).trim();
  }
  return "";
}

/** Names of select and multi-select values (tags), the page's labels for config rules. */
export function labelsOf(page: PageObjectResponse): string[] {
  const labels = new Set<string>();
  for (const property of Object.values(page.properties)) {
    if (property.type === "multi_select") for (const option of property.multi_select) labels.add(option.name);
    if (property.type === "select" && property.select) labels.add(property.select.name);
  }
  return [...labels].sort();
}

/** A `status` property's value (database rows with a workflow), else undefined. */
export function statusOf(page: PageObjectResponse): string | undefined {
  for (const property of Object.values(page.properties)) {
    if (property.type === "status" && property.status) return property.status.name;
  }
  return undefined;
}

/** Notion's own word that a page is gone: it is in the trash (`archived` is the older spelling). */
export function isTrashed(page: PageObjectResponse): boolean {
  return page.in_trash === true || page.archived === true;
}

export function urlOf(page: PageObjectResponse, preferPublicUrl: boolean): string {
  return preferPublicUrl && page.public_url ? page.public_url : page.url;
}

/**
 * The listing's version: `last_edited_time` and the id. Notion rounds that time down to the minute,
 * so two edits in the same minute share it; within `settleMs` of now the version is left empty and
 * the engine loads and hashes the page instead of trusting it.
 */
export function versionOf(page: PageObjectResponse, now: Date, settleMs: number): string {
  const edited = Date.parse(page.last_edited_time);
  if (Number.isNaN(edited) || now.getTime() - edited < settleMs) return "";
  return `${page.last_edited_time}#${normalizeNotionId(page.id)}`;
}

export function metadataOf(
  page: PageObjectResponse,
  context: { path: string[]; space?: string | undefined },
): DocumentMetadata {
  const title = titleOf(page);
  const status = statusOf(page);
  const labels = labelsOf(page);
  const parent = parentOf(page);
  return {
    type: parent.type === "database" ? "database_row" : "page",
    path: [...context.path, title].join("/"),
    ...(labels.length > 0 ? { labels } : {}),
    ...(status ? { status } : {}),
    ...(context.space ? { space: context.space } : {}),
    ...(page.last_edited_by?.id ? { author: page.last_edited_by.id } : {}),
    ...(parent.type === "database" ? { databaseId: parent.id } : {}),
    ...(page.parent.type === "data_source_id"
      ? { dataSourceId: normalizeNotionId(page.parent.data_source_id) }
      : {}),
  };
}
