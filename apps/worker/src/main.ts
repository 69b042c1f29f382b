import { pino } from "pino";
import { parseWorkerEnv } from "./env.js";
import { startWorkerApp } from "./worker-app.js";

// The container entry point of a worker: `node --conditions=source --import tsx apps/worker/src/main.ts`
// (or `content-sync worker`, which does the same through the CLI).
const env = parseWorkerEnv(process.env);
const logger = pino({
  level: env.LOG_LEVEL,
  base: { app: "content-sync-worker" },
  redact: {
    paths: [
      "token",
      "*.token",
      "authorization",
      "*.authorization",
      "password",
      "*.password",
      "secret",
      "*.secret",
    ],
    censor: "[redacted]",
  },
});
const app = await startWorkerApp(env, process.env, logger);
logger.info({ concurrency: env.WORKER_CONCURRENCY }, "worker started");

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) process.exit(130);
  stopping = true;
  logger.info({ signal }, "draining: finishing running jobs");
  app.close().then(
    () => process.exit(0),
    (error: Error) => {
      logger.error({ err: error.message }, "shutdown failed");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("SIGHUP", () => void app.reload());
