import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { Connector, ListContext, SourceEvent } from "@content-sync/connectors";
import { isConnectorError } from "@content-sync/connectors";
import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import { DocumentRules } from "../rules/document-rules.js";
import type { StateStore } from "../state/state-store.js";
import type { ApiCallCounter } from "./api-call-counter.js";
import type { DocumentContext, RemotePage } from "./apply-document.js";
import { describeError } from "./apply-document.js";
import { ensureContentImportSource } from "./content-import-source.js";
import { DocumentPipeline } from "./document-pipeline.js";
import { SyncAbortedError } from "./errors.js";
import type { SyncClient } from "./intercom-api.js";
import { remotePageHash } from "./payload.js";
import type { PageChange, RunProgress, RunSummary } from "./run-summary.js";
import type { DeletionCandidate, DeletionResult } from "./sweep-deletions.js";
import { deleteCandidates, sweepDeletions } from "./sweep-deletions.js";

/** Flush buffered state at least this often during a run, so a crash loses little work. */
const CHECKPOINT_INTERVAL_MS = 2_000;

export interface SyncRunParams {
  source: SourceConfig;
  connector: Connector;
  client: SyncClient;
  state: StateStore;
  /** Plan only: no write to Intercom, nothing recorded in state. */
  dryRun?: boolean;
  /** Delete even above the source's `deletion.maxDeletes`. */
  forceDeletes?: boolean;
  /** Documents in flight at once. Default: the source's `concurrency`. */
  concurrency?: number;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (progress: RunProgress) => void;
  /** Called for every page created, updated or deleted (or that would be, in a dry run). */
  onChange?: (change: PageChange) => void;
  /** The counter wired to the client's `onResponse`; the summary reports the calls made during the run. */
  apiCalls?: ApiCallCounter;
  /** Clock for state timestamps. Default Date.now. */
  now?: () => number;
}

export interface RunSyncParams extends SyncRunParams {
  /**
   * `incremental` uses the connector's change feed from the stored cursor when both exist, else runs
   * full. Only full runs delete pages of documents that disappeared.
   */
  mode: "full" | "incremental";
  /** Compare with the pages actually in Intercom and repair drift (implies a full listing). */
  reconcile?: boolean;
}

export interface SyncDocumentsParams extends SyncRunParams {
  /** Documents to reindex (webhooks): found ones are applied, gone ones have their pages deleted. */
  externalIds: readonly string[];
  /**
   * Ids a verified webhook reported deleted: the product's own word, so a `missing` answer for one
   * of them confirms the deletion. Any other `missing` id is recorded as failed, never deleted.
   */
  deletedByWebhook?: readonly string[];
}

/**
 * Brings one source's External Pages in line with the source: plan (dryRun) or apply. Resumes a run
 * that crashed (its checkpoint is in state), persists the cursor only once everything before it was
 * applied, deletes only after a complete listing and within the deletion limit.
 *
 * Throws SyncAbortedError when `signal` aborts (state is flushed first), and rethrows errors that
 * stop every document alike (Intercom auth, Content Import Source problems).
 */
export async function runSync(params: RunSyncParams): Promise<RunSummary> {
  const run = await startRun(params);
  const { source, connector, state } = params;
  const stored = await state.getSource(source.id);
  const resumed = stored.checkpoint;
  const canIncremental =
    params.mode === "incremental" &&
    !params.reconcile &&
    connector.listChanges !== undefined &&
    stored.cursor !== undefined &&
    resumed?.mode !== "full";
  const mode = canIncremental ? "incremental" : "full";
  if (resumed)
    run.logger.info({ previousRunId: resumed.runId, mode: resumed.mode }, "resuming an interrupted run");

  if (!run.dryRun) {
    await state.updateSource(source.id, {
      checkpoint: {
        runId: run.runId,
        mode,
        startedAt: run.startedAt,
        ...(stored.cursor !== undefined ? { cursor: stored.cursor } : {}),
      },
    });
    await state.flush();
  }

  const remotePages = params.reconcile ? await listRemotePages(run) : undefined;
  if (remotePages) run.ctx.remotePages = remotePages;
  const pipeline = new DocumentPipeline(
    run.ctx,
    run.controller,
    run.concurrency,
    params.onProgress,
    params.onChange,
  );
  const seen = new Set<string>();
  const tombstones = new Set<string>();
  let deletedSoFar = 0;
  let deletionsBlocked: RunSummary["deletionsBlocked"];
  const totalPages = await state.countPages(source.id);

  // Incremental runs delete as they go (tombstones and documents that left the scope), before the
  // cursor that covers them is persisted.
  const deletePending = async (): Promise<void> => {
    const candidates = await pendingCandidates(run, pipeline.leftScope, tombstones);
    if (candidates.length === 0 || deletionsBlocked) return;
    const result = await deleteCandidates({
      ...deletionParams(params, run),
      candidates,
      totalPages,
      alreadyDeleted: deletedSoFar,
    });
    deletedSoFar += result.deleted;
    deletionsBlocked = applyDeletionResult(result, pipeline);
    pipeline.leftScope.clear();
    tombstones.clear();
  };

  let listingComplete = false;
  let listingError: string | undefined;
  let listingErrorPermanent = false;
  let cursorBlocked = false;
  let lastCheckpoint = Date.now();
  try {
    const events =
      mode === "incremental" && connector.listChanges && stored.cursor !== undefined
        ? connector.listChanges(stored.cursor, run.listContext)
        : connector.listAll(run.listContext);
    for await (const event of events) {
      if (run.controller.signal.aborted) break;
      await handleEvent(event);
      if (!run.dryRun && Date.now() - lastCheckpoint >= CHECKPOINT_INTERVAL_MS) {
        lastCheckpoint = Date.now();
        await state.flush();
      }
    }
    listingComplete = !run.controller.signal.aborted;
  } catch (error) {
    if (!run.controller.signal.aborted) {
      listingError = describeError(error);
      listingErrorPermanent = isConnectorError(error) && error.permanent;
      run.logger.error({ err: error }, "listing failed part way: no deletions in this run");
    }
  }

  async function handleEvent(event: SourceEvent): Promise<void> {
    switch (event.kind) {
      case "document":
        seen.add(event.document.externalId);
        tombstones.delete(event.document.externalId);
        await pipeline.add(event.document);
        return;
      case "failed":
        seen.add(event.externalId);
        pipeline.failed(event.externalId, describeError(event.error));
        return;
      case "missing":
        seen.add(event.externalId);
        pipeline.failed(event.externalId, event.reason);
        return;
      case "deleted":
        seen.delete(event.externalId);
        tombstones.add(event.externalId);
        return;
      case "cursor":
        await pipeline.drain();
        if (mode === "incremental") await deletePending();
        if (pipeline.hadFailure || deletionsBlocked) cursorBlocked = true;
        if (!cursorBlocked && !run.dryRun) {
          await state.updateSource(source.id, {
            cursor: event.cursor,
            checkpoint: { runId: run.runId, mode, startedAt: run.startedAt, cursor: event.cursor },
          });
          await state.flush();
          lastCheckpoint = Date.now();
        }
        return;
    }
  }

  await pipeline.settle();
  if (pipeline.fatalError !== undefined && !params.signal?.aborted) {
    await state.flush();
    throw pipeline.fatalError;
  }
  if (run.controller.signal.aborted) {
    await state.flush();
    throw new SyncAbortedError(
      run.summary(pipeline, { mode, listingComplete: false, resumed: resumed !== undefined }),
      {
        cause: params.signal?.reason,
      },
    );
  }

  pipeline.progress("deleting");
  if (mode === "incremental") {
    await deletePending();
  } else if (listingComplete) {
    const extra: DeletionCandidate[] = [...pipeline.leftScope.values()];
    if (remotePages) {
      // Pages in Intercom the state does not know and the listing no longer has: delete them too.
      const known = new Set<string>();
      for await (const [externalId] of state.listPages(source.id)) known.add(externalId);
      for (const [externalId, remote] of remotePages) {
        if (!seen.has(externalId) && !known.has(externalId))
          extra.push({ externalId, pageId: remote.pageId });
      }
    }
    const result = await sweepDeletions({
      ...deletionParams(params, run),
      isSeen: (externalId) => seen.has(externalId) && !tombstones.has(externalId),
      extraCandidates: extra,
      totalPages,
    });
    deletedSoFar += result.deleted;
    deletionsBlocked = applyDeletionResult(result, pipeline);
  } else {
    run.logger.warn("listing incomplete: deletions skipped");
  }
  pipeline.tally.deleted = deletedSoFar;
  if (run.controller.signal.aborted) {
    await state.flush();
    throw new SyncAbortedError(
      run.summary(pipeline, { mode, listingComplete, resumed: resumed !== undefined }),
    );
  }

  if (!run.dryRun) {
    await state.updateSource(source.id, { checkpoint: undefined });
    await state.flush();
  }
  pipeline.progress("done");
  const summary = run.summary(pipeline, {
    mode,
    listingComplete,
    resumed: resumed !== undefined,
    ...(listingError !== undefined ? { listingError, listingErrorPermanent } : {}),
    ...(deletionsBlocked ? { deletionsBlocked } : {}),
  });
  run.logSummary(summary);
  return summary;
}

/**
 * Targeted reindex (webhooks, retries of failed documents): fetches the given documents by id,
 * applies the found ones and deletes the pages of the ones the product reports gone.
 */
export async function syncDocuments(params: SyncDocumentsParams): Promise<RunSummary> {
  const run = await startRun(params);
  const pipeline = new DocumentPipeline(
    run.ctx,
    run.controller,
    run.concurrency,
    params.onProgress,
    params.onChange,
  );
  const gone = new Set<string>();
  let listingComplete = false;
  let listingError: string | undefined;
  let listingErrorPermanent = false;
  try {
    for await (const event of params.connector.fetchByIds(params.externalIds, run.listContext)) {
      if (run.controller.signal.aborted) break;
      if (event.kind === "document") await pipeline.add(event.document);
      else if (event.kind === "failed") pipeline.failed(event.externalId, describeError(event.error));
      else if (event.kind === "missing" && params.deletedByWebhook?.includes(event.externalId))
        gone.add(event.externalId);
      else if (event.kind === "missing") pipeline.failed(event.externalId, event.reason);
      else if (event.kind === "deleted") gone.add(event.externalId);
    }
    listingComplete = !run.controller.signal.aborted;
  } catch (error) {
    if (!run.controller.signal.aborted) {
      listingError = describeError(error);
      listingErrorPermanent = isConnectorError(error) && error.permanent;
    }
  }
  await pipeline.settle();
  if (pipeline.fatalError !== undefined && !params.signal?.aborted) {
    await params.state.flush();
    throw pipeline.fatalError;
  }
  if (run.controller.signal.aborted) {
    await params.state.flush();
    throw new SyncAbortedError(
      run.summary(pipeline, { mode: "documents", listingComplete: false, resumed: false }),
    );
  }
  const candidates = await pendingCandidates(run, pipeline.leftScope, gone);
  const result = await deleteCandidates({ ...deletionParams(params, run), candidates });
  const deletionsBlocked = applyDeletionResult(result, pipeline);
  pipeline.tally.deleted = result.deleted;
  await params.state.flush();
  pipeline.progress("done");
  const summary = run.summary(pipeline, {
    mode: "documents",
    listingComplete,
    resumed: false,
    ...(listingError !== undefined ? { listingError, listingErrorPermanent } : {}),
    ...(deletionsBlocked ? { deletionsBlocked } : {}),
  });
  run.logSummary(summary);
  return summary;
}

interface RunContext {
  runId: string;
  startedAt: number;
  dryRun: boolean;
  concurrency: number;
  logger: Logger;
  controller: AbortController;
  ctx: DocumentContext;
  listContext: ListContext;
  params: SyncRunParams;
  summary(
    pipeline: DocumentPipeline,
    extra: Pick<
      RunSummary,
      "listingComplete" | "resumed" | "listingError" | "listingErrorPermanent" | "deletionsBlocked"
    > & {
      mode: RunSummary["mode"];
    },
  ): RunSummary;
  logSummary(summary: RunSummary): void;
}

async function startRun(params: SyncRunParams): Promise<RunContext> {
  const runId = randomUUID();
  const startedAt = Date.now();
  const startedClock = performance.now();
  const logger = (params.logger ?? pino({ level: "silent" })).child({ sourceId: params.source.id, runId });
  const dryRun = params.dryRun ?? false;
  const calls = params.apiCalls?.snapshot() ?? { total: 0, writes: 0 };
  // One controller for the whole run: the caller's signal and fatal errors both stop it.
  const controller = new AbortController();
  // Every request in flight listens on this signal; the default limit of 10 would warn at concurrency > 10.
  setMaxListeners(0, controller.signal);
  if (params.signal?.aborted) controller.abort(params.signal.reason);
  params.signal?.addEventListener("abort", () => controller.abort(params.signal?.reason), { once: true });

  const ensured = await ensureContentImportSource({
    source: params.source,
    client: params.client,
    state: params.state,
    dryRun,
    signal: controller.signal,
    logger,
  });
  const ctx: DocumentContext = {
    source: params.source,
    contentImportSourceId: ensured.id,
    client: params.client,
    state: params.state,
    rules: new DocumentRules(params.source.rules, params.source.availability),
    dryRun,
    signal: controller.signal,
    logger,
    ...(params.now ? { now: params.now } : {}),
  };
  return {
    runId,
    startedAt,
    dryRun,
    concurrency: params.concurrency ?? params.source.concurrency,
    logger,
    controller,
    ctx,
    listContext: { signal: controller.signal, logger },
    params,
    summary(pipeline, extra) {
      const now = params.apiCalls?.snapshot() ?? calls;
      const { tally } = pipeline;
      return {
        sourceId: params.source.id,
        runId,
        dryRun,
        created: tally.created,
        updated: tally.updated,
        unchanged: tally.unchanged,
        deleted: tally.deleted,
        failed: tally.failed,
        skipped: tally.skipped,
        apiCalls: now.total - calls.total,
        writeCalls: now.writes - calls.writes,
        durationMs: Math.round(performance.now() - startedClock),
        failures: [...tally.failures],
        repaired: tally.repaired,
        ...extra,
      };
    },
    logSummary(summary) {
      const { failures, ...counts } = summary;
      const level =
        summary.failed > 0 || summary.deletionsBlocked || !summary.listingComplete ? "warn" : "info";
      logger[level]({ ...counts, failures: failures.slice(0, 10) }, "sync finished");
    },
  };
}

function deletionParams(params: SyncRunParams, run: RunContext) {
  return {
    source: params.source,
    client: params.client,
    state: params.state,
    dryRun: run.dryRun,
    forceDeletes: params.forceDeletes ?? false,
    concurrency: run.concurrency,
    signal: run.controller.signal,
    logger: run.logger,
    ...(params.onChange ? { onChange: params.onChange } : {}),
  };
}

/** Candidates from documents that left the scope and tombstones that still have a stored page. */
async function pendingCandidates(
  run: RunContext,
  leftScope: ReadonlyMap<string, DeletionCandidate>,
  tombstones: ReadonlySet<string>,
): Promise<DeletionCandidate[]> {
  const candidates = new Map(leftScope);
  const stored = await run.ctx.state.getPages(run.ctx.source.id, [...tombstones]);
  for (const [externalId, record] of stored)
    candidates.set(externalId, { externalId, pageId: record.pageId });
  return [...candidates.values()];
}

function applyDeletionResult(
  result: DeletionResult,
  pipeline: DocumentPipeline,
): RunSummary["deletionsBlocked"] {
  for (const failure of result.failures) pipeline.tally.fail(failure.externalId, failure.reason);
  if (!result.blocked) return undefined;
  return {
    candidates: result.blocked.candidates,
    limit: result.blocked.limit,
    message: result.blocked.message,
  };
}

/** The source's pages as Intercom has them now (the list endpoint takes no filter: we filter by source). */
async function listRemotePages(run: RunContext): Promise<Map<string, RemotePage>> {
  const pages = new Map<string, RemotePage>();
  const sourceId = run.ctx.contentImportSourceId;
  if (sourceId === undefined) return pages;
  for await (const page of run.ctx.client.aiContent.listExternalPages({ signal: run.controller.signal })) {
    if (Number(page.source_id) !== sourceId) continue;
    pages.set(page.external_id, { pageId: String(page.id), hash: remotePageHash(page) });
  }
  run.logger.info({ pages: pages.size }, "reconcile: listed the source's pages in Intercom");
  return pages;
}
