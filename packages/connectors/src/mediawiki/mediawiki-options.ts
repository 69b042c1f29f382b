import { z } from "zod";

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable, not its value");

/** Options of a `mediawiki` source. The bot password is referenced by env var name, never inlined. */
export const mediawikiOptionsSchema = z
  .strictObject({
    /** The wiki's Action API endpoint, e.g. `https://wiki.example.com/w/api.php`. */
    apiUrl: z.url().refine((url) => /\/api\.php$/.test(new URL(url).pathname), {
      message: "must be the wiki's api.php URL (e.g. https://wiki.example.com/w/api.php)",
    }),
    /** Namespace numbers to sync (`list=allpages&apnamespace=`). Default `[0]`, the main namespace. */
    namespaces: z.array(z.number().int().min(0)).min(1).default([0]),
    /** Only pages in at least one of these categories (names without the `Category:` prefix). */
    includeCategories: z.array(z.string().min(1)).default([]),
    /** Pages in any of these categories are left out. */
    excludeCategories: z.array(z.string().min(1)).default([]),
    /** Bot-password login for private wikis (Special:BotPasswords): `Name@botname` and its env var. */
    login: z
      .strictObject({
        /** The bot user name as Special:BotPasswords shows it, `User@bot`. */
        username: z.string().regex(/^[^@]+@[^@]+$/, 'must be the bot user name "User@botname"'),
        /** Env var holding the bot password. */
        passwordEnv: envVarName,
      })
      .optional(),
    /** Pages per `list=allpages` / `list=recentchanges` request. Default 50 (the limit for non-bots is 500). */
    pageSize: z.number().int().min(1).max(500).default(50),
    /** How far before the cursor incremental runs read recent changes again. Default 300 s. */
    overlapSeconds: z.number().int().min(0).default(300),
    /**
     * How long the wiki keeps recent changes (`$wgRCMaxAge`). A cursor older than this falls back to a
     * full listing. Default 90 days, MediaWiki's default.
     */
    rcMaxAgeDays: z.number().int().min(1).default(90),
    /** `maxlag` sent with every request (seconds of replication lag the wiki may have). Default 5. */
    maxlag: z.number().int().min(1).default(5),
  })
  .superRefine((options, ctx) => {
    const both = options.includeCategories.filter((name) => options.excludeCategories.includes(name));
    if (both.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["excludeCategories"],
        message: `categories both included and excluded: ${both.join(", ")}`,
      });
    }
  });

export type MediawikiOptions = z.output<typeof mediawikiOptionsSchema>;
