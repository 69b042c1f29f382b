import { parseArgs } from "node:util";
import { parseWorkerEnv, type WorkerEnv, WorkerSettingsError, workerEnvSchema } from "./env.js";

export const WORKER_USAGE = `Usage: content-sync-worker [options]

Runs a worker: takes sync jobs (source runs, document batches, webhook jobs) from the queue on Redis
and writes to Intercom. Start as many as you like, on any machine that reaches the same Redis: runs of
one source never overlap, large sources are shared through batches, and Intercom's rate limit is
shared by the whole fleet. Serves /healthz, /readyz and /metrics (Prometheus) for its orchestrator.

Options (each wins over its environment variable):
  -c, --config FILE   config file ($CONTENT_SYNC_CONFIG, default ./content-sync.yaml); SIGHUP reloads it
  --concurrency N     jobs processed at once ($WORKER_CONCURRENCY, default 4)
  --port N            health and metrics port ($PORT, default 8081; 0 picks a free one)
  --host ADDR         interface for it ($CONTENT_SYNC_HOST, default 127.0.0.1; the image sets 0.0.0.0)
  --log-level LEVEL   fatal|error|warn|info|debug|trace|silent ($LOG_LEVEL, default info)
  -v, --version       the version
  -h, --help          this help

Environment (tuning): CONTENT_SYNC_LOCK_DURATION_MS (default 30000: how soon a dead worker's jobs are
taken over), CONTENT_SYNC_STALLED_INTERVAL_MS (default 30000), CONTENT_SYNC_BATCH_SIZE (documents per
fan-out batch, default 100), CONTENT_SYNC_SHUTDOWN_GRACE_MS (how long SIGTERM waits for running jobs
before aborting them, default 25000). REDIS_URL wins over the config's redis.url; the Intercom token
comes from the variable the config's intercom.tokenEnv names.

SIGTERM drains: no new jobs, running ones finish (or checkpoint), then exit. Exit code 2 on a bad
flag, variable or config.`;

const FLAGS = {
  config: { type: "string", short: "c" },
  concurrency: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  "log-level": { type: "string" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

export type WorkerInvocation = { kind: "help" } | { kind: "version" } | { kind: "run"; settings: WorkerEnv };

/** Flags over environment, checked by the same schema: a bad value names the flag or the variable. */
export function parseWorkerInvocation(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): WorkerInvocation {
  let values: { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]["type"] extends "string" ? string : boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new WorkerSettingsError((error as Error).message.split("\n")[0] ?? String(error));
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const fromEnv = parseWorkerEnv(env);
  const flags: [keyof WorkerEnv, string, string | undefined][] = [
    ["CONTENT_SYNC_CONFIG", "--config", values.config],
    ["WORKER_CONCURRENCY", "--concurrency", values.concurrency],
    ["PORT", "--port", values.port],
    ["CONTENT_SYNC_HOST", "--host", values.host],
    ["LOG_LEVEL", "--log-level", values["log-level"]],
  ];
  const settings: Record<string, unknown> = { ...fromEnv };
  for (const [key, flag, value] of flags) {
    if (value === undefined) continue;
    const parsed = workerEnvSchema.shape[key].safeParse(value);
    if (!parsed.success) {
      throw new WorkerSettingsError(
        `${flag}: ${parsed.error.issues[0]?.message ?? "invalid"}, got "${value}"`,
      );
    }
    settings[key] = parsed.data;
  }
  return { kind: "run", settings: settings as WorkerEnv };
}
