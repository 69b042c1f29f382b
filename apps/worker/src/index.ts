export { parseWorkerEnv, type WorkerEnv, workerEnvSchema } from "./env.js";
export { startWorkerApp, type WorkerApp } from "./worker-app.js";
