export {
  isWorkerSettingsError,
  parseWorkerEnv,
  type WorkerEnv,
  WorkerSettingsError,
  workerEnvSchema,
} from "./env.js";
export { type HealthServer, type HealthServerOptions, startHealthServer } from "./health-server.js";
export { startWorkerApp, type WorkerApp } from "./worker-app.js";
export { createWorkerMetrics } from "./worker-metrics.js";
export { parseWorkerInvocation, WORKER_USAGE, type WorkerInvocation } from "./worker-settings.js";
