import { parseArgs } from "node:util";
import { isConfigError } from "@content-sync/sync";
import { createCliLogger } from "../cli-logger.js";
import type { CliCommand, CliContext } from "../command.js";
import { EXIT, UsageError } from "../command.js";
import { displayPath, resolveConfigPath } from "../config-path.js";
import { parsePositiveInt, withUsageErrors } from "../parse-flags.js";
import { startSchedulerApp } from "../../scheduler-app.js";
import { onSighup, untilStopped } from "../../service-cli.js";

const FLAGS = {
  config: { type: "string", short: "c" },
  port: { type: "string" },
  host: { type: "string" },
  "trust-proxy": { type: "string" },
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
  --host ADDR         interface to bind (default: $CONTENT_SYNC_HOST or 127.0.0.1, this machine only;
                      0.0.0.0 for every interface, as the image does, so webhooks can reach it)
  --trust-proxy WHO   believe X-Forwarded-* (https detection) from: true, a hop count, or addresses
                      and CIDRs, comma-separated (default: $CONTENT_SYNC_TRUST_PROXY or none)
  --scheduler-only    no worker in this process (run workers elsewhere)
  --concurrency N     jobs this process's worker runs at once (default 4)
  --log-level LEVEL   fatal|error|warn|info|debug|trace|silent (default info, or $LOG_LEVEL)
  -h, --help          this help

Environment: INTERCOM_ACCESS_TOKEN (or the config's intercom.tokenEnv), CONTENT_SYNC_ADMIN_TOKEN
(needed for "sync now", the queue dashboard, document errors and failed jobs on the status page;
browsers log in to the dashboard once at /admin/login?token=…), CONTENT_SYNC_METRICS_TOKEN (when
set, /metrics wants it as a Bearer token), REDIS_URL, webhook secrets named by the config.
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
    const configFile = resolveConfigPath(values.config, ctx);
    let app: Awaited<ReturnType<typeof startSchedulerApp>>;
    try {
      app = await startSchedulerApp({
        configFile,
        env: ctx.env,
        port,
        host: values.host ?? (ctx.env.CONTENT_SYNC_HOST || undefined),
        trustProxy: parseTrustProxy(values["trust-proxy"] ?? (ctx.env.CONTENT_SYNC_TRUST_PROXY || undefined)),
        withWorker: !values["scheduler-only"],
        worker: { concurrency },
        logger,
      });
    } catch (error) {
      // An invalid config (a missing token included) stops here, before any job scheduler is written.
      if (!isConfigError(error)) throw error;
      ctx.stderr.write(`${error.message.replace(configFile, displayPath(configFile, ctx))}\n`);
      return EXIT.usage;
    }
    const everywhere = /^(0\.0\.0\.0|\[::\]):/.test(app.address);
    ctx.stdout.write(
      `content-sync listening on ${app.address}${everywhere ? " (every interface)" : ""}: status page ${app.url}/status\n`,
    );
    const stopHangup = onSighup(() => void app.reload());
    await untilStopped(ctx.signal);
    stopHangup();
    await app.close();
    return EXIT.ok;
  },
};

/** `--trust-proxy`: true/false, a hop count, or the addresses and CIDRs Fastify takes as a string. */
export function parseTrustProxy(value: string | undefined): boolean | number | string | undefined {
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (value.trim() === "")
    throw new UsageError("--trust-proxy expects true, false, a hop count or addresses");
  return value;
}
