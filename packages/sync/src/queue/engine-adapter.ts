import type { Connector, ConnectorRegistry } from "@content-sync/connectors";
import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { ApiCallCounter } from "../engine/api-call-counter.js";
import type { SyncClient } from "../engine/intercom-api.js";
import type { RunSummary } from "../engine/run-summary.js";
import { runSync, syncDocuments } from "../engine/run-sync.js";
import { ensureContentImportSource } from "../engine/content-import-source.js";
import { sweepDeletions } from "../engine/sweep-deletions.js";
import type { StateStore } from "../state/state-store.js";
import type { BudgetFactory } from "../connector-init.js";
import { ConnectorCache } from "./connector-cache.js";
import type { EngineCallContext, ListingItem, SourceSyncEngine, SyncOutcome } from "./engine-port.js";

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
  logger?: Logger;
}

/** Ids per engine call when a windowed backfill runs in-process. */
const WINDOW_CHUNK = 100;

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
      options.budgets,
    );
  }

  /** The source's connector (cached; rebuilt when its options change). */
  connectorFor(source: SourceConfig): Connector {
    return this.connectors.get(source);
  }

  async run(
    source: SourceConfig,
    mode: "full" | "incremental",
    options: EngineCallContext & { since?: Date; forceDeletes?: boolean },
  ): Promise<SyncOutcome> {
    if (options.since) return this.windowed(source, options.since, options);
    const summary = await runSync({
      ...this.common(source, options),
      mode,
      forceDeletes: options.forceDeletes,
    });
    return outcomeOf(failOnPermanentListingError(summary));
  }

  async syncDocuments(
    source: SourceConfig,
    externalIds: readonly string[],
    options: EngineCallContext & { deletedByWebhook?: readonly string[] },
  ): Promise<SyncOutcome> {
    const deletedByWebhook = options.deletedByWebhook ?? [];
    return outcomeOf(
      failOnPermanentListingError(
        await syncDocuments({ ...this.common(source, options), externalIds, deletedByWebhook }),
      ),
    );
  }

  async prepare(source: SourceConfig, options: EngineCallContext): Promise<void> {
    await ensureContentImportSource({
      source,
      client: this.options.client,
      state: this.options.state,
      signal: options.signal,
      logger: options.logger,
    });
  }

  async *list(source: SourceConfig, options: EngineCallContext): AsyncIterable<ListingItem> {
    const connector = this.connectorFor(source);
    for await (const event of connector.listAll({ signal: options.signal, logger: options.logger })) {
      options.signal.throwIfAborted();
      if (event.kind === "document") {
        yield { kind: "id", externalId: event.document.externalId, updatedAt: event.document.updatedAt };
      } else if (event.kind === "cursor") yield { kind: "cursor", cursor: event.cursor };
      else yield { kind: "id", externalId: event.externalId };
    }
  }

  async sweep(
    source: SourceConfig,
    isSeen: (externalId: string) => Promise<boolean>,
    options: EngineCallContext & { forceDeletes?: boolean; cursor?: string },
  ): Promise<SyncOutcome> {
    const result = await sweepDeletions({
      source,
      client: this.options.client,
      state: this.options.state,
      isSeen,
      forceDeletes: options.forceDeletes,
      signal: options.signal,
      logger: options.logger,
    });
    // Everything the listing covered is applied now, so its cursor is a safe start for incremental runs.
    if (options.cursor !== undefined)
      await this.options.state.updateSource(source.id, { cursor: options.cursor });
    await this.options.state.flush();
    return {
      counts: {
        created: 0,
        updated: 0,
        unchanged: 0,
        deleted: result.deleted,
        failed: result.failures.length,
      },
      errors: result.failures.map((failure) => ({ externalId: failure.externalId, message: failure.reason })),
      notes: result.blocked ? [result.blocked.message] : [],
    };
  }

  /** Closes every connector (sockets, temp files). */
  async close(): Promise<void> {
    await this.connectors.close();
  }

  /** A windowed backfill in-process: documents updated since `since`, by id, never deleting. */
  private async windowed(
    source: SourceConfig,
    since: Date,
    options: EngineCallContext,
  ): Promise<SyncOutcome> {
    const total: SyncOutcome = {
      counts: { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 },
      errors: [],
      notes: [],
    };
    let chunk: string[] = [];
    const apply = async () => {
      if (chunk.length === 0) return;
      const outcome = await this.syncDocuments(source, chunk, options);
      for (const kind of Object.keys(total.counts) as (keyof SyncOutcome["counts"])[])
        total.counts[kind] += outcome.counts[kind];
      total.errors.push(...outcome.errors);
      total.notes.push(...outcome.notes);
      chunk = [];
    };
    for await (const item of this.list(source, options)) {
      if (item.kind !== "id" || (item.updatedAt !== undefined && item.updatedAt < since)) continue;
      chunk.push(item.externalId);
      if (chunk.length >= WINDOW_CHUNK) await apply();
    }
    await apply();
    return total;
  }

  private common(source: SourceConfig, options: EngineCallContext) {
    return {
      source,
      connector: this.connectorFor(source),
      client: this.options.client,
      state: this.options.state,
      signal: options.signal,
      logger: options.logger,
      apiCalls: this.options.apiCalls,
    };
  }
}

/**
 * The engine reports a listing that died on refused credentials as an incomplete run (nothing gets
 * deleted); for the queue that is a permanent failure: retrying with the same credentials cannot
 * succeed, so the job fails once with the connector's message, which names the credential's env var.
 */
function failOnPermanentListingError(summary: RunSummary): RunSummary {
  if (summary.listingErrorPermanent && summary.listingError !== undefined) {
    throw new UnrecoverableError(`source "${summary.sourceId}": ${summary.listingError}`);
  }
  return summary;
}

/** The engine's summary in the queue's terms. */
export function outcomeOf(summary: RunSummary): SyncOutcome {
  const notes: string[] = [];
  if (summary.deletionsBlocked) notes.push(summary.deletionsBlocked.message);
  if (!summary.listingComplete && summary.listingError)
    notes.push(`listing stopped early: ${summary.listingError}`);
  return {
    counts: {
      created: summary.created,
      updated: summary.updated,
      unchanged: summary.unchanged,
      deleted: summary.deleted,
      failed: summary.failed,
    },
    errors: summary.failures.map((failure) => ({ externalId: failure.externalId, message: failure.reason })),
    notes,
  };
}
