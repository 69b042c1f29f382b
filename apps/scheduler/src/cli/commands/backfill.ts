import { parseArgs } from "node:util";
import { builtInRegistry, enqueueSourceRun, ServiceContext } from "@content-sync/sync";
import { createCliLogger } from "../cli-logger.js";
import type { CliCommand, CliContext } from "../command.js";
import { EXIT, UsageError } from "../command.js";
import { resolveConfigPath } from "../config-path.js";
import { withUsageErrors } from "../parse-flags.js";
import { loadServiceConfig } from "../../service-cli.js";

const FLAGS = {
  since: { type: "string" },
  incremental: { type: "boolean" },
  "force-deletes": { type: "boolean" },
  config: { type: "string", short: "c" },
  help: { type: "boolean", short: "h" },
} as const;

const USAGE = `Usage: content-sync backfill <source-id> [options]

Enqueues a run of the source for the workers and prints its job id (the run id in \`content-sync status\`).
By default a full run: everything is listed and re-checked, and pages of vanished documents are deleted.

Options:
  --since DATE       windowed backfill: only documents updated at or after DATE (ISO 8601, e.g. 2026-01-31
                     or 2026-01-31T12:00:00Z) are re-sent; no deletions
  --incremental      an incremental run instead (changes since the last cursor)
  --force-deletes    lift the source's deletion limit for this run
  -c, --config FILE  config file (default: $CONTENT_SYNC_CONFIG or ./content-sync.yaml)
  -h, --help         this help`;

/** `--since` as an ISO timestamp; a bare date means its start in UTC. */
export function parseSince(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--since expects a date such as 2026-01-31 or 2026-01-31T12:00:00Z, got "${value}"`);
  return date.toISOString();
}

export const backfillCommand: CliCommand = {
  name: "backfill",
  usage: USAGE,
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = withUsageErrors(() =>
      parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: true }),
    );
    if (values.help) {
      ctx.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError("name exactly one source id");
    if (values.incremental && values.since)
      throw new UsageError("--since applies to full runs; drop --incremental");
    const since = parseSince(values.since);
    const sourceId = positionals[0] as string;
    const config = await loadServiceConfig(resolveConfigPath(values.config, ctx), ctx, false);
    if (!config) return EXIT.usage;
    if (!config.sources.some((source) => source.id === sourceId)) {
      throw new UsageError(
        `unknown source "${sourceId}" (the config has: ${config.sources.map((s) => s.id).join(", ")})`,
      );
    }
    const context = new ServiceContext({
      config,
      registry: builtInRegistry(),
      env: ctx.env,
      role: "cli",
      logger: createCliLogger(ctx.stderr, ctx.env.LOG_LEVEL, "warn"),
    });
    try {
      const jobId = await enqueueSourceRun(context.queue, {
        sourceId,
        mode: values.incremental ? "incremental" : "full",
        trigger: "backfill",
        since,
        forceDeletes: values["force-deletes"],
      });
      ctx.stdout.write(`${jobId}\n`);
      return EXIT.ok;
    } finally {
      await context.close();
    }
  },
};
