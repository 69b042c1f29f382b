/** Streams and environment a command runs with; injected so tests run commands in-process. */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Where a command reads a confirmation from (absent: it cannot ask, and needs --yes). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: commands stop cleanly and save state. */
  signal: AbortSignal;
}

/** One `content-sync <name>` command. */
export interface CliCommand {
  name: string;
  /** Full help text, printed by `content-sync <name> --help` and on usage errors. */
  usage: string;
  /**
   * Returns the process exit code. `argv` no longer holds the global `--log-level`: the dispatcher
   * checked it and put it in `ctx.env.LOG_LEVEL`.
   */
  run(argv: readonly string[], ctx: CliContext): Promise<number>;
}

/**
 * A command as the dispatcher lists it. Its module (and everything that module imports: the engine,
 * BullMQ, fastify, connectors) is loaded only when the command runs, so `--help`, `--version` and
 * a light command start fast.
 */
export interface CommandEntry {
  name: string;
  /** One line for the command list. */
  summary: string;
  load(): Promise<CliCommand>;
}

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** The command ran but something failed (documents, listing, deletion guard). */
  failed: 1,
  /** Bad flags or an invalid config: nothing was done. */
  usage: 2,
  /** Cancelled by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const isUsageError = (error: unknown): error is UsageError => error instanceof UsageError;
