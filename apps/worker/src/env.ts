import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const positiveInt = z.coerce.number().int().min(1);

/**
 * The worker process's environment, parsed once at boot; a bad value names the variable. Flags of
 * `content-sync-worker` win over these (see worker-settings.ts).
 */
export const workerEnvSchema = z.object({
  /** Config file. */
  CONTENT_SYNC_CONFIG: z.string().min(1).default("content-sync.yaml"),
  /** Jobs processed at once by this process. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /** Port of the health and metrics endpoint (0 picks a free one). */
  PORT: z.coerce.number().int().min(0).max(65_535).default(8081),
  /** Interface of the health and metrics endpoint: loopback for a bare run, 0.0.0.0 in the image. */
  CONTENT_SYNC_HOST: z.string().min(1).default("127.0.0.1"),
  /** How long SIGTERM lets running jobs finish before aborting them (they checkpoint), ms. */
  CONTENT_SYNC_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
  /** How soon a dead worker's jobs are taken over, ms. */
  CONTENT_SYNC_LOCK_DURATION_MS: positiveInt.default(30_000),
  /** How often this worker looks for stalled jobs, ms. */
  CONTENT_SYNC_STALLED_INTERVAL_MS: positiveInt.default(30_000),
  /** Documents per fan-out batch of a full run. */
  CONTENT_SYNC_BATCH_SIZE: positiveInt.default(100),
});

export type WorkerEnv = z.output<typeof workerEnvSchema>;

export function parseWorkerEnv(env: Readonly<Record<string, string | undefined>>): WorkerEnv {
  // An empty variable (`PORT=` in an env file) means unset, not zero.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const result = workerEnvSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new WorkerSettingsError(`invalid worker environment: ${problems.join("; ")}`);
  }
  return result.data;
}

/** A flag or environment variable of the worker is wrong: exit 2, nothing started. */
export class WorkerSettingsError extends Error {
  override readonly name = "WorkerSettingsError";
}

export const isWorkerSettingsError = (error: unknown): error is WorkerSettingsError =>
  error instanceof WorkerSettingsError;
