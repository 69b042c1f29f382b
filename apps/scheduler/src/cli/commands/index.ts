import type { CliCommand } from "../command.js";
import { configCommand } from "./config.js";
import { planCommand } from "./plan.js";
import { removeSourceCommand } from "./remove-source.js";
import { sandboxCommand } from "./sandbox.js";
import { syncCommand } from "./sync.js";
import { backfillCommand } from "./backfill.js";
import { serveCommand } from "./serve.js";
import { statusCommand } from "./status.js";
import { workerCommand } from "./worker.js";

/** Every `content-sync <command>`, in help order. Add a command by adding its file and a line here. */
export const commands: readonly CliCommand[] = [
  syncCommand,
  planCommand,
  configCommand,
  sandboxCommand,
  serveCommand,
  workerCommand,
  backfillCommand,
  statusCommand,
  removeSourceCommand,
];
