import { parseArgs } from "node:util";
import { builtInRegistry, collectStatus, formatStatus, ServiceContext } from "@content-sync/sync";
import { createCliLogger } from "../cli-logger.js";
import type { CliCommand, CliContext } from "../command.js";
import { EXIT } from "../command.js";
import { resolveConfigPath } from "../config-path.js";
import { withUsageErrors } from "../parse-flags.js";
import { loadServiceConfig } from "../../service-cli.js";

const FLAGS = {
  config: { type: "string", short: "c" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const USAGE = `Usage: content-sync status [options]

Shows, from Redis, each source's schedules, last runs with their counts and per-document errors, the
lag since its last good run, and the queue (waiting, active, failed jobs).

Options:
  -c, --config FILE  config file (default: $CONTENT_SYNC_CONFIG or ./content-sync.yaml)
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
    const config = await loadServiceConfig(resolveConfigPath(values.config, ctx), ctx);
    if (!config) return EXIT.usage;
    const context = new ServiceContext({
      config,
      registry: builtInRegistry(),
      env: ctx.env,
      role: "cli",
      logger: createCliLogger(ctx.stderr, ctx.env.LOG_LEVEL, "warn"),
    });
    try {
      const report = await collectStatus({
        queue: context.queue,
        ledger: context.ledger,
        lock: context.lock,
        sources: config.sources,
      });
      ctx.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
      return EXIT.ok;
    } finally {
      await context.close();
    }
  },
};
