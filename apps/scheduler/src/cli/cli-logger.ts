import { pino } from "pino";

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

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/**
 * A pino logger writing JSON lines to `stream` (stderr: stdout stays for the command's own output).
 * `level` comes from --log-level or LOG_LEVEL; unknown names fall back to `fallback`.
 */
export function createCliLogger(
  stream: { write(chunk: string): unknown },
  level: string | undefined,
  fallback: string,
) {
  const chosen = level !== undefined && LEVELS.has(level) ? level : fallback;
  return pino(
    { level: chosen, redact: { paths: REDACTED_PATHS, censor: "[redacted]" }, base: { app: "content-sync" } },
    stream,
  );
}
