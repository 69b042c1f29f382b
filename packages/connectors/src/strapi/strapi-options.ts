import { z } from "zod";

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");
const fieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a Strapi attribute name");

/** One collection type of a Strapi source and how its entries map onto documents. */
export const strapiContentTypeSchema = z.strictObject({
  /** Plural API ID: entries are listed from `/api/{pluralApiId}`. */
  pluralApiId: z.string().regex(/^[a-z0-9-]+$/, "must be a plural API ID such as articles"),
  /** Singular API ID: the `model` that webhooks name. */
  singularApiId: z.string().regex(/^[a-z0-9-]+$/, "must be a singular API ID such as article"),
  /** Attribute holding the title. Default `title`. */
  titleField: fieldName.default("title"),
  /** Attribute holding the body. Default `content`. */
  bodyField: fieldName.default("content"),
  /**
   * What the body attribute holds: `markdown` (Rich text), `blocks` (Rich text (Blocks), rendered to
   * HTML here), `html`, or `auto` (a string is Markdown, an array is blocks). Default `auto`.
   */
  bodyFormat: z.enum(["auto", "markdown", "blocks", "html"]).default("auto"),
  /** Attribute holding the slug, used by `{slug}` in `urlTemplate`. Default `slug`. */
  slugField: fieldName.default("slug"),
  /**
   * Canonical URL, since Strapi has none: placeholders `{slug}`, `{id}`, `{documentId}`, `{locale}` or
   * any scalar attribute `{name}`, URL-encoded. Without it documents carry no URL (Fin cannot cite them).
   */
  urlTemplate: z.string().min(1).optional(),
  /** Attributes whose values become labels: strings, string lists, or populated relations (name/title/slug). */
  labelFields: z.array(fieldName).default([]),
  /** Relations/components to populate (Strapi populates nothing by default), e.g. the label relations. */
  populate: z.array(fieldName).default([]),
});

/** Options of a `strapi` source. */
export const strapiOptionsSchema = z.strictObject({
  /** Strapi server URL (without `/api`), e.g. `https://cms.example.com`. */
  baseUrl: z.url(),
  /** Strapi major version; decides response shape, draft parameter and ids. Default `v5`. */
  version: z.enum(["v4", "v5"]).default("v5"),
  /** Env var with an API token (sent as `Authorization: Bearer`). Absent: the Public role's access. */
  apiTokenEnv: envVarName.optional(),
  contentTypes: z.array(strapiContentTypeSchema).min(1),
  /**
   * Sync drafts too. Needs a token allowed to read drafts. Default false.
   * v5: lists `status=draft`, the draft version of every document, so the content synced is always
   * the latest draft, including edits not yet published; `metadata.status` is still "published" for
   * documents that have a published version (looked up with `status=published`) and "draft" for
   * those that never were or were unpublished. v4: `publicationState=preview`, where a published entry
   * is its only version.
   */
  includeDrafts: z.boolean().default(false),
  /** Locales to sync (i18n); each becomes its own document. Default: the server's default locale. */
  locales: z.array(z.string().min(1)).min(1).optional(),
  /** Entries per page (Strapi's default maxLimit is 100). Default 100. */
  pageSize: z.number().int().min(1).max(100).default(100),
  /** How far before the cursor incremental listings start again (late commits, clock steps). Default 300 s. */
  overlapSeconds: z.number().int().min(0).default(300),
  /**
   * Header carrying the webhook secret: Strapi sends the static headers configured for a webhook,
   * compared here with the source's webhook secret (as is, or after `Bearer `). Default `authorization`.
   */
  webhookHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .transform((name) => name.toLowerCase())
    .default("authorization"),
});

export type StrapiOptions = z.output<typeof strapiOptionsSchema>;
export type StrapiContentType = z.output<typeof strapiContentTypeSchema>;
