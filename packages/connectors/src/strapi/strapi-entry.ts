import type { StrapiOptions } from "./strapi-options.js";

/** An entry in one shape whatever the version: v4 nests attributes, v5 returns them flat. */
export interface StrapiEntry {
  id: number;
  /** v5's stable document id (shared by drafts, published versions and locales). */
  documentId?: string;
  attributes: Record<string, unknown>;
  updatedAt: string;
  /** null for drafts. */
  publishedAt: string | null;
  locale?: string;
}

const SYSTEM_FIELDS = new Set(["id", "documentId"]);

/** @throws Error naming the missing piece when `raw` is not an entry of the given version */
export function normalizeStrapiEntry(raw: unknown, version: StrapiOptions["version"]): StrapiEntry {
  if (typeof raw !== "object" || raw === null) throw new Error("an entry must be an object");
  const record = raw as Record<string, unknown>;
  if (typeof record.id !== "number") throw new Error("an entry has no numeric id");
  let attributes: Record<string, unknown>;
  if (version === "v4") {
    if (typeof record.attributes !== "object" || record.attributes === null) {
      throw new Error(`entry ${record.id} has no attributes (is this a Strapi v5 server?)`);
    }
    attributes = record.attributes as Record<string, unknown>;
  } else {
    if (typeof record.documentId !== "string" || record.documentId === "") {
      throw new Error(`entry ${record.id} has no documentId (is this a Strapi v4 server?)`);
    }
    attributes = Object.fromEntries(Object.entries(record).filter(([key]) => !SYSTEM_FIELDS.has(key)));
  }
  const { updatedAt, publishedAt, locale } = attributes;
  if (typeof updatedAt !== "string" || Number.isNaN(Date.parse(updatedAt))) {
    throw new Error(`entry ${record.id} has no updatedAt timestamp`);
  }
  return {
    id: record.id,
    ...(typeof record.documentId === "string" ? { documentId: record.documentId } : {}),
    attributes,
    updatedAt,
    publishedAt: typeof publishedAt === "string" ? publishedAt : null,
    ...(typeof locale === "string" ? { locale } : {}),
  };
}

/**
 * v4: `articles:12` (each localisation is its own entry with its own id). v5: `articles:<documentId>`,
 * plus `:<locale>` when the source syncs several locales, since locales share the documentId.
 */
export function strapiExternalId(
  pluralApiId: string,
  entry: Pick<StrapiEntry, "id" | "documentId" | "locale">,
  options: Pick<StrapiOptions, "version" | "locales">,
): string {
  if (options.version === "v4") return `${pluralApiId}:${entry.id}`;
  const base = `${pluralApiId}:${entry.documentId}`;
  return options.locales !== undefined && entry.locale !== undefined ? `${base}:${entry.locale}` : base;
}

export interface ParsedStrapiId {
  pluralApiId: string;
  /** Numeric id (v4) or documentId (v5). */
  id: string;
  locale?: string;
}

export function parseStrapiExternalId(
  externalId: string,
  version: StrapiOptions["version"],
): ParsedStrapiId | undefined {
  const pattern =
    version === "v4" ? /^([a-z0-9-]+):([1-9][0-9]*)$/ : /^([a-z0-9-]+):([A-Za-z0-9]+)(?::([A-Za-z0-9-]+))?$/;
  const match = pattern.exec(externalId);
  if (!match) return undefined;
  return { pluralApiId: match[1]!, id: match[2]!, ...(match[3] ? { locale: match[3] } : {}) };
}
