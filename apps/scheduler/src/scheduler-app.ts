import type { ConnectorRegistry } from "@content-sync/connectors";
import {
  builtInRegistry,
  loadConfig,
  type SchedulerService,
  ServiceContext,
  startSchedulerService,
  startWorkerService,
  type SyncWorkerHandle,
  type WorkerServiceOptions,
} from "@content-sync/sync";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { pino } from "pino";
import { buildHttpServer } from "./http/http-server.js";

export interface SchedulerAppOptions {
  /** Absolute path of the config file (watched for changes). */
  configFile: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Connector types; default the built-in registry. */
  registry?: ConnectorRegistry;
  /** HTTP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to bind. Default 0.0.0.0 (webhooks come from outside). */
  host?: string;
  /** Also run a worker in this process (`content-sync serve`). Default false. */
  withWorker?: boolean;
  worker?: WorkerServiceOptions;
  /** Reload when the config file changes. Default true. */
  watchConfig?: boolean;
  /** Largest webhook body in bytes. Default 1 MiB. */
  maxWebhookBytes?: number;
  /** Quiet period ending a burst of webhook events for one document, ms. Default 1 000. */
  coalesceWindowMs?: number;
  now?: () => number;
  logger?: Logger;
}

export interface SchedulerApp {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  context: ServiceContext;
  http: FastifyInstance;
  scheduler: SchedulerService;
  worker: SyncWorkerHandle | undefined;
  /** Re-reads the config (SIGHUP). */
  reload(): Promise<void>;
  /** Stops HTTP, the worker (draining it) and the schedulers' reloader, then Redis. */
  close(): Promise<void>;
}

/**
 * The control plane: job schedulers kept in step with the config, the HTTP surface, and optionally a
 * worker in the same process. The admin token comes from CONTENT_SYNC_ADMIN_TOKEN.
 */
export async function startSchedulerApp(options: SchedulerAppOptions): Promise<SchedulerApp> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? pino({ level: "silent" });
  const registry = options.registry ?? builtInRegistry();
  // A scheduler without a worker never calls Intercom: it needs no token. With a worker it does, and a
  // config without one is refused here, before a single job scheduler is written.
  const load = (file: string) =>
    loadConfig(file, { registry, env, requireIntercomToken: options.withWorker ?? false });
  const config = await load(options.configFile);
  const context = new ServiceContext({
    config,
    registry,
    env,
    role: options.withWorker ? "serve" : "scheduler",
    logger,
  });
  let worker: SyncWorkerHandle | undefined;
  let http: FastifyInstance | undefined;
  let scheduler: SchedulerService | undefined;
  try {
    // The worker is created first: a setup problem (no token for Intercom) stops here, before the
    // scheduler writes job schedulers the process could never serve.
    if (options.withWorker) worker = await startWorkerService(context, options.worker);
    scheduler = await startSchedulerService(context, {
      configFile: options.configFile,
      load,
      watchFile: options.watchConfig,
    });
    http = await buildHttpServer({
      context,
      adminToken: env.CONTENT_SYNC_ADMIN_TOKEN || undefined,
      maxWebhookBytes: options.maxWebhookBytes,
      coalesceWindowMs: options.coalesceWindowMs,
      now: options.now,
    });
    const address = await http.listen({ port: options.port ?? 8080, host: options.host ?? "0.0.0.0" });
    logger.info({ address, worker: Boolean(worker) }, "scheduler listening");
    const url = address.replace("0.0.0.0", "127.0.0.1").replace("[::]", "127.0.0.1");
    const started = { http, scheduler };
    return {
      url,
      context,
      http: started.http,
      scheduler: started.scheduler,
      worker,
      reload: () => started.scheduler.reload(),
      close: async () => {
        started.scheduler.close();
        await started.http.close();
        await worker?.close();
        await context.close();
      },
    };
  } catch (error) {
    scheduler?.close();
    await http?.close();
    await worker?.close();
    await context.close();
    throw error;
  }
}
