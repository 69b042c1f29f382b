import type { ConnectorRegistry } from "@content-sync/connectors";
import { requestRateSchema, transformOptionsSchema } from "@content-sync/connectors";
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { DURATION_PATTERN } from "./duration.js";

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
    CronExpressionParser.parse(expression);
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
    aiAgent: z.boolean().optional().describe("Fin AI Agent may answer from these pages. Default true."),
    aiCopilot: z.boolean().optional().describe("Fin AI Copilot may answer from these pages. Default true."),
  })
  .describe("Which Fin products use the pages.");

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
    tokenEnv: envVarName
      .default("INTERCOM_ACCESS_TOKEN")
      .describe("Env var holding the access token. When it is unset, the embedded sandbox is the target."),
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
    keyPrefix: z.string().min(1).default("content-sync").describe("Prefix of every key and queue."),
  })
  .describe("Redis for the scheduler and workers; inline CLI runs do not use it.");

const defaultsSchema = z
  .strictObject({
    schedule: scheduleSchema.optional(),
    availability: availabilitySchema.optional(),
    transform: transformOptionsSchema.optional(),
    deletion: deletionSchema.optional(),
    concurrency: concurrency.optional(),
  })
  .describe("Values every source inherits unless it sets its own.");

/** Builds a source schema per registered connector type, discriminated by `type`. */
function sourceSchemaFor(registry: ConnectorRegistry) {
  const variants = registry.types().map((type) => {
    const definition = registry.get(type);
    if (!definition) throw new Error(`connector type "${type}" vanished from the registry`);
    return z.strictObject({
      ...sourceCommon,
      type: z.literal(type).describe("Connector type."),
      options: definition.optionsSchema.describe(`Options of the ${type} connector.`),
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
    });
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;
/** The config as validated, before defaults are merged into sources. */
export type RawConfig = z.output<ConfigSchema>;

function isKnownTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
