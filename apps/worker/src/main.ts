#!/usr/bin/env node
// content-sync-worker: the one worker entry point (the image's and compose's worker command, and
// `npx content-sync-worker`). `content-sync serve` runs the same worker service in its own process.
import { readFileSync } from "node:fs";
import { isConfigError, isServiceSetupError } from "@content-sync/sync";
import { pino } from "pino";
import { isWorkerSettingsError } from "./env.js";
import { startWorkerApp } from "./worker-app.js";
import { parseWorkerInvocation, WORKER_USAGE } from "./worker-settings.js";

/** Paths pino masks in every log line: tokens, secrets and credentials never reach logs. */
const REDACTED = [
  "token",
  "accessToken",
  "authorization",
  "headers.authorization",
  "password",
  "secret",
  "apiKey",
  "cookie",
];

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return String(manifest.version);
}

async function main(): Promise<number> {
  let invocation: ReturnType<typeof parseWorkerInvocation>;
  try {
    invocation = parseWorkerInvocation(process.argv.slice(2), process.env);
  } catch (error) {
    if (!isWorkerSettingsError(error)) throw error;
    process.stderr.write(`content-sync-worker: ${error.message}\n\n${WORKER_USAGE}\n`);
    return 2;
  }
  if (invocation.kind === "help") {
    process.stdout.write(`${WORKER_USAGE}\n`);
    return 0;
  }
  if (invocation.kind === "version") {
    process.stdout.write(`content-sync-worker ${version()}\n`);
    return 0;
  }
  const { settings } = invocation;
  const logger = pino({
    level: settings.LOG_LEVEL,
    base: { app: "content-sync-worker" },
    redact: { paths: [...REDACTED, ...REDACTED.map((path) => `*.${path}`)], censor: "[redacted]" },
  });
  let app: Awaited<ReturnType<typeof startWorkerApp>>;
  try {
    app = await startWorkerApp(settings, process.env, logger);
  } catch (error) {
    if (isConfigError(error) || isServiceSetupError(error)) {
      process.stderr.write(`content-sync-worker: ${error.message}\n`);
      return isConfigError(error) ? 2 : 1;
    }
    throw error;
  }
  logger.info({ concurrency: app.worker.worker.concurrency, health: app.health.address }, "worker started");

  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      // On stderr whatever the log level: an operator stopping a worker sees that it is draining.
      process.stderr.write(
        `${signal}: stopping cleanly, finishing running jobs (send it again to quit at once)\n`,
      );
      logger.info({ signal }, "draining: finishing running jobs");
      app.close().then(
        () => resolve(0),
        (error: Error) => {
          logger.error({ err: error.message }, "shutdown failed");
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  process.on("SIGHUP", () => void app.reload());
  return stopped;
}

process.exitCode = await main();
