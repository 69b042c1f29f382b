import path from "node:path";
import {
  applyConversionLimits,
  builtInRegistry,
  loadConfig,
  ServiceContext,
  startWorkerService,
  type SyncWorkerHandle,
} from "@content-sync/sync";
import type { Logger } from "pino";
import type { WorkerEnv } from "./env.js";
import { type HealthServer, startHealthServer } from "./health-server.js";
import { createWorkerMetrics } from "./worker-metrics.js";

export interface WorkerApp {
  context: ServiceContext;
  worker: SyncWorkerHandle;
  health: HealthServer;
  /** Re-reads the config (SIGHUP); an invalid one is logged and ignored. */
  reload(): Promise<void>;
  /** Drains: no new jobs, running ones finish within the grace period, then HTTP and Redis close. */
  close(): Promise<void>;
}

/**
 * Wires config, Redis, the engine and the health/metrics endpoint to a queue worker; all sync logic
 * lives in @content-sync/sync. `cwd` resolves a relative config path.
 */
export async function startWorkerApp(
  settings: WorkerEnv,
  rawEnv: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  cwd: string = process.cwd(),
): Promise<WorkerApp> {
  const registry = builtInRegistry();
  const file = path.resolve(cwd, settings.CONTENT_SYNC_CONFIG);
  const load = () => loadConfig(file, { registry, env: rawEnv, cwd });
  const config = await load();
  applyConversionLimits(config);
  const context = new ServiceContext({ config, registry, env: rawEnv, role: "worker", logger });
  let worker: SyncWorkerHandle | undefined;
  try {
    worker = await startWorkerService(context, {
      concurrency: settings.WORKER_CONCURRENCY,
      shutdownGraceMs: settings.CONTENT_SYNC_SHUTDOWN_GRACE_MS,
      lockDurationMs: settings.CONTENT_SYNC_LOCK_DURATION_MS,
      stalledIntervalMs: settings.CONTENT_SYNC_STALLED_INTERVAL_MS,
      fanOut: { batchSize: settings.CONTENT_SYNC_BATCH_SIZE },
    });
    const running = worker;
    let draining = false;
    const health = await startHealthServer({
      port: settings.PORT,
      host: settings.CONTENT_SYNC_HOST,
      metrics: createWorkerMetrics(running),
      ready: async () => !draining && running.worker.isRunning() && (await context.redisReachable()),
    });
    return {
      context,
      worker: running,
      health,
      reload: async () => {
        try {
          context.replaceConfig(await load());
          logger.info({ sources: context.config.sources.length }, "config reloaded");
        } catch (error) {
          logger.error(
            { err: (error as Error).message },
            "config reload failed; keeping the previous config",
          );
        }
      },
      close: async () => {
        draining = true;
        await running.close();
        await health.close();
        await context.close();
      },
    };
  } catch (error) {
    await worker?.close();
    await context.close();
    throw error;
  }
}
