import { UsageError } from "./command.js";

// The global `--log-level` flag apart from the logger, so dispatching a command (run-cli.ts) does not
// import pino: commands that log import cli-logger.ts themselves.

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const isLogLevel = (value: string): value is LogLevel =>
  (LOG_LEVELS as readonly string[]).includes(value);

/**
 * Takes the global `--log-level LEVEL` (or `--log-level=LEVEL`) out of a command's arguments, so every
 * command accepts it, and checks it and `LOG_LEVEL`: a level pino does not know is a usage error
 * (exit 2) naming what was given, never a silent fallback.
 */
export function takeLogLevel(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { level: LogLevel | undefined; rest: string[] } {
  const rest: string[] = [];
  let given: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--") {
      rest.push(...args.slice(index));
      break;
    }
    if (arg === "--log-level") {
      given = args[index + 1];
      if (given === undefined || given.startsWith("-")) {
        throw new UsageError(`--log-level expects one of ${LOG_LEVELS.join("|")}`);
      }
      index++;
    } else if (arg.startsWith("--log-level=")) {
      given = arg.slice("--log-level=".length);
    } else {
      rest.push(arg);
    }
  }
  if (given !== undefined) {
    if (!isLogLevel(given)) {
      throw new UsageError(`--log-level expects one of ${LOG_LEVELS.join("|")}, got "${given}"`);
    }
    return { level: given, rest };
  }
  const fromEnv = env.LOG_LEVEL;
  if (fromEnv !== undefined && fromEnv !== "" && !isLogLevel(fromEnv)) {
    throw new UsageError(`LOG_LEVEL expects one of ${LOG_LEVELS.join("|")}, got "${fromEnv}"`);
  }
  return { level: undefined, rest };
}
