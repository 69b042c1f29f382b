import { configureConversionPool } from "@content-sync/connectors/core";
import type { ContentSyncConfig } from "./types.js";

/** Applies the config's `conversion` block to this process's conversion threads (CLI runs and workers). */
export function applyConversionLimits(config: Pick<ContentSyncConfig, "conversion">): void {
  configureConversionPool({
    maxHeapMb: config.conversion.maxHeapMb,
    timeoutMs: config.conversion.timeoutSeconds * 1000,
    ...(config.conversion.threads !== undefined ? { threads: config.conversion.threads } : {}),
  });
}
