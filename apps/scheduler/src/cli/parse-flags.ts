import { UsageError } from "./command.js";

/**
 * Runs node's `parseArgs` (strict mode) and turns its errors into UsageErrors that name the flag
 * ("unknown flag --dry-runn") instead of Node's internal error codes.
 */
export function withUsageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    const quoted = /'([^']+)'/.exec(message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown flag ${quoted ?? message}`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      throw new UsageError(`unexpected argument ${quoted ?? message}`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
      throw new UsageError(message.split("\n")[0] ?? message);
    throw error;
  }
}

/** `--concurrency 8` → 8, with a message naming the flag on anything else. */
export function parsePositiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new UsageError(`--${flag} expects a positive integer, got "${value}"`);
  return parsed;
}
