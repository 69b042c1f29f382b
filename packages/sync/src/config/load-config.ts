import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ConnectorRegistry } from "@content-sync/connectors/core";
import { transformOptionsSchema } from "@content-sync/connectors/core";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import type { ConfigIssue } from "./config-error.js";
import { ConfigError, formatPath } from "./config-error.js";
import { parseDuration } from "./duration.js";
import { interpolateEnv } from "./interpolate-env.js";
import type { RawConfig } from "./schema.js";
import { buildConfigSchema } from "./schema.js";
import type { ContentSyncConfig, SourceConfig } from "./types.js";
import { BUILT_IN_DEFAULTS } from "./types.js";

export interface LoadConfigOptions {
  /** Connector types the config may use; each validates its source's `options`. */
  registry: ConnectorRegistry;
  /** Environment for `${VAR}` references. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base for relative `dataDir` and sandbox paths. Default `process.cwd()`. */
  cwd?: string;
  /**
   * Refuse a config that targets Intercom while its token env var is unset (default true). Only a
   * process that never calls Intercom (a scheduler without a worker, a schema check) turns it off.
   */
  requireIntercomToken?: boolean;
}

/** Reads, interpolates and validates a config file; throws ConfigError naming file, path and problem. */
export async function loadConfig(file: string, options: LoadConfigOptions): Promise<ContentSyncConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new ConfigError(file, [{ path: "", message: `cannot read the config: ${reason}` }], {
      cause: error,
    });
  }
  const document = readDocument(text, file, options);
  // Import the connectors this config names (and only those) so their schemas validate `options`.
  await Promise.all(namedSourceTypes(document.interpolated).map((type) => options.registry.load(type)));
  return validateDocument(document, file, options);
}

/**
 * Same as loadConfig for text already in memory; `file` is only used in messages. Synchronous, so
 * the registry must already hold the types the text names: eager definitions, or lazy ones loaded
 * with `registry.load` / `loadAll` (loadConfig does that itself).
 */
export function parseConfig(text: string, file: string, options: LoadConfigOptions): ContentSyncConfig {
  const document = readDocument(text, file, options);
  for (const type of namedSourceTypes(document.interpolated)) {
    if (options.registry.has(type) && !options.registry.isLoaded(type)) {
      throw new Error(
        `parseConfig: connector type "${type}" is not loaded; await registry.load("${type}") first, or use loadConfig`,
      );
    }
  }
  return validateDocument(document, file, options);
}

/** The `type` strings of `sources[]`, deduplicated; anything else is left to the schema to report. */
function namedSourceTypes(interpolated: unknown): string[] {
  const sources = (interpolated as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(sources)) return [];
  const types = sources
    .map((source) => (source as { type?: unknown } | null)?.type)
    .filter((type): type is string => typeof type === "string");
  return [...new Set(types)];
}

type Locate = (
  issuePath: readonly PropertyKey[],
  unknownKey?: string,
) => Pick<ConfigIssue, "line" | "column">;

/** The YAML read and `${VAR}`s interpolated: what validation starts from. */
interface ConfigDocument {
  interpolated: unknown;
  /** Problems found so far (unset environment variables), located in the file. */
  issues: ConfigIssue[];
  locate: Locate;
}

function readDocument(text: string, file: string, options: LoadConfigOptions): ConfigDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          path: "",
          line: position.line,
          column: position.col,
          message: `YAML: ${firstLine(error.message)}`,
        };
      }),
    );
  }
  const locate: Locate = (issuePath, unknownKey) => {
    if (unknownKey !== undefined) {
      // Point at the misspelt key itself rather than at its value or the enclosing object.
      const parent = document.getIn(issuePath as unknown[], true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === unknownKey);
        const range = isScalar(pair?.key) ? pair.key.range : undefined;
        if (range) {
          const position = lineCounter.linePos(range[0]);
          return { line: position.line, column: position.col };
        }
      }
    }
    for (let length = issuePath.length; length >= 0; length--) {
      const node = document.getIn(issuePath.slice(0, length) as unknown[], true) as {
        range?: [number, number, number];
      };
      if (node && typeof node === "object" && Array.isArray(node.range)) {
        const position = lineCounter.linePos(node.range[0]);
        return { line: position.line, column: position.col };
      }
    }
    return {};
  };

  const issues: ConfigIssue[] = [];
  const interpolated = interpolateEnv(document.toJS() ?? {}, options.env ?? process.env, issues);
  for (const issue of issues) Object.assign(issue, locate(pathFromText(issue.path)));
  return { interpolated, issues, locate };
}

function validateDocument(
  { interpolated, issues, locate }: ConfigDocument,
  file: string,
  options: LoadConfigOptions,
): ContentSyncConfig {
  const result = buildConfigSchema(options.registry).safeParse(interpolated);
  if (!result.success) issues.push(...result.error.issues.flatMap((issue) => toConfigIssues(issue, locate)));
  if (issues.length > 0 || !result.success) throw new ConfigError(file, issues);

  const config = resolveConfig(result.data, interpolated as RawInput, options.cwd ?? process.cwd(), file);
  const env = options.env ?? process.env;
  if (
    options.requireIntercomToken !== false &&
    config.intercom.target === "intercom" &&
    !env[config.intercom.tokenEnv]
  ) {
    throw new ConfigError(file, [
      {
        path: "intercom.tokenEnv",
        ...locate(["intercom"]),
        message: `the env var ${config.intercom.tokenEnv} holding the Intercom access token is not set (export it, or set intercom.target: sandbox to sync into a local sandbox instead)`,
      },
    ]);
  }
  return config;
}

type RawInput = { defaults?: { transform?: object }; sources?: { transform?: object }[] };

/** Merges `defaults` and built-in defaults into every source and makes paths absolute. */
function resolveConfig(config: RawConfig, raw: RawInput, cwd: string, file: string): ContentSyncConfig {
  const dataDir = path.resolve(cwd, config.dataDir);
  const defaults = config.defaults ?? {};
  const sources = config.sources.map((source, index): SourceConfig => {
    // Transform options merge field by field on the raw input, so the schema's own defaults do not
    // override what `defaults.transform` says.
    const transformInput = { ...(raw.defaults?.transform ?? {}), ...(raw.sources?.[index]?.transform ?? {}) };
    const transform = transformOptionsSchema.safeParse(transformInput);
    if (!transform.success) {
      throw new ConfigError(
        file,
        transform.error.issues.map((issue) => ({
          path: formatPath(["sources", index, "transform", ...issue.path]),
          message: `${cleanMessage(issue.message)} (after merging defaults.transform)`,
        })),
      );
    }
    // The schema refused sources whose availability neither they nor `defaults` state.
    const availability = {
      aiAgent: source.availability?.aiAgent ?? defaults.availability?.aiAgent ?? false,
      aiCopilot: source.availability?.aiCopilot ?? defaults.availability?.aiCopilot ?? false,
    };
    const deletion = source.deletion ?? defaults.deletion ?? { maxDeletes: BUILT_IN_DEFAULTS.maxDeletes };
    const schedule = source.schedule ?? defaults.schedule;
    return {
      id: source.id,
      name: source.name ?? source.id,
      type: source.type,
      enabled: source.enabled ?? true,
      ...(schedule ? { schedule } : {}),
      contentImportSource: source.contentImportSource,
      availability,
      rules: source.rules ?? {},
      transform: transform.data,
      deletion: {
        maxDeletes: deletion.maxDeletes,
        windowMs: parseDuration(
          deletion.window ?? defaults.deletion?.window ?? BUILT_IN_DEFAULTS.deletionWindow,
        ),
      },
      ...(source.webhook ? { webhook: source.webhook } : {}),
      ...(source.push
        ? {
            push: {
              notificationUrl: source.push.notificationUrl,
              fallbackEveryMs: parseDuration(source.push.fallbackEvery ?? "15m"),
            },
          }
        : {}),
      concurrency: source.concurrency ?? defaults.concurrency ?? BUILT_IN_DEFAULTS.concurrency,
      ...(source.requestBudget ? { requestBudget: source.requestBudget } : {}),
      ...(source.network ? { network: { caFile: path.resolve(cwd, source.network.caFile) } } : {}),
      options: source.options,
    };
  });
  return {
    file,
    dataDir,
    intercom: {
      target: config.intercom.target,
      tokenEnv: config.intercom.tokenEnv,
      region: config.intercom.region,
      ...(config.intercom.baseUrl ? { baseUrl: config.intercom.baseUrl } : {}),
      sandboxDataFile: path.resolve(dataDir, config.intercom.sandboxDataFile ?? "sandbox.json"),
    },
    redis: config.redis,
    conversion: config.conversion,
    sources,
  };
}

function toConfigIssues(issue: z.core.$ZodIssue, locate: Locate): ConfigIssue[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const keyPath = [...issue.path, key];
      return {
        path: formatPath(keyPath),
        ...locate(issue.path, key),
        message: `unknown key "${key}" (check the spelling)`,
      };
    });
  }
  return [{ path: formatPath(issue.path), ...locate(issue.path), message: cleanMessage(issue.message) }];
}

function cleanMessage(message: string): string {
  const missing = /^Invalid input: expected (.+), received undefined$/.exec(message);
  if (missing) return `missing (expected ${missing[1]})`;
  return message.replace(/^Invalid input: /, "");
}

function pathFromText(text: string): PropertyKey[] {
  const segments: PropertyKey[] = [];
  for (const match of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[1] !== undefined) segments.push(match[1]);
  }
  return segments;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
