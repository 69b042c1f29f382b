import type { CommandEntry } from "../command.js";

/**
 * Every `content-sync <command>`, in help order. Add a command by adding its file and an entry here;
 * `load` imports the file only when the command runs.
 */
export const commands: readonly CommandEntry[] = [
  {
    name: "sync",
    summary: "sync one source or all of them into Intercom, inline (no Redis)",
    load: async () => (await import("./sync.js")).syncCommand,
  },
  {
    name: "plan",
    summary: "show what a sync would change, without writing (sync --dry-run)",
    load: async () => (await import("./plan.js")).planCommand,
  },
  {
    name: "config",
    summary: "config check [FILE]: validate a config file",
    load: async () => (await import("./config.js")).configCommand,
  },
  {
    name: "sandbox",
    summary: "run the local Intercom-compatible sandbox (browse synced pages with --data FILE)",
    load: async () => (await import("./sandbox.js")).sandboxCommand,
  },
  {
    name: "serve",
    summary: "run the scheduler, webhooks, status page and a worker (Redis)",
    load: async () => (await import("./serve.js")).serveCommand,
  },
  {
    name: "backfill",
    summary: "enqueue a full (or --since windowed) run for the workers; prints the job id",
    load: async () => (await import("./backfill.js")).backfillCommand,
  },
  {
    name: "status",
    summary: "show schedules, last runs, counts, lag and errors per source (Redis)",
    load: async () => (await import("./status.js")).statusCommand,
  },
  {
    name: "remove-source",
    summary: "delete a removed source's pages and Content Import Source from Intercom",
    load: async () => (await import("./remove-source.js")).removeSourceCommand,
  },
];

/**
 * Commands that moved: typing one explains where it went instead of "unknown command". Workers are
 * the `content-sync-worker` executable of apps/worker (the one worker entry point).
 */
export const movedCommands: Readonly<Record<string, string>> = {
  worker:
    "workers run as their own executable: `npx content-sync-worker [--config FILE] [--concurrency N]` " +
    "(apps/worker; `content-sync-worker --help`), or inside `content-sync serve`",
};
