/**
 * The shapes of the Contentful Delivery/Preview API this connector reads. Fields come keyed by locale
 * (`fields.title["en-US"]`) because every request asks for all locales (`locale=*`, or the Sync API,
 * which is always unlocalized), so one code path handles sync items, collections and includes.
 */

export interface ContentfulLink {
  sys: { type: "Link"; linkType: string; id: string };
}

export type LocalizedFields = Record<string, Record<string, unknown> | undefined>;

export interface ContentfulSys {
  type: string;
  id: string;
  revision?: number;
  createdAt?: string;
  updatedAt?: string;
  deletedAt?: string;
  publishedAt?: string;
  publishedVersion?: number;
  locale?: string;
  contentType?: ContentfulLink;
}

export interface ContentfulEntity {
  sys: ContentfulSys;
  fields?: LocalizedFields;
  metadata?: { tags?: ContentfulLink[] };
}

/** A page of the Sync API: either `nextPageUrl` (more pages) or `nextSyncUrl` (done). */
export interface ContentfulSyncPage {
  sys?: { type: string };
  items: ContentfulEntity[];
  nextPageUrl?: string;
  nextSyncUrl?: string;
}

/** A collection (`/entries`, `/assets`) with linked items in `includes`. */
export interface ContentfulCollection {
  sys?: { type: string };
  total: number;
  skip: number;
  limit: number;
  items: ContentfulEntity[];
  includes?: { Entry?: ContentfulEntity[]; Asset?: ContentfulEntity[] };
}

export interface ContentfulLocale {
  code: string;
  default?: boolean;
  fallbackCode?: string | null;
}

export interface ContentfulLocaleCollection {
  items: ContentfulLocale[];
}

export const isEntity = (value: unknown): value is ContentfulEntity =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { sys?: { id?: unknown } }).sys?.id === "string" &&
  typeof (value as { sys?: { type?: unknown } }).sys?.type === "string";
