import type { ConnectorRegistry } from "@content-sync/connectors";
import {
  applyConversionLimits,
  builtInRegistry,
  loadConfig,
  type SchedulerService,
  ServiceContext,
  startSchedulerService,
  startWorkerService,
  type SyncWorkerHandle,
  type WorkerServiceOptions,
} from "@content-sync/sync";
import type { AddressInfo } from "node:net";
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
  /**
   * Interface to bind. Default 127.0.0.1: a bare run is reachable from this machine only. Bind
   * 0.0.0.0 (the image does) where webhooks and Prometheus must reach it from outside.
   */
  host?: string;
  /** See HttpServerOptions.trustProxy. Default false. */
  trustProxy?: boolean | number | string;
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
  /** Where this machine reaches it, e.g. http://127.0.0.1:8080 (loopback when bound to every interface). */
  url: string;
  /** The address actually bound, e.g. `127.0.0.1:8080`, `0.0.0.0:8080` or `[::]:8080`. */
  address: string;
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
  if (options.withWorker) applyConversionLimits(config);
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
      metricsToken: env.CONTENT_SYNC_METRICS_TOKEN || undefined,
      trustProxy: options.trustProxy,
      maxWebhookBytes: options.maxWebhookBytes,
      coalesceWindowMs: options.coalesceWindowMs,
      now: options.now,
    });
    await http.listen({ port: options.port ?? 8080, host: options.host ?? "127.0.0.1" });
    const bound = http.server.address() as AddressInfo;
    const address =
      bound.family === "IPv6" ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
    const wildcard = bound.address === "0.0.0.0" || bound.address === "::";
    const url = wildcard ? `http://127.0.0.1:${bound.port}` : `http://${address}`;
    logger.info({ address, worker: Boolean(worker) }, "scheduler listening");
    const started = { http, scheduler };
    return {
      url,
      address,
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
