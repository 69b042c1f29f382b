import { z } from "zod";
import { authBlockSchema } from "../toolkit/credentials/auth-block.js";

export const CONFLUENCE_TYPES = ["page", "blogpost"] as const;
export type ConfluenceType = (typeof CONFLUENCE_TYPES)[number];

const spaceKey = z.string().regex(/^[A-Za-z0-9~_]+$/, "must be a space KEY such as ENG or ~jdoe");
const label = z.string().regex(/^[^\s,]+$/, "must be one Confluence label (no spaces or commas)");

/** Options of a `confluence` source. Credentials are referenced by env var name in `auth`. */
export const confluenceOptionsSchema = z
  .strictObject({
    /** `cloud` speaks REST v2 (+ v1 CQL search); `datacenter` speaks v1 on Data Center / Server. */
    deployment: z.enum(["cloud", "datacenter"]).default("cloud"),
    /**
     * Cloud: the site (`https://acme.atlassian.net`) or the gateway
     * (`https://api.atlassian.com/ex/confluence/{cloudId}`, for scoped API tokens and OAuth).
     * Data Center: the base URL with its context path (`https://wiki.example.com/confluence`).
     */
    baseUrl: z.url({ protocol: /^https?$/ }),
    /** Cloud: basic (email + API token) or bearer. Data Center: bearer (personal access token) or basic. */
    auth: authBlockSchema(["basic", "bearer"]),
    /** Space keys to sync. Default: every space the credential can read. */
    spaces: z.array(spaceKey).default([]),
    /** Content types. Default pages and blog posts. */
    contentTypes: z.array(z.enum(CONFLUENCE_TYPES)).min(1).default(["page", "blogpost"]),
    labels: z
      .strictObject({
        /** Only content carrying at least one of these labels. */
        include: z.array(label).default([]),
        /** Never content carrying one of these labels. */
        exclude: z.array(label).default([]),
      })
      .default({ include: [], exclude: [] }),
    /** Archived pages and pages of archived spaces. Default false. */
    includeArchived: z.boolean().default(false),
    /** Pages with view restrictions of their own. Default false. */
    includeRestricted: z.boolean().default(false),
    /** Footer comments folded into the page's HTML. Default false. */
    includeComments: z.boolean().default(false),
    /** PDF and DOCX attachments synced as documents of their own, linked to their page. Default false. */
    attachments: z.boolean().default(false),
    /** Largest attachment downloaded, in bytes. Default 20 MB. */
    attachmentMaxBytes: z
      .number()
      .int()
      .min(1)
      .default(20 * 1024 * 1024),
    /** Items per request (`limit`). Default 50; Confluence caps v2 at 250. */
    pageSize: z.number().int().min(1).max(250).default(50),
    /**
     * How far before the cursor incremental runs look again. CQL `lastmodified` has minute precision
     * and the server's clock is not ours: default 10 minutes.
     */
    overlapMinutes: z.number().int().min(1).default(10),
    /**
     * CQL reads dates in the time zone of the credential's user profile. Set it (IANA name) when that
     * user's profile is not in UTC, or widen `overlapMinutes` past the offset. Default `UTC`.
     */
    cqlTimeZone: z
      .string()
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat("en-US", { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, "must be an IANA time zone such as Europe/Berlin")
      .default("UTC"),
    /**
     * Cursors older than this are refused (the engine then runs a full listing): Confluence purges
     * trash, the only deletion evidence, after a while. Default 30 days.
     */
    maxCursorAgeDays: z.number().int().min(1).default(30),
  })
  .superRefine((options, ctx) => {
    const both = options.labels.include.filter((name) => options.labels.exclude.includes(name));
    if (both.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["labels", "exclude"],
        message: `labels both included and excluded: ${both.join(", ")}`,
      });
    }
    if (options.deployment === "datacenter" && /api\.atlassian\.com/.test(options.baseUrl)) {
      ctx.addIssue({
        code: "custom",
        path: ["baseUrl"],
        message: "the api.atlassian.com gateway serves Confluence Cloud only",
      });
    }
  });

export type ConfluenceOptions = z.output<typeof confluenceOptionsSchema>;
