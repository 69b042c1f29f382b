import { pino } from "pino";
import { isLogLevel, type LogLevel } from "./log-level.js";

export { LOG_LEVELS, type LogLevel, takeLogLevel } from "./log-level.js";

/** Paths pino masks in every log line: tokens, secrets and credentials must never reach logs. */
export const REDACTED_PATHS = [
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "secret",
  "*.secret",
  "password",
  "*.password",
  "apiKey",
  "*.apiKey",
  "cookie",
  "*.cookie",
];

/**
 * A pino logger writing JSON lines to `stream` (stderr: stdout stays for the command's own output).
 * `level` is the command's `--log-level`/LOG_LEVEL, already checked by `takeLogLevel`; unset (or
 * empty) gives `fallback`.
 */
export function createCliLogger(
  stream: { write(chunk: string): unknown },
  level: string | undefined,
  fallback: LogLevel,
) {
  const chosen = level !== undefined && isLogLevel(level) ? level : fallback;
  return pino(
    { level: chosen, redact: { paths: REDACTED_PATHS, censor: "[redacted]" }, base: { app: "content-sync" } },
    stream,
  );
}
