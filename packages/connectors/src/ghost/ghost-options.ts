import { z } from "zod";

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable, not its value");

export const GHOST_RESOURCES = ["posts", "pages"] as const;
export type GhostResource = (typeof GHOST_RESOURCES)[number];

/** Options of a `ghost` source. Keys are referenced by env var name, never inlined. */
export const ghostOptionsSchema = z
  .strictObject({
    /** The site's API URL (Settings → Integrations), e.g. `https://example.ghost.io`. */
    apiUrl: z.url(),
    /** Env var holding a Content API key: published, public content only. */
    contentApiKeyEnv: envVarName.optional(),
    /** Env var holding an Admin API key (`id:secret`): needed for drafts and members-only content. */
    adminApiKeyEnv: envVarName.optional(),
    /** `Accept-Version` sent with every request. Default `v5.0`. */
    acceptVersion: z
      .string()
      .regex(/^v\d+\.\d+$/)
      .default("v5.0"),
    /** What to sync. Default both posts and pages. */
    resources: z.array(z.enum(GHOST_RESOURCES)).min(1).default(["posts", "pages"]),
    /** Post statuses to sync; anything but `published` needs the Admin API. Default `["published"]`. */
    statuses: z
      .array(z.enum(["published", "draft", "scheduled", "sent"]))
      .min(1)
      .default(["published"]),
    /**
     * Visibilities to sync; gated content (`members`, `paid`, `tiers`) needs the Admin API because the
     * Content API strips it. Default `["public"]`.
     */
    visibilities: z
      .array(z.enum(["public", "members", "paid", "tiers"]))
      .min(1)
      .default(["public"]),
    /** Only posts with at least one of these tag slugs. Default: no tag filter. */
    tags: z.array(z.string().regex(/^[a-z0-9-]+$/, "must be a tag slug")).default([]),
    /**
     * URL of a document instead of Ghost's own `url`, e.g. `https://help.example.com/{slug}`.
     * Placeholders: `{slug}`, `{id}`, `{uuid}`, `{type}` (post or page).
     */
    urlTemplate: z.string().min(1).optional(),
    /** Items per page (`limit`). Default 50; Ghost caps it at 100. */
    pageSize: z.number().int().min(1).max(100).default(50),
    /** How far before the cursor incremental runs look again, for clock skew. Default 300 s. */
    overlapSeconds: z.number().int().min(0).default(300),
    /** Accepted age of the `t=` timestamp of `X-Ghost-Signature`, in seconds. Default 300. */
    webhookToleranceSeconds: z.number().int().min(1).default(300),
  })
  .superRefine((options, ctx) => {
    if (!options.contentApiKeyEnv && !options.adminApiKeyEnv) {
      ctx.addIssue({
        code: "custom",
        path: ["contentApiKeyEnv"],
        message: "set contentApiKeyEnv or adminApiKeyEnv",
      });
    }
    const needsAdmin =
      options.statuses.some((status) => status !== "published") ||
      options.visibilities.some((visibility) => visibility !== "public");
    if (needsAdmin && !options.adminApiKeyEnv) {
      ctx.addIssue({
        code: "custom",
        path: ["adminApiKeyEnv"],
        message: "is required for statuses other than published or visibilities other than public",
      });
    }
  });

export type GhostOptions = z.output<typeof ghostOptionsSchema>;
