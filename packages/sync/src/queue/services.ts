import type { Logger } from "pino";
import type { ContentSyncConfig } from "../config/types.js";
import { ConfigReloader } from "./config-reloader.js";
import { syncSchedules } from "./scheduler-runtime.js";
import type { ServiceContext } from "./service-context.js";
import { type SyncWorkerHandle, type SyncWorkerOptions, startSyncWorker } from "./worker-runtime.js";

export type WorkerServiceOptions = Pick<
  SyncWorkerOptions,
  | "concurrency"
  | "fanOut"
  | "lockDurationMs"
  | "stalledIntervalMs"
  | "maxStalledCount"
  | "shutdownGraceMs"
  | "sourceLockTtlMs"
  | "waitingLeaseTtlMs"
>;

/** A worker on the context's queue with the real engine. Closing it leaves the context open. */
export async function startWorkerService(
  context: ServiceContext,
  options: WorkerServiceOptions = {},
): Promise<SyncWorkerHandle> {
  const { engine, limiter } = context.createEngine();
  const handle = await startSyncWorker({
    ...options,
    connection: context.connection,
    keyspace: context.keyspace,
    queue: context.queue,
    state: context.state,
    engine,
    limiter,
    sources: () => context.sources(),
    logger: context.logger.child({ module: "worker" }),
  });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await engine.close();
    },
  };
}

export interface SchedulerServiceOptions {
  /** The config file to watch and reload. */
  configFile: string;
  load: (file: string) => Promise<ContentSyncConfig>;
  /** Reload when the file changes (SIGHUP always works). Default true. */
  watchFile?: boolean;
  /** How often the keyspace epoch is checked (a wiped Redis is noticed within this), ms. Default 5 000. */
  epochCheckMs?: number;
  logger?: Logger;
}

export interface SchedulerService {
  /** Re-reads the config and brings the job schedulers in step (SIGHUP). */
  reload(): Promise<void>;
  close(): void;
}

/**
 * Registers the config's job schedulers now and after every config change; the removed sources' ones
 * are removed. The context's sources follow the reloaded config (webhooks, status).
 */
export async function startSchedulerService(
  context: ServiceContext,
  options: SchedulerServiceOptions,
): Promise<SchedulerService> {
  const logger = options.logger ?? context.logger.child({ module: "scheduler" });
  const checkEpoch = () =>
    context.epoch.check({ sources: context.config.sources, queue: context.queue, state: context.state });
  // A first start (or a Redis that lost its data) recovers before anything else is scheduled.
  if (!(await checkEpoch())) await syncSchedules(context.queue, context.config.sources, logger);
  const epochTimer = setInterval(() => {
    checkEpoch().catch((error: unknown) =>
      logger.warn({ err: (error as Error).message }, "keyspace epoch check failed"),
    );
  }, options.epochCheckMs ?? 5_000);
  epochTimer.unref();
  const reloader = new ConfigReloader({
    file: options.configFile,
    load: options.load,
    watchFile: options.watchFile,
    logger,
    onReload: async (config) => {
      context.replaceConfig(config);
      await syncSchedules(context.queue, config.sources, logger);
    },
  });
  return {
    reload: () => reloader.reload(),
    close: () => {
      clearInterval(epochTimer);
      reloader.close();
    },
  };
}
