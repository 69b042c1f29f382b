import type { Logger } from "pino";
import type { ContentSyncConfig, SourceConfig } from "../config/types.js";
import { PushSubscriptionManager } from "./push-subscriptions.js";
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
  /** How often push subscriptions are checked and renewed, ms. Default 60 000. */
  pushCheckMs?: number;
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
  const push = new PushSubscriptionManager({
    redis: context.connection,
    keyspace: context.keyspace,
    queue: context.queue,
    connectorFor: (source) => context.connectors.get(source),
    env: context.env,
    logger: logger.child({ module: "push" }),
  });
  context.push = push;
  const pushTick = (previous: readonly SourceConfig[] = []) =>
    push.tick(context.config.sources, previous).catch((error: unknown) => {
      logger.warn({ err: (error as Error).message }, "push subscriptions could not be checked");
    });
  void pushTick();
  const pushTimer = setInterval(() => void pushTick(), options.pushCheckMs ?? 60_000);
  pushTimer.unref();
  const reloader = new ConfigReloader({
    file: options.configFile,
    load: options.load,
    watchFile: options.watchFile,
    logger,
    onReload: async (config) => {
      const previous = context.config.sources;
      context.replaceConfig(config);
      await syncSchedules(context.queue, config.sources, logger);
      await pushTick(previous);
    },
  });
  return {
    reload: () => reloader.reload(),
    close: () => {
      clearInterval(epochTimer);
      clearInterval(pushTimer);
      reloader.close();
    },
  };
}
