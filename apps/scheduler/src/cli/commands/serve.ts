import { parseArgs } from "node:util";
import { createCliLogger } from "../cli-logger.js";
import type { CliCommand, CliContext } from "../command.js";
import { EXIT } from "../command.js";
import { resolveConfigPath } from "../config-path.js";
import { parsePositiveInt, withUsageErrors } from "../parse-flags.js";
import { startSchedulerApp } from "../../scheduler-app.js";
import { onSighup, untilStopped } from "../../service-cli.js";

const FLAGS = {
  config: { type: "string", short: "c" },
  port: { type: "string" },
  host: { type: "string" },
  "scheduler-only": { type: "boolean" },
  concurrency: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const USAGE = `Usage: content-sync serve [options]

Runs the scheduler (job schedulers, webhooks, /healthz, /readyz, /metrics, status page at /status,
queue dashboard at /admin/queues) and a worker in one process, on the Redis of the config
(REDIS_URL wins). Scale out by starting \`content-sync worker\` processes against the same Redis.

Options:
  -c, --config FILE   config file (default: $CONTENT_SYNC_CONFIG or ./content-sync.yaml); reloaded on change and SIGHUP
  --port N            HTTP port (default: $PORT or 8080)
  --host ADDR         interface to bind (default 0.0.0.0)
  --scheduler-only    no worker in this process (run workers elsewhere)
  --concurrency N     jobs this process's worker runs at once (default 4)
  --log-level LEVEL   fatal|error|warn|info|debug|trace|silent (default info, or $LOG_LEVEL)
  -h, --help          this help

Environment: INTERCOM_ACCESS_TOKEN (or the config's intercom.tokenEnv), CONTENT_SYNC_ADMIN_TOKEN
(enables "sync now" and the queue dashboard), REDIS_URL, webhook secrets named by the config.
SIGTERM drains: no new jobs, running ones finish (or checkpoint), then exit.`;

export const serveCommand: CliCommand = {
  name: "serve",
  usage: USAGE,
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const { values } = withUsageErrors(() => parseArgs({ args: [...argv], options: FLAGS, strict: true }));
    if (values.help) {
      ctx.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const port = parsePositiveInt("port", values.port ?? ctx.env.PORT) ?? 8080;
    const concurrency = parsePositiveInt("concurrency", values.concurrency);
    const logger = createCliLogger(ctx.stderr, ctx.env.LOG_LEVEL, "info");
    const app = await startSchedulerApp({
      configFile: resolveConfigPath(values.config, ctx),
      env: ctx.env,
      port,
      host: values.host,
      withWorker: !values["scheduler-only"],
      worker: { concurrency },
      logger,
    });
    ctx.stdout.write(`content-sync serving on ${app.url} (status page ${app.url}/status)\n`);
    const stopHangup = onSighup(() => void app.reload());
    await untilStopped(ctx.signal);
    stopHangup();
    await app.close();
    return EXIT.ok;
  },
};
