import type { DocumentMetadata } from "../contract.js";
import type { ConfluenceOptions, ConfluenceType } from "./confluence-options.js";
import type { V1Content } from "./confluence-types.js";

/** One page or blog post with what scoping, metadata and the canonical URL need. */
export interface ConfluenceItem {
  id: string;
  type: ConfluenceType;
  status: string;
  title: string;
  spaceKey: string | undefined;
  spaceName: string | undefined;
  spaceStatus: string | undefined;
  version: number | undefined;
  updated: string | undefined;
  author: string | undefined;
  labels: string[];
  /** Ancestors' titles, root first. */
  ancestors: string[];
  /** The page carries read restrictions of its own. */
  restricted: boolean;
  webui: string | undefined;
  base: string | undefined;
}

/** v1 `Content` (with `V1_EXPAND`) → item; other content types (comments, attachments) → undefined. */
export function itemOfV1(content: V1Content, base: string | undefined): ConfluenceItem | undefined {
  if (content.type !== "page" && content.type !== "blogpost") return undefined;
  const read = content.restrictions?.read?.restrictions;
  const restricted = (read?.user?.results?.length ?? 0) + (read?.group?.results?.length ?? 0) > 0;
  const person = content.history?.createdBy;
  return {
    id: String(content.id),
    type: content.type,
    status: content.status ?? "current",
    title: content.title ?? "",
    spaceKey: content.space?.key,
    spaceName: content.space?.name,
    spaceStatus: content.space?.status,
    version: content.version?.number,
    updated: content.version?.when,
    author: person?.displayName ?? person?.publicName ?? person?.username,
    labels: (content.metadata?.labels?.results ?? [])
      .map((label) => label.name)
      .filter((name): name is string => typeof name === "string"),
    ancestors: (content.ancestors ?? [])
      .map((ancestor) => ancestor.title)
      .filter((title): title is string => typeof title === "string"),
    restricted,
    webui: content._links?.webui,
    base: content._links?.base ?? base,
  };
}

/** Why an item is out of the source's scope, or undefined when it is in. */
export function outOfScope(item: ConfluenceItem, options: ConfluenceOptions): string | undefined {
  if (item.status === "trashed" || item.status === "deleted") return `status ${item.status}`;
  if (!options.contentTypes.includes(item.type)) return `type ${item.type}`;
  if (options.spaces.length > 0 && !(item.spaceKey && options.spaces.includes(item.spaceKey))) return "space";
  const archived = item.status === "archived" || item.spaceStatus === "archived";
  if (archived && !options.includeArchived) return "archived";
  if (item.status !== "current" && item.status !== "archived") return `status ${item.status}`;
  if (item.restricted && !options.includeRestricted) return "restricted";
  const { include, exclude } = options.labels;
  if (include.length > 0 && !item.labels.some((label) => include.includes(label))) return "labels";
  if (item.labels.some((label) => exclude.includes(label))) return "excluded label";
  return undefined;
}

export function metadataOf(item: ConfluenceItem): DocumentMetadata {
  return {
    type: item.type,
    status: item.status,
    labels: item.labels,
    path: [...item.ancestors, item.title].join("/"),
    ...(item.spaceKey ? { space: item.spaceKey } : {}),
    ...(item.spaceName ? { spaceName: item.spaceName } : {}),
    ...(item.author ? { author: item.author } : {}),
    ...(item.updated ? { updated: item.updated } : {}),
    ...(item.restricted ? { restricted: "true" } : {}),
  };
}

/** `_links.base` + `_links.webui`, as Confluence documents its canonical links. */
export function canonicalUrl(base: string | undefined, webui: string | undefined): string | undefined {
  if (!base || !webui) return undefined;
  return `${base.replace(/\/$/, "")}${webui.startsWith("/") ? "" : "/"}${webui}`;
}

/** A CQL date (`yyyy/MM/dd HH:mm`) in the time zone CQL reads it in (the credential user's). */
export function cqlDate(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}/${parts.month}/${parts.day} ${parts.hour}:${parts.minute}`;
}

/** A CQL string literal. */
export const cqlString = (value: string) => `"${value.replace(/["\\]/g, "\\$&")}"`;
