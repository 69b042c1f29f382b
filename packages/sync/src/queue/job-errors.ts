import { isConnectorError } from "@content-sync/connectors";
import { isIntercomAuthError, isIntercomRateLimitError } from "@content-sync/intercom";
import { UnrecoverableError } from "bullmq";
import { isConfigError } from "../config/config-error.js";
import { isContentImportSourceError } from "../engine/errors.js";

/** A source id that a job names but the current config does not have: retrying cannot help. */
export class UnknownSourceError extends UnrecoverableError {
  override readonly name = "UnknownSourceError";
  constructor(readonly sourceId: string) {
    super(`source "${sourceId}" is not in the config (removed, or the job predates a config change)`);
  }
}

/**
 * Maps an engine failure to what BullMQ should do with it. Permanent failures (bad credentials,
 * invalid config or options) become `UnrecoverableError` so they fail once with a clear message instead
 * of retrying for hours; everything else is returned unchanged and retried with back-off.
 */
export function classifyJobError(error: unknown, sourceId: string): Error {
  if (error instanceof UnrecoverableError) return error;
  if (isConnectorError(error) && error.permanent) {
    const hint = error.credentialEnv ? ` (check the env var ${error.credentialEnv})` : "";
    return new UnrecoverableError(`source "${sourceId}": ${error.kind} error: ${error.message}${hint}`);
  }
  if (isIntercomAuthError(error)) {
    return new UnrecoverableError(
      `source "${sourceId}": Intercom rejected the access token (${error.message}); fix the token and re-run`,
    );
  }
  if (isContentImportSourceError(error)) return new UnrecoverableError(error.message);
  if (isConfigError(error)) return new UnrecoverableError(`source "${sourceId}": ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}

/** When Intercom's retries ran out on a 429, the ms until its window resets (else undefined). */
export function rateLimitWaitMs(error: unknown, now: number): number | undefined {
  if (!isIntercomRateLimitError(error)) return undefined;
  const resetMs = error.resetAt === undefined ? now + 10_000 : error.resetAt * 1000;
  return Math.max(1_000, resetMs - now);
}
