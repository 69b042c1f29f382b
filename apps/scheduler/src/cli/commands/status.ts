import { parseArgs } from "node:util";
import {
  builtInRegistry,
  collectStatus,
  formatStatus,
  ServiceContext,
  statusSources,
} from "@content-sync/sync";
import { createCliLogger } from "../cli-logger.js";
import type { CliCommand, CliContext } from "../command.js";
import { EXIT } from "../command.js";
import { resolveConfigPath } from "../config-path.js";
import { withUsageErrors } from "../parse-flags.js";
import { loadServiceConfig } from "../../service-cli.js";

const FLAGS = {
  config: { type: "string", short: "c" },
  run: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const USAGE = `Usage: content-sync status [options]

Shows, from Redis, each source's schedules, last runs with their counts and per-document errors, the
lag since its last good run, and the queue (waiting, active, failed jobs).

Options:
  -c, --config FILE  config file (default: $CONTENT_SYNC_CONFIG or ./content-sync.yaml)
  --run ID           one run: its counts and its audit trail (each page created, updated or
                     deleted, with its page id and why)
  --json             the report as JSON
  -h, --help         this help`;

export const statusCommand: CliCommand = {
  name: "status",
  usage: USAGE,
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const { values } = withUsageErrors(() => parseArgs({ args: [...argv], options: FLAGS, strict: true }));
    if (values.help) {
      ctx.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const config = await loadServiceConfig(resolveConfigPath(values.config, ctx), ctx, false);
    if (!config) return EXIT.usage;
    const context = new ServiceContext({
      config,
      registry: builtInRegistry(),
      env: ctx.env,
      role: "cli",
      logger: createCliLogger(ctx.stderr, ctx.env.LOG_LEVEL, "warn"),
    });
    try {
      if (values.run !== undefined)
        return await showRun(
          context,
          config.sources.map((source) => source.id),
          values.run,
          values.json ?? false,
          ctx,
        );
      const report = await collectStatus(statusSources(context));
      ctx.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
      return EXIT.ok;
    } finally {
      await context.close();
    }
  },
};

/** `status --run ID`: the run's record and its audit trail. */
async function showRun(
  context: ServiceContext,
  sourceIds: readonly string[],
  runId: string,
  json: boolean,
  ctx: CliContext,
): Promise<number> {
  for (const sourceId of [...sourceIds, ...(await context.state.listSourceIds())]) {
    const run = await context.ledger.findRun(sourceId, runId);
    if (!run) continue;
    const changes = await context.ledger.changes(sourceId, runId, 0, 10_000);
    if (json) {
      ctx.stdout.write(`${JSON.stringify({ run, changes }, null, 2)}\n`);
      return EXIT.ok;
    }
    const c = run.counts;
    const lines = [
      `${run.runId} ${run.sourceId} ${run.mode} (${run.trigger}) ${run.status} ${new Date(run.startedAt).toISOString()} → ${new Date(run.finishedAt).toISOString()}`,
      `  ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.failed} failed${run.message ? ` — ${run.message}` : ""}`,
    ];
    for (const change of changes) {
      lines.push(
        `  ${new Date(change.at).toISOString()} ${change.action.padEnd(7)} ${change.externalId}${change.pageId ? ` (page ${change.pageId})` : ""}${change.reason ? `: ${change.reason}` : ""}`,
      );
    }
    if ((run.changes ?? changes.length) > changes.length)
      lines.push(`  … ${(run.changes ?? 0) - changes.length} more`);
    if (changes.length === 0) lines.push("  no page was created, updated or deleted");
    for (const error of run.errors) lines.push(`  ✗ ${error.externalId}: ${error.message}`);
    ctx.stdout.write(`${lines.join("\n")}\n`);
    return EXIT.ok;
  }
  ctx.stderr.write(
    `no run "${runId}" in the history of ${sourceIds.join(", ")} (the last 50 runs per source are kept)\n`,
  );
  return EXIT.usage;
}
