import { z } from "zod";

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable, not its value");

/** Options of a `contentful` source. Credentials are referenced by env var name, never inlined. */
export const contentfulOptionsSchema = z
  .strictObject({
    /** Space id (Settings → General settings). */
    spaceId: z.string().min(1),
    /** Environment id. Default `master`. */
    environment: z.string().min(1).default("master"),
    /** Env var holding the Content Delivery API token (published content); required unless `includeDrafts`. */
    accessTokenEnv: envVarName.optional(),
    /**
     * Read drafts through the Content Preview API instead of published content. Default false.
     * The Preview API has no Sync API, so listings then page the entries collection and incremental
     * runs filter on `sys.updatedAt` with an overlap window.
     */
    includeDrafts: z.boolean().default(false),
    /** Env var holding the Content Preview API token; required when `includeDrafts` is true. */
    previewAccessTokenEnv: envVarName.optional(),
    /**
     * API base URL. Default: the Delivery API host, or the Preview API host when `includeDrafts`.
     * Set it for EU data residency or to point tests at a fixture server.
     */
    baseUrl: z.url().optional(),
    /**
     * Content type ids to sync. Default: every content type. The Sync API filters one content type per
     * sync, so each listed type gets its own sync token.
     */
    contentTypes: z.array(z.string().min(1)).default([]),
    /** Only entries carrying at least one of these tag ids (`metadata.tags`). Default: no tag filter. */
    tags: z.array(z.string().min(1)).default([]),
    /** Locale code to read fields in. Default: the space's default locale. Fallbacks follow the space's locale settings. */
    locale: z.string().min(1).optional(),
    /** Field holding the title. Default `title`. */
    titleField: z.string().min(1).default("title"),
    /** Field holding the body: Rich Text is rendered to HTML, a text field is read as Markdown. Default `body`. */
    bodyField: z.string().min(1).default("body"),
    /** Field holding the slug used by `urlTemplate`. Default `slug`. */
    slugField: z.string().min(1).default("slug"),
    /** Field holding the document's full public URL; wins over `urlTemplate`. */
    urlField: z.string().min(1).optional(),
    /**
     * Public URL of an entry, e.g. `https://help.example.com/{slug}`. Placeholders: `{slug}`, `{id}`,
     * `{contentType}`, `{locale}`. Without it (and without `urlField`) documents have no URL.
     */
    urlTemplate: z.string().min(1).optional(),
    /** Field naming the author: a text field, or a link to an entry whose `name` or title is used. */
    authorField: z.string().min(1).optional(),
    /** Items per page (Sync API `limit`, collection `limit`). Default 100, at most 1000. */
    pageSize: z.number().int().min(1).max(1000).default(100),
    /** Preview mode only: how far before the cursor incremental runs look again, for clock skew. Default 300 s. */
    overlapSeconds: z.number().int().min(0).default(300),
    /**
     * Path Contentful signs for webhooks, as configured in the webhook URL. Default: the path the request
     * arrived on. Set it when a proxy rewrites paths.
     */
    webhookPath: z.string().startsWith("/").optional(),
    /** Oldest accepted `x-contentful-timestamp`, in seconds. Default 30 (Contentful's own default TTL). */
    webhookToleranceSeconds: z.number().int().min(1).default(30),
  })
  .superRefine((options, ctx) => {
    if (!options.includeDrafts && !options.accessTokenEnv) {
      ctx.addIssue({
        code: "custom",
        path: ["accessTokenEnv"],
        message: "is required (the Content Delivery API token)",
      });
    }
    if (options.includeDrafts && !options.previewAccessTokenEnv) {
      ctx.addIssue({
        code: "custom",
        path: ["previewAccessTokenEnv"],
        message: "is required when includeDrafts is true (drafts come from the Content Preview API)",
      });
    }
    if (options.urlTemplate && options.urlField) {
      ctx.addIssue({
        code: "custom",
        path: ["urlTemplate"],
        message: "set either urlField or urlTemplate, not both",
      });
    }
  });

export type ContentfulOptions = z.output<typeof contentfulOptionsSchema>;
