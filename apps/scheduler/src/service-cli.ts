import { builtInRegistry, type ContentSyncConfig, isConfigError, loadConfig } from "@content-sync/sync";
import type { CliContext } from "./cli/command.js";
import { EXIT } from "./cli/command.js";
import { displayPath } from "./cli/config-path.js";

/** Loads the config for a service command; prints a ConfigError and returns undefined when it is invalid. */
export async function loadServiceConfig(
  file: string,
  ctx: CliContext,
  /** False for commands that never call Intercom (status, backfill): they need no token. */
  requireIntercomToken = true,
): Promise<ContentSyncConfig | undefined> {
  try {
    return await loadConfig(file, { registry: builtInRegistry(), env: ctx.env, requireIntercomToken });
  } catch (error) {
    if (isConfigError(error)) {
      ctx.stderr.write(`${error.message.replace(file, displayPath(file, ctx))}\n`);
      return undefined;
    }
    throw error;
  }
}

export const CONFIG_INVALID = EXIT.usage;

/** Resolves when the command's signal aborts (SIGINT/SIGTERM). */
export function untilStopped(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** Calls `onHangup` on SIGHUP until the returned function is called. */
export function onSighup(onHangup: () => void): () => void {
  const listener = () => onHangup();
  process.on("SIGHUP", listener);
  return () => process.off("SIGHUP", listener);
}
