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
  /** One line for the command list. */
  summary: string;
  /** Full help text, printed by `content-sync <name> --help` and on usage errors. */
  usage: string;
  /** Returns the process exit code. */
  run(argv: readonly string[], ctx: CliContext): Promise<number>;
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
