import { createHash } from "node:crypto";
import type { DocumentBody, DocumentMetadata, FetchedDocument, ListedDocument } from "../contract.js";
import { renderStrapiBlocks } from "./strapi-blocks.js";
import type { StrapiEntry } from "./strapi-entry.js";
import type { StrapiContentType } from "./strapi-options.js";

/** Names of a populated relation, in v4 (`{data: {attributes}}`) or v5 (flat) shape, or plain strings. */
function labelValues(value: unknown): string[] {
  if (typeof value === "string") return value === "" ? [] : [value];
  if (Array.isArray(value)) return value.flatMap(labelValues);
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  if ("data" in record) return labelValues(record.data);
  const source = (
    typeof record.attributes === "object" && record.attributes !== null ? record.attributes : record
  ) as Record<string, unknown>;
  for (const key of ["name", "title", "slug"]) {
    if (typeof source[key] === "string") return [source[key] as string];
  }
  return [];
}

function bodyOf(entry: StrapiEntry, type: StrapiContentType, assetBase: string): DocumentBody {
  const value = entry.attributes[type.bodyField];
  if (value === undefined || value === null) return { kind: "html", html: "" };
  const format =
    type.bodyFormat === "auto" ? (Array.isArray(value) ? "blocks" : "markdown") : type.bodyFormat;
  if (format === "blocks") return { kind: "html", html: renderStrapiBlocks(value, assetBase) };
  if (typeof value !== "string") {
    throw new Error(
      `field "${type.bodyField}" of entry ${entry.id} is not text (set bodyFormat: blocks for a blocks field)`,
    );
  }
  return format === "html" ? { kind: "html", html: value } : { kind: "markdown", markdown: value };
}

function urlOf(entry: StrapiEntry, type: StrapiContentType): string | undefined {
  if (type.urlTemplate === undefined) return undefined;
  const scalar = (value: unknown) =>
    typeof value === "string" || typeof value === "number" ? String(value) : "";
  const values: Record<string, string> = {
    id: String(entry.id),
    documentId: entry.documentId ?? "",
    locale: entry.locale ?? "",
    slug: scalar(entry.attributes[type.slugField]),
  };
  return type.urlTemplate.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) =>
    encodeURIComponent(values[name] ?? scalar(entry.attributes[name])),
  );
}

/**
 * The listing already holds the whole entry, so `load` needs no request; the version hashes the
 * entry as delivered and its status, so any change to what the document is made of, or publishing
 * it, changes it.
 * @param published whether the document has a published version (`metadata.status` "published",
 *   else "draft"). Default: the entry's own `publishedAt`, which is right for v4 and for v5 published
 *   versions; a v5 draft version never has one, so the caller must say for those.
 * @throws Error when the body field holds something its format cannot be
 */
export function strapiDocument(
  externalId: string,
  entry: StrapiEntry,
  type: StrapiContentType,
  assetBase: string,
  published: boolean = entry.publishedAt !== null,
): ListedDocument {
  const title = entry.attributes[type.titleField];
  const url = urlOf(entry, type);
  const body = bodyOf(entry, type, assetBase);
  const updatedAt = new Date(entry.updatedAt);
  const metadata: DocumentMetadata = {
    type: type.singularApiId,
    space: type.pluralApiId,
    status: published ? "published" : "draft",
    labels: type.labelFields.flatMap((field) => labelValues(entry.attributes[field])),
    updated: updatedAt.toISOString(),
    ...(entry.locale ? { locale: entry.locale } : {}),
    ...(typeof entry.attributes[type.slugField] === "string"
      ? { path: entry.attributes[type.slugField] as string }
      : {}),
  };
  const version = createHash("sha256")
    .update(JSON.stringify([entry.updatedAt, entry.publishedAt, published, entry.attributes]))
    .digest("hex")
    .slice(0, 32);
  const fetched: FetchedDocument = {
    externalId,
    version,
    ...(typeof title === "string" && title !== "" ? { title } : {}),
    ...(url ? { url } : {}),
    updatedAt,
    metadata,
    body,
  };
  return { externalId, version, updatedAt, metadata, load: async () => fetched };
}
