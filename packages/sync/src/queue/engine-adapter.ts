import type { Connector, ConnectorRegistry } from "@content-sync/connectors";
import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { BudgetFactory } from "../connector-init.js";
import type { ApiCallCounter } from "../engine/api-call-counter.js";
import type { SyncClient } from "../engine/intercom-api.js";
import type { RetrySchedule } from "../engine/retry-schedule.js";
import type { RunDependencies } from "../engine/source-run.js";
import type { StateStore } from "../state/state-store.js";
import { ConnectorCache } from "./connector-cache.js";
import type { EngineCallContext, SourceSyncEngine } from "./engine-port.js";

export interface EngineAdapterOptions {
  registry: ConnectorRegistry;
  client: SyncClient;
  state: StateStore;
  /** Environment the connectors resolve their credential env vars from. */
  env: Readonly<Record<string, string | undefined>>;
  /** Request budgets of the sources' connectors; default in-process. */
  budgets?: BudgetFactory;
  /** Counter wired to the client's `onResponse`, so summaries report Intercom calls. */
  apiCalls?: ApiCallCounter;
  /** When the failure ledger retries documents (tests shorten it). */
  retrySchedule?: RetrySchedule;
  logger?: Logger;
}

/**
 * The sync engine behind the queue's `SourceSyncEngine` seam: connectors are created from the
 * registry once per source configuration and reused across jobs.
 */
export class EngineAdapter implements SourceSyncEngine {
  readonly connectors: ConnectorCache;

  constructor(private readonly options: EngineAdapterOptions) {
    this.connectors = new ConnectorCache(
      options.registry,
      options.env,
      options.logger ?? pino({ level: "silent" }),
    );
  }

  /** The source's connector (cached; rebuilt when its options change). */
  connectorFor(source: SourceConfig): Connector {
    return this.connectors.get(source);
  }

  dependencies(source: SourceConfig, call: EngineCallContext): RunDependencies {
    return {
      source,
      connector: this.connectorFor(source),
      client: this.options.client,
      state: this.options.state,
      signal: call.signal,
      logger: call.logger,
      runId: call.runId,
      ...(this.options.apiCalls ? { apiCalls: this.options.apiCalls } : {}),
      ...(this.options.retrySchedule ? { retrySchedule: this.options.retrySchedule } : {}),
    };
  }

  /** Closes every connector (sockets, temp files). */
  async close(): Promise<void> {
    await this.connectors.close();
  }
}
