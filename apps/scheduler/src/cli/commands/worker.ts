import { parseArgs } from "node:util";
import { builtInRegistry, loadConfig, ServiceContext, startWorkerService } from "@content-sync/sync";
import { createCliLogger } from "../cli-logger.js";
import type { CliCommand, CliContext } from "../command.js";
import { EXIT } from "../command.js";
import { resolveConfigPath } from "../config-path.js";
import { parsePositiveInt, withUsageErrors } from "../parse-flags.js";
import { loadServiceConfig, onSighup, untilStopped } from "../../service-cli.js";

const FLAGS = {
  config: { type: "string", short: "c" },
  concurrency: { type: "string" },
  "log-level": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const USAGE = `Usage: content-sync worker [options]

Runs a worker: takes sync jobs (source runs, document batches, webhook jobs) from the queue on Redis
and writes to Intercom. Start as many as you like, on any machine that reaches the same Redis: runs of
one source never overlap, large sources are shared through batches, and Intercom's rate limit is
shared by the whole fleet.

Options:
  -c, --config FILE   config file (default: $CONTENT_SYNC_CONFIG or ./content-sync.yaml); SIGHUP reloads it
  --concurrency N     jobs processed at once (default 4, or $WORKER_CONCURRENCY)
  --log-level LEVEL   fatal|error|warn|info|debug|trace|silent (default info, or $LOG_LEVEL)
  -h, --help          this help

Environment (tuning): CONTENT_SYNC_LOCK_DURATION_MS (default 30000: how soon a dead worker's jobs are
taken over), CONTENT_SYNC_STALLED_INTERVAL_MS (default 30000), CONTENT_SYNC_BATCH_SIZE (documents per
fan-out batch, default 100), CONTENT_SYNC_SHUTDOWN_GRACE_MS (how long SIGTERM waits for running jobs
before aborting them, default 25000).

SIGTERM drains: no new jobs, running ones finish (or checkpoint), then exit.`;

export const workerCommand: CliCommand = {
  name: "worker",
  summary: "run a queue worker (Redis); start several to scale out",
  usage: USAGE,
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const { values } = withUsageErrors(() => parseArgs({ args: [...argv], options: FLAGS, strict: true }));
    if (values.help) {
      ctx.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const concurrency = parsePositiveInt("concurrency", values.concurrency ?? ctx.env.WORKER_CONCURRENCY);
    const logger = createCliLogger(ctx.stderr, values["log-level"] ?? ctx.env.LOG_LEVEL, "info");
    const file = resolveConfigPath(values.config, ctx);
    const config = await loadServiceConfig(file, ctx);
    if (!config) return EXIT.usage;
    const registry = builtInRegistry();
    const context = new ServiceContext({ config, registry, env: ctx.env, role: "worker", logger });
    try {
      const worker = await startWorkerService(context, {
        concurrency,
        lockDurationMs: parsePositiveInt(
          "CONTENT_SYNC_LOCK_DURATION_MS",
          ctx.env.CONTENT_SYNC_LOCK_DURATION_MS,
        ),
        stalledIntervalMs: parsePositiveInt(
          "CONTENT_SYNC_STALLED_INTERVAL_MS",
          ctx.env.CONTENT_SYNC_STALLED_INTERVAL_MS,
        ),
        fanOut: {
          batchSize: parsePositiveInt("CONTENT_SYNC_BATCH_SIZE", ctx.env.CONTENT_SYNC_BATCH_SIZE) ?? 100,
        },
      });
      logger.info({ concurrency: worker.worker.concurrency }, "worker started");
      const stopHangup = onSighup(() => {
        loadConfig(file, { registry, env: ctx.env }).then(
          (next) => {
            context.replaceConfig(next);
            logger.info({ sources: next.sources.length }, "config reloaded");
          },
          (error: Error) =>
            logger.error({ err: error.message }, "config reload failed; keeping the previous config"),
        );
      });
      await untilStopped(ctx.signal);
      stopHangup();
      logger.info("draining: finishing running jobs");
      await worker.close();
      return EXIT.ok;
    } finally {
      await context.close();
    }
  },
};
