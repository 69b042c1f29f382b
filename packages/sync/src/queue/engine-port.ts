import type { Logger } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { RunDependencies } from "../engine/source-run.js";

export interface EngineCallContext {
  signal: AbortSignal;
  logger: Logger;
  /** The run (job) id, so the engine's logs and summaries carry the same id as the job. */
  runId: string;
}

/**
 * What the job handlers need from the sync engine: everything a `SourceRun` of one source needs
 * (connector, Intercom client, state), built per job. The queue code depends on this seam only, so
 * its locking, fan-out and retry logic is independent of how connectors, clients and state are made.
 */
export interface SourceSyncEngine {
  dependencies(source: SourceConfig, call: EngineCallContext): RunDependencies;
  close(): Promise<void>;
}
