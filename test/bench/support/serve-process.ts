/**
 * `content-sync serve` (scheduler, webhook receiver and a worker in one process, through the same
 * startSchedulerApp the CLI calls) with the built-in connectors plus the bench's webhook connector.
 * Prints `listening on <url>` when ready; stops on SIGTERM.
 * Usage: node --conditions=source --import tsx serve-process.ts <config-file>
 */
import { startSchedulerApp } from "@content-sync/scheduler";
import { builtInRegistry } from "@content-sync/sync";
import { webhookFilesConnector } from "./webhook-files-connector.js";

const configFile = process.argv[2];
if (!configFile) {
  process.stderr.write("usage: serve-process.ts <config-file>\n");
  process.exit(2);
}
const app = await startSchedulerApp({
  configFile,
  registry: builtInRegistry().register(webhookFilesConnector),
  port: 0,
  host: "127.0.0.1",
  withWorker: true,
  watchConfig: false,
});
process.stdout.write(`listening on ${app.url}\n`);
process.once("SIGTERM", () => {
  void (async () => {
    await app.http.close();
    await app.worker?.close();
    await app.close();
    process.exit(0);
  })();
});
