import { z } from "zod";

/** The worker process's environment, parsed once at boot; a bad value names the variable. */
export const workerEnvSchema = z.object({
  CONTENT_SYNC_CONFIG: z.string().min(1).default("content-sync.yaml"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Grace period for running jobs on SIGTERM, ms. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
});

export type WorkerEnv = z.output<typeof workerEnvSchema>;

export function parseWorkerEnv(env: Readonly<Record<string, string | undefined>>): WorkerEnv {
  const result = workerEnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid worker environment: ${problems.join("; ")}`);
  }
  return result.data;
}
