import path from "node:path";
import {
  builtInRegistry,
  loadConfig,
  ServiceContext,
  startWorkerService,
  type SyncWorkerHandle,
} from "@content-sync/sync";
import type { Logger } from "pino";
import type { WorkerEnv } from "./env.js";

export interface WorkerApp {
  context: ServiceContext;
  worker: SyncWorkerHandle;
  /** Re-reads the config (SIGHUP); an invalid one is logged and ignored. */
  reload(): Promise<void>;
  /** Drains: no new jobs, running ones finish within the grace period, then Redis closes. */
  close(): Promise<void>;
}

/** Wires config, Redis and the engine to a queue worker; all logic lives in @content-sync/sync. */
export async function startWorkerApp(
  env: WorkerEnv,
  rawEnv: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): Promise<WorkerApp> {
  const registry = builtInRegistry();
  const file = path.resolve(env.CONTENT_SYNC_CONFIG);
  const config = await loadConfig(file, { registry, env: rawEnv });
  const context = new ServiceContext({ config, registry, env: rawEnv, role: "worker", logger });
  try {
    const worker = await startWorkerService(context, {
      concurrency: env.WORKER_CONCURRENCY,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    });
    return {
      context,
      worker,
      reload: async () => {
        try {
          context.replaceConfig(await loadConfig(file, { registry, env: rawEnv }));
          logger.info("config reloaded");
        } catch (error) {
          logger.error(
            { err: (error as Error).message },
            "config reload failed; keeping the previous config",
          );
        }
      },
      close: async () => {
        await worker.close();
        await context.close();
      },
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}
