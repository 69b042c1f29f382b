import { z } from "zod";
import { authBlockSchema } from "../toolkit/credentials/auth-block.js";

/** Statuses a listing may include; `trash` is never synced (it is how WordPress marks deletions). */
export const WORDPRESS_STATUSES = ["publish", "future", "draft", "pending", "private"] as const;
export type WordPressStatus = (typeof WORDPRESS_STATUSES)[number];

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");
/** A term by slug (`"how-to"`) or by numeric id (`12`). */
const termRef = z.union([z.string().min(1), z.number().int().positive()]);

/** Options of a `wordpress` source. */
export const wordpressOptionsSchema = z
  .strictObject({
    /** Site URL of a self-hosted WordPress (`https://example.com`, or `https://example.com/blog`). */
    baseUrl: z.url().optional(),
    /**
     * How REST routes are addressed on `baseUrl`: `pretty` uses `/wp-json/…` (needs pretty permalinks),
     * `query` uses `/?rest_route=/…`, which works on every site. Default `pretty`.
     */
    restRoute: z.enum(["pretty", "query"]).default("pretty"),
    /**
     * A ready `wp/v2` base instead of `baseUrl`, for hosts that serve the API elsewhere, e.g.
     * `https://public-api.wordpress.com/wp/v2/sites/example.wordpress.com`.
     */
    apiBaseUrl: z.url().optional(),
    /**
     * Credentials as an auth block: `{ type: basic, usernameEnv, passwordEnv }` (an Application
     * Password) or `{ type: bearer, tokenEnv }`. Replaces the flat `usernameEnv` /
     * `applicationPasswordEnv` / `bearerTokenEnv`, which still work.
     */
    auth: authBlockSchema(["basic", "bearer"]).optional(),
    /** Env var with the WordPress user name for Application Password (HTTP Basic) auth. */
    usernameEnv: envVarName.optional(),
    /** Env var with that user's Application Password. Needed for drafts, private posts and trash. */
    applicationPasswordEnv: envVarName.optional(),
    /** Env var with an OAuth2 bearer token (WordPress.com-style hosts) instead of an Application Password. */
    bearerTokenEnv: envVarName.optional(),
    /** Post types to sync by slug; their REST routes are looked up from `/wp/v2/types`. Default post, page. */
    postTypes: z.array(z.string().min(1)).min(1).default(["post", "page"]),
    /** Statuses to sync. Anything beyond `publish` needs credentials. Default `["publish"]`. */
    statuses: z.array(z.enum(WORDPRESS_STATUSES)).min(1).default(["publish"]),
    /** Only posts in one of these categories (slugs or ids); applies to types that have categories. */
    categories: z.array(termRef).min(1).optional(),
    /** Never posts in these categories. */
    excludeCategories: z.array(termRef).min(1).optional(),
    /** Only posts with one of these tags (slugs or ids); applies to types that have tags. */
    tags: z.array(termRef).min(1).optional(),
    /** Never posts with these tags. */
    excludeTags: z.array(termRef).min(1).optional(),
    /** Sync password-protected posts (their content is gated on the site). Default false. */
    includePasswordProtected: z.boolean().default(false),
    /**
     * Canonical URL template instead of WordPress's `link`; placeholders `{link}`, `{id}`, `{slug}`,
     * `{type}`. Default: the post's `link`.
     */
    urlTemplate: z.string().min(1).optional(),
    /** Page size of listings (WordPress caps it at 100). Default 100. */
    perPage: z.number().int().min(1).max(100).default(100),
    /**
     * How far before the cursor incremental listings start again. `modified_after` is compared with
     * the site's local `post_modified` at second precision, so edits in the same second and around a
     * daylight-saving change are only caught with a generous overlap. Default 3600 s.
     */
    overlapSeconds: z.number().int().min(0).default(3600),
    /** Webhook timestamps further than this from now are rejected (replay protection). Default 300 s. */
    webhookToleranceSeconds: z.number().int().positive().default(300),
  })
  .superRefine((options, ctx) => {
    if ((options.baseUrl === undefined) === (options.apiBaseUrl === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: "set exactly one of baseUrl and apiBaseUrl",
        path: ["baseUrl"],
      });
    }
    if ((options.usernameEnv === undefined) !== (options.applicationPasswordEnv === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: "usernameEnv and applicationPasswordEnv go together",
        path: ["applicationPasswordEnv"],
      });
    }
    if (options.applicationPasswordEnv !== undefined && options.bearerTokenEnv !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: "use either applicationPasswordEnv or bearerTokenEnv",
        path: ["bearerTokenEnv"],
      });
    }
    if (
      options.auth !== undefined &&
      (options.usernameEnv ?? options.applicationPasswordEnv ?? options.bearerTokenEnv) !== undefined
    ) {
      ctx.addIssue({
        code: "custom",
        message: "use either auth or usernameEnv/applicationPasswordEnv/bearerTokenEnv",
        path: ["auth"],
      });
    }
    const authenticated =
      options.auth !== undefined ||
      options.applicationPasswordEnv !== undefined ||
      options.bearerTokenEnv !== undefined;
    if (options.includePasswordProtected && !authenticated) {
      ctx.addIssue({
        code: "custom",
        message: "includePasswordProtected needs credentials: anonymous requests get no protected content",
        path: ["includePasswordProtected"],
      });
    }
    const restricted = options.statuses.filter((status) => status !== "publish");
    if (restricted.length > 0 && !authenticated) {
      ctx.addIssue({
        code: "custom",
        message: `statuses ${restricted.join(", ")} need credentials (auth, applicationPasswordEnv or bearerTokenEnv)`,
        path: ["statuses"],
      });
    }
  });

export type WordPressOptions = z.output<typeof wordpressOptionsSchema>;
