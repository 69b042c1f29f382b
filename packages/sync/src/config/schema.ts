import type { ConnectorRegistry } from "@content-sync/connectors/core";
import { requestRateSchema, transformOptionsSchema } from "@content-sync/connectors/core";
import { createRequire } from "node:module";
import { z } from "zod";
import { DURATION_PATTERN } from "./duration.js";

type CronParser = typeof import("cron-parser");
let cronParser: CronParser | undefined;
/**
 * cron-parser (with luxon) is required by the first cron schedule validated, not with the schema:
 * most commands read configs without one. It is CommonJS, so the refinement stays synchronous.
 */
function cronExpressionParser(): CronParser["CronExpressionParser"] {
  cronParser ??= createRequire(import.meta.url)("cron-parser") as CronParser;
  return cronParser.CronExpressionParser;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const envVarName = z
  .string()
  .regex(ENV_VAR_NAME, { error: "expected the NAME of an environment variable (letters, digits, _)" });

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an absolute http(s) URL" });

const duration = z
  .string()
  .regex(DURATION_PATTERN, { error: 'expected a duration such as "15m", "6h" or "1d"' });

const timezone = z
  .string()
  .refine(isKnownTimezone, { error: 'expected an IANA time zone such as "Europe/Paris"' });

const cron = z.string().superRefine((expression, ctx) => {
  try {
    cronExpressionParser().parse(expression);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `invalid cron expression: ${(error as Error).message}` });
  }
});

/** When a run starts: every fixed interval or on a cron expression (in a time zone). */
const scheduleSpec = z
  .strictObject({
    every: duration.optional().describe("Fixed interval between runs, e.g. 15m."),
    cron: cron.optional().describe("Cron expression (5 or 6 fields); use instead of `every`."),
    timezone: timezone.optional().describe("Time zone the cron expression is read in. Default UTC."),
  })
  .refine((spec) => (spec.every === undefined) !== (spec.cron === undefined), {
    error: "set exactly one of `every` or `cron`",
  })
  .refine((spec) => spec.timezone === undefined || spec.cron !== undefined, {
    error: "`timezone` only applies to a `cron` schedule",
    path: ["timezone"],
  });

const scheduleSchema = z
  .strictObject({
    every: duration.optional().describe("Incremental run interval, e.g. 15m."),
    cron: cron.optional().describe("Incremental run cron expression; use instead of `every`."),
    timezone: timezone.optional().describe("Time zone of `cron`. Default UTC."),
    full: scheduleSpec.optional().describe("Periodic full run (the only kind that detects deletions)."),
  })
  .refine((spec) => spec.every === undefined || spec.cron === undefined, {
    error: "set at most one of `every` or `cron`",
  })
  .refine((spec) => spec.timezone === undefined || spec.cron !== undefined, {
    error: "`timezone` only applies to a `cron` schedule",
    path: ["timezone"],
  })
  .describe(
    "When the scheduler runs this source. Without one the source only runs from the CLI or webhooks.",
  );

const availabilitySchema = z
  .strictObject({
    aiAgent: z
      .boolean()
      .optional()
      .describe(
        "Fin AI Agent (answers customers) may use these pages. No default: say it here or in defaults.",
      ),
    aiCopilot: z
      .boolean()
      .optional()
      .describe(
        "Fin AI Copilot (assists teammates) may use these pages. No default: say it here or in defaults.",
      ),
  })
  .describe(
    "Which Fin products use the pages. Required (here or in defaults): private documents must not answer customers by accident.",
  );

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Every given field must match (AND); a list inside a field matches any of its values (OR). */
const matcherSchema = z
  .strictObject({
    path: oneOrMany.optional().describe("Glob(s) on the document's path, e.g. internal/** ."),
    labels: oneOrMany.optional().describe("Matches when the document has any of these labels."),
    space: oneOrMany.optional().describe("Space, site or collection name(s)."),
    status: oneOrMany.optional().describe("Publication status(es), e.g. publish."),
    type: oneOrMany.optional().describe("Document kind(s), e.g. post, page, md."),
    metadata: z
      .record(z.string(), oneOrMany)
      .optional()
      .describe("Any other metadata key the connector reports, matched exactly."),
  })
  .refine((matcher) => Object.values(matcher).some((value) => value !== undefined), {
    error: "a rule must name at least one of path, labels, space, status, type, metadata",
  });

const rulesSchema = z
  .strictObject({
    include: z
      .array(matcherSchema)
      .optional()
      .describe("When present, only documents matching at least one of these are synced."),
    exclude: z.array(matcherSchema).optional().describe("Documents matching any of these are not synced."),
    availability: z
      .array(
        z.strictObject({
          match: matcherSchema,
          aiAgent: z.boolean().optional(),
          aiCopilot: z.boolean().optional(),
        }),
      )
      .optional()
      .describe("Per-document availability; rules apply in order and later ones win."),
    allowSecrets: z
      .array(matcherSchema)
      .optional()
      .describe(
        "Documents that may be sent although they hold a credential in a well-known format (private key, cloud or SaaS token); others are held back and reported.",
      ),
  })
  .describe("Which documents are synced and with which availability.");

const MAX_DELETES_ERROR = 'expected a number of pages (e.g. 50) or a share of the source (e.g. "10%")';

const deletionSchema = z
  .strictObject({
    maxDeletes: z
      .union([z.number().int().min(0), z.string().regex(/^\d+(?:\.\d+)?%$/, { error: MAX_DELETES_ERROR })], {
        error: MAX_DELETES_ERROR,
      })
      .describe(
        'Most pages one run may delete (count, or share such as "10%"); above it nothing is deleted.',
      ),
    window: duration
      .optional()
      .describe(
        "Deletions outside full runs (webhooks, incremental runs, clean-ups) share one budget of maxDeletes per this rolling window. Default 24h.",
      ),
  })
  .describe("Safety net against mass deletion.");

const concurrency = z.number().int().min(1).max(64).describe("Documents processed in parallel. Default 8.");

const sourceCommon = {
  id: z
    .string()
    .regex(SLUG, { error: "expected a slug: lower-case letters, digits and dashes, e.g. help-center" })
    .describe("Stable identifier of the source (state, jobs and webhooks are keyed by it)."),
  name: z.string().min(1).optional().describe("Display name."),
  enabled: z
    .boolean()
    .optional()
    .describe("Disabled sources are skipped by --all and the scheduler. Default true."),
  schedule: scheduleSchema.optional(),
  contentImportSource: z
    .strictObject({
      url: httpUrl.describe("URL of the Content Import Source; an existing source with it is reused."),
      id: z.number().int().positive().optional().describe("Pin an existing Content Import Source by id."),
    })
    .describe("The Intercom Content Import Source the pages belong to."),
  availability: availabilitySchema.optional(),
  rules: rulesSchema.optional(),
  transform: transformOptionsSchema.optional().describe("How bodies become clean HTML."),
  deletion: deletionSchema.optional(),
  webhook: z
    .strictObject({ secretEnv: envVarName.describe("Env var holding the webhook signing secret.") })
    .optional()
    .describe("Enables POST /webhooks/<id> for this source."),
  push: z
    .strictObject({
      notificationUrl: httpUrl.describe(
        "Public URL of this source's webhook (https://…/webhooks/<id>) the product delivers notifications to.",
      ),
      fallbackEvery: duration
        .optional()
        .describe("Polling interval while the subscription cannot be created or renewed. Default 15m."),
    })
    .optional()
    .describe(
      "Push notifications (Microsoft Graph subscriptions, Google Drive channels): the scheduler subscribes, renews before expiry and falls back to polling. Needs `webhook` (its secret is the subscription's client state).",
    ),
  concurrency: concurrency.optional(),
  // Connector toolkit: the source's request budget and network (ARCHITECTURE.md, "Connector toolkit").
  requestBudget: requestRateSchema
    .optional()
    .describe(
      "Requests per second or minute to the source's product, shared by every worker. Default: the connector's documented rate.",
    ),
  network: z
    .strictObject({
      caFile: z
        .string()
        .min(1)
        .describe(
          "PEM file of extra CAs trusted for this source (a private CA), relative to the working directory.",
        ),
    })
    .optional()
    .describe("Network of the source; proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY."),
};

const intercomSchema = z
  .strictObject({
    target: z
      .enum(["intercom", "sandbox"])
      .default("intercom")
      .describe(
        "intercom: the workspace of the token (a missing token is a config error). sandbox: a local Intercom sandbox embedded in the process (demos, trials); no token is read.",
      ),
    tokenEnv: envVarName
      .default("INTERCOM_ACCESS_TOKEN")
      .describe("Env var holding the access token (target intercom)."),
    region: z.enum(["us", "eu", "au"]).default("us").describe("Region of the workspace."),
    baseUrl: httpUrl
      .optional()
      .describe("Custom API origin (a proxy or a remote sandbox); wins over region."),
    sandboxDataFile: z
      .string()
      .min(1)
      .optional()
      .describe("File the embedded sandbox keeps its pages in. Default <dataDir>/sandbox.json."),
  })
  .describe("The Intercom workspace to sync into.");

const redisSchema = z
  .strictObject({
    url: z.string().min(1).default("redis://127.0.0.1:6379").describe("Redis URL (services only)."),
    keyPrefix: z
      .string()
      .min(1)
      .regex(/^[^\s{}]+$/, {
        error: "expected a prefix without spaces or braces (content-sync adds the cluster hash tags itself)",
      })
      .default("content-sync")
      .describe("Prefix of every key and queue."),
    cluster: z
      .boolean()
      .default(false)
      .describe(
        "Redis Cluster: url names a seed node (or several, comma-separated); keys are spread by hash tags.",
      ),
  })
  .describe("Redis for the scheduler and workers; inline CLI runs do not use it.");

const conversionSchema = z
  .strictObject({
    maxHeapMb: z
      .number()
      .int()
      .min(32)
      .max(8192)
      .default(128)
      .describe(
        "Heap cap of each conversion thread (DOCX, PDF, large HTML), MB. A document that needs more fails and is reported; raise it for very long Word files (a 400-page DOCX needs about 256), at the cost of the worker's peak memory.",
      ),
    threads: z
      .number()
      .int()
      .min(1)
      .max(16)
      .optional()
      .describe("Conversion threads per process. Default: one less than the cores, at least 1, at most 2."),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(60)
      .describe("Longest one document may convert; its thread is then stopped and the document reported."),
  })
  .describe("The bounded worker threads DOCX, PDF and large bodies convert in, per process.");

const defaultsSchema = z
  .strictObject({
    schedule: scheduleSchema.optional(),
    availability: availabilitySchema.optional(),
    transform: transformOptionsSchema.optional(),
    deletion: deletionSchema.optional(),
    concurrency: concurrency.optional(),
  })
  .describe("Values every source inherits unless it sets its own.");

/**
 * Builds a source schema per registered connector type, discriminated by `type`, so an unknown type
 * is answered with every known one. A type that is not loaded yet gets its options schema only when
 * a source of that type is validated (`z.lazy`): `loadConfig` loads the types a config names first,
 * so the others are never imported, and a caller that skipped loading gets the registry's error
 * saying so instead of a silently unvalidated `options`.
 */
function sourceSchemaFor(registry: ConnectorRegistry) {
  const variants = registry.types().map((type) => {
    const optionsOf = () => {
      const definition = registry.get(type);
      if (!definition) throw new Error(`connector type "${type}" vanished from the registry`);
      return definition.optionsSchema;
    };
    const options = registry.isLoaded(type) ? optionsOf() : z.lazy(optionsOf);
    return z.strictObject({
      ...sourceCommon,
      type: z.literal(type).describe("Connector type."),
      options: options.describe(`Options of the ${type} connector.`),
    });
  });
  const [first, ...rest] = variants;
  if (!first) throw new Error("the connector registry is empty: no source type can be configured");
  return z.discriminatedUnion("type", [first, ...rest]);
}

/**
 * The whole config file's schema for the connector types of `registry`. Every object is strict so a
 * typo is an error, not a silently ignored key.
 */
export function buildConfigSchema(registry: ConnectorRegistry) {
  return z
    .strictObject({
      $schema: z.string().optional().describe("JSON Schema reference for editors; ignored."),
      version: z.literal(1).optional().describe("Config format version."),
      dataDir: z
        .string()
        .min(1)
        .default(".data")
        .describe("Folder for local state and the embedded sandbox, relative to the working directory."),
      intercom: intercomSchema.prefault({}),
      redis: redisSchema.prefault({}),
      conversion: conversionSchema.prefault({}),
      defaults: defaultsSchema.optional(),
      sources: z.array(sourceSchemaFor(registry)).min(1, { error: "expected at least one source" }),
    })
    .superRefine((config, ctx) => {
      const seen = new Map<string, number>();
      config.sources.forEach((source, index) => {
        const first = seen.get(source.id);
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["sources", index, "id"],
            message: `duplicate source id "${source.id}" (already used by sources[${first}])`,
          });
        } else seen.set(source.id, index);
      });
      // Two sources writing under one Content Import Source would overwrite and delete each other's pages.
      const byUrl = new Map<string, number>();
      config.sources.forEach((source, index) => {
        const url = normaliseSourceUrl(source.contentImportSource.url);
        const first = byUrl.get(url);
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["sources", index, "contentImportSource", "url"],
            message: `sources[${first}] (${config.sources[first]?.id}) already uses this Content Import Source URL; each source needs its own, or they overwrite and delete each other's pages`,
          });
        } else byUrl.set(url, index);
      });
      const pinned = new Map<number, number>();
      config.sources.forEach((source, index) => {
        const id = source.contentImportSource.id;
        if (id === undefined) return;
        const first = pinned.get(id);
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["sources", index, "contentImportSource", "id"],
            message: `sources[${first}] (${config.sources[first]?.id}) already pins Content Import Source ${id}`,
          });
        } else pinned.set(id, index);
      });
      config.sources.forEach((source, index) => {
        if (source.push && !source.webhook) {
          ctx.addIssue({
            code: "custom",
            path: ["sources", index, "push"],
            message:
              "push needs `webhook: { secretEnv }` too: notifications arrive on the webhook, and its secret is the subscription's client state",
          });
        }
      });
      // Availability has no built-in default: a private handbook must not reach customers unnoticed.
      config.sources.forEach((source, index) => {
        for (const [key, product] of [
          ["aiAgent", "Fin AI Agent (answers customers)"],
          ["aiCopilot", "Fin AI Copilot (assists teammates)"],
        ] as const) {
          if (
            source.availability?.[key] === undefined &&
            config.defaults?.availability?.[key] === undefined
          ) {
            ctx.addIssue({
              code: "custom",
              path: ["sources", index, "availability", key],
              message: `missing: say whether ${product} may use the pages of "${source.id}" (set sources[${index}].availability.${key} or defaults.availability.${key} to true or false)`,
            });
          }
        }
      });
    });
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;
/** The config as validated, before defaults are merged into sources. */
export type RawConfig = z.output<ConfigSchema>;

/** Content Import Source URLs compared the way Intercom's users mean them: host case and a trailing slash aside. */
function normaliseSourceUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname.replace(/\/+$/, "")}${parsed.search}`;
  } catch {
    return url.replace(/\/+$/, "");
  }
}

function isKnownTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
