import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { Connector, ListContext, SourceEvent } from "@content-sync/connectors/core";
import { isConnectorError } from "@content-sync/connectors/core";
import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import { DocumentRules } from "../rules/document-rules.js";
import { DryRunStateStore } from "../state/dry-run-state-store.js";
import type { RunFence, StateStore } from "../state/state-store.js";
import type { ApiCallCounter } from "./api-call-counter.js";
import type { DocumentContext } from "./apply-document.js";
import { describeError } from "./apply-document.js";
import { ensureContentImportSource } from "./content-import-source.js";
import { type DeletionOutcome, forgetVanishedFailures, settleDeletions } from "./deletions.js";
import { DocumentPipeline } from "./document-pipeline.js";
import { RunSupersededError } from "./errors.js";
import { SyncAbortedError } from "./sync-aborted-error.js";
import { FailureLedgerWriter } from "./failure-ledger.js";
import type { SyncClient } from "./intercom-api.js";
import { type ReconcileOutcome, reconcileWithIntercom } from "./reconcile.js";
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from "./retry-schedule.js";
import { type PageChange, type RunProgress, type RunSummary, summarise } from "./run-summary.js";

/** Documents fetched by id per connector call (ledger retries and the like). */
const FETCH_CHUNK = 100;
/** Seen-marks written per state call during a full listing. */
const SEEN_CHUNK = 256;

/** What every kind of run needs. */
export interface RunDependencies {
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
  /** The caller's logger; the run adds only the bindings it does not have yet. */
  logger?: Logger;
  onProgress?: (progress: RunProgress) => void;
  /** Called for every page created, updated or deleted (or that would be, in a dry run). */
  onChange?: (change: PageChange) => void;
  /** The counter wired to the client's `onResponse`; the summary reports the calls made during the run. */
  apiCalls?: ApiCallCounter;
  /** When the failure ledger retries documents. Default 5 min doubling up to 6 h. */
  retrySchedule?: RetrySchedule;
  /** The run's id (a job id in the services). Default a random UUID. */
  runId?: string;
}

export interface BeginRunRequest {
  /**
   * `incremental` uses the connector's change feed from the stored cursor when both exist and the
   * source needs no full listing; otherwise the run is full. Only full runs sweep.
   */
  mode: "full" | "incremental";
  /** Compare with the pages actually in Intercom first and repair drift (implies a full listing). */
  reconcile?: boolean;
  /** Continue the checkpoint of the same run id (a job taken over after a crash). */
  resume?: boolean;
}

/** How the listing of a run ended. */
interface ListingState {
  complete: boolean;
  /** Documents (and failures) the listing yielded before it ended. */
  yielded: number;
  error?: string;
  permanent?: boolean;
}

/** What a fanned-out listing hands its batches. */
export interface ListedIds {
  /** The listing's last cursor: commit it once every batch is applied. */
  cursor?: string;
}

/**
 * One run of one source, start to end, in the order a reader should follow it:
 *
 * 1. `begin` — ensure the Content Import Source; decide the mode (full when there is no cursor, when
 *    the source's state was rebuilt, or when asked); rebuild the page state from Intercom first when it
 *    was lost or a reconcile was asked for; take the run's fence (the next generation, with the store's
 *    clock as its start) — only the current generation may commit a cursor or finish.
 * 2. the listing — `list` applies a full listing or the change feed in this process, committing each
 *    cursor once everything before it is applied; `listIds` streams the ids of a full listing to
 *    batches that other workers apply through `attach` + `applyIds`. Documents seen by a full listing
 *    are marked (the sweep spares them); documents that fail go to the failure ledger and the cursor
 *    moves on; tombstones and documents that left the scope become due deletions in the ledger.
 * 3. `retryDueFailures` — an incremental run retries the ledger's due entries by id.
 * 4. `settleDeletions` — the run's one deletion step, against one limit however it was batched.
 * 5. `finish` — commit, clear the checkpoint, and summarise what happened.
 *
 * Webhook-triggered work (`targeted`) takes no fence: it only applies documents, and its deletions
 * pass the rolling limit.
 */
export class SourceRun {
  readonly runId: string;
  readonly logger: Logger;
  readonly controller: AbortController;
  readonly ctx: DocumentContext;
  readonly ledger: FailureLedgerWriter;
  readonly pipeline: DocumentPipeline;
  private readonly state: StateStore;
  private readonly startedClock = performance.now();
  private readonly calls: { total: number; writes: number };
  private listing: ListingState = { complete: false, yielded: 0 };
  private deletions: DeletionOutcome | undefined;
  private superseded = false;
  private duplicates = 0;
  private reconciled: ReconcileOutcome | undefined;
  private followsInterrupted = false;

  private constructor(
    private readonly deps: RunDependencies,
    readonly mode: RunSummary["mode"],
    readonly fence: RunFence | undefined,
    readonly resumed: boolean,
    state: StateStore,
    ctx: DocumentContext,
    controller: AbortController,
    logger: Logger,
    readonly totalPages: number,
    calls: { total: number; writes: number },
  ) {
    this.runId = fence?.runId ?? deps.runId ?? randomUUID();
    this.state = state;
    this.ctx = ctx;
    this.controller = controller;
    this.logger = logger;
    this.calls = calls;
    this.ledger = new FailureLedgerWriter(
      state,
      deps.source.id,
      deps.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
      logger,
    );
    this.pipeline = new DocumentPipeline(
      ctx,
      this.ledger,
      controller,
      deps.concurrency ?? deps.source.concurrency,
      deps.onProgress,
      deps.onChange,
    );
  }

  /** Step 1 of a full or incremental run. */
  static async begin(deps: RunDependencies, request: BeginRunRequest): Promise<SourceRun> {
    const setup = prepare(deps);
    const { state, logger, controller } = setup;
    const before = await state.getSource(deps.source.id);
    const cis = await ensureContentImportSource({
      source: deps.source,
      client: deps.client,
      state,
      dryRun: deps.dryRun ?? false,
      // A full listing confirms its Content Import Source still exists; a change feed trusts the record.
      verify: request.mode === "full" || before.cursor === undefined || before.fullListingRequired === true,
      signal: controller.signal,
      logger,
    });
    const stored = await state.getSource(deps.source.id);
    const interruptedFull = stored.checkpoint?.mode === "full";
    const incremental =
      request.mode === "incremental" &&
      !request.reconcile &&
      deps.connector.listChanges !== undefined &&
      stored.cursor !== undefined &&
      !stored.fullListingRequired &&
      !interruptedFull;
    const mode = incremental ? "incremental" : "full";
    if (stored.checkpoint && !request.resume) {
      logger.info(
        { previousRunId: stored.checkpoint.runId, mode: stored.checkpoint.mode },
        "an earlier run was interrupted; this one starts afresh",
      );
    }
    let reconciled: ReconcileOutcome | undefined;
    const rebuild = mode === "full" && (request.reconcile === true || stored.fullListingRequired === true);
    if (rebuild && cis.id !== undefined && !deps.dryRun) {
      reconciled = await reconcileWithIntercom({
        sourceId: deps.source.id,
        runId: setup.runId,
        contentImportSourceId: cis.id,
        client: deps.client,
        state,
        signal: controller.signal,
        logger,
      });
    }
    const fence = await state.beginRun(deps.source.id, {
      runId: setup.runId,
      mode,
      resume: request.resume ?? false,
    });
    const run = new SourceRun(
      deps,
      mode,
      fence,
      fence.resumed,
      state,
      setup.context(cis.id, fence.startedAt),
      controller,
      logger,
      await state.countPages(deps.source.id),
      setup.calls,
    );
    run.reconciled = reconciled;
    // The summary says so when this run follows one that was interrupted (its checkpoint was left).
    run.followsInterrupted = stored.checkpoint !== undefined;
    if (fence.resumed) logger.info({ generation: fence.generation }, "resuming the run's checkpoint");
    return run;
  }

  /**
   * Joins a run that began elsewhere (a fanned-out run's batch, or its final step after the batches)
   * with that run's fence. A run that has been superseded is refused: it must not write any more.
   */
  static async attach(
    deps: RunDependencies,
    fence: RunFence,
    mode: "full" | "incremental" = "full",
  ): Promise<SourceRun> {
    const setup = prepare({ ...deps, runId: fence.runId });
    if (!(await setup.state.isCurrent(fence))) throw new RunSupersededError(deps.source.id, fence.runId);
    const recorded = (await setup.state.getSource(deps.source.id)).contentImportSourceId;
    const observedAt = await setup.state.now();
    return new SourceRun(
      deps,
      mode,
      fence,
      true,
      setup.state,
      setup.context(recorded, observedAt),
      setup.controller,
      setup.logger,
      await setup.state.countPages(deps.source.id),
      setup.calls,
    );
  }

  /** Webhook or operator work on named documents: no fence, nothing swept. */
  static async targeted(deps: RunDependencies): Promise<SourceRun> {
    const setup = prepare(deps);
    const cis = await ensureContentImportSource({
      source: deps.source,
      client: deps.client,
      state: setup.state,
      dryRun: deps.dryRun ?? false,
      signal: setup.controller.signal,
      logger: setup.logger,
    });
    return new SourceRun(
      deps,
      "documents",
      undefined,
      false,
      setup.state,
      setup.context(cis.id, await setup.state.now()),
      setup.controller,
      setup.logger,
      await setup.state.countPages(deps.source.id),
      setup.calls,
    );
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The run's cursor position when it began (incremental runs list changes since it). */
  async storedCursor(): Promise<string | undefined> {
    return (await this.state.getSource(this.deps.source.id)).cursor;
  }

  /** Step 2 in this process: the whole listing (or change feed), applied as it streams. */
  async list(): Promise<void> {
    const cursor = this.mode === "incremental" ? await this.storedCursor() : undefined;
    const events =
      this.mode === "incremental" && cursor !== undefined && this.deps.connector.listChanges
        ? this.changesOrFullListing(cursor)
        : this.deps.connector.listAll(this.listContext());
    await this.consume(events, {
      document: (document) => this.pipeline.add(document),
      cursor: async (next) => {
        // Everything before this cursor is applied or in the ledger: it is a safe place to resume.
        await this.pipeline.drain();
        await this.commit(next);
      },
    });
    if (!this.signal.aborted) await this.pipeline.drain();
  }

  /**
   * The change feed since `cursor`; when the product no longer knows that cursor (Graph's 410 resync,
   * an expired Drive page token, recent changes older than the wiki keeps) the connector says so
   * before yielding anything, and the whole listing takes its place: every document is upserted and
   * the listing's cursor committed. The run stays incremental, so nothing is swept; the next full run
   * removes what was deleted meanwhile.
   */
  private async *changesOrFullListing(cursor: string): AsyncIterable<SourceEvent> {
    const changes = this.deps.connector.listChanges;
    if (!changes) return;
    let yielded = false;
    try {
      for await (const event of changes.call(this.deps.connector, cursor, this.listContext())) {
        yielded = true;
        yield event;
      }
      return;
    } catch (error) {
      if (yielded || !isConnectorError(error) || error.kind !== "cursor_expired") throw error;
      this.logger.warn(
        { sourceId: this.deps.source.id, reason: error.message },
        "the change feed no longer knows the stored cursor: listing everything instead",
      );
    }
    yield* this.deps.connector.listAll(this.listContext());
  }

  /** True once the listing (or the fetch by id) ran to its end without an error. */
  get listingComplete(): boolean {
    return this.listing.complete;
  }

  /** Why the listing stopped early, and whether retrying could help (`permanent`: it cannot). */
  get listingFailure(): { error: string; permanent: boolean } | undefined {
    return this.listing.error === undefined
      ? undefined
      : { error: this.listing.error, permanent: this.listing.permanent ?? false };
  }

  /**
   * Step 2 of a fanned-out run: streams the full listing's ids in batches to `onBatch` (which queues
   * them for other workers). Marks what it sees, records listing failures and tombstones itself, and
   * returns the last cursor for the final step to commit.
   */
  async listIds(batchSize: number, onBatch: (externalIds: string[]) => Promise<void>): Promise<ListedIds> {
    let batch: string[] = [];
    let cursor: string | undefined;
    await this.consume(this.deps.connector.listAll(this.listContext()), {
      document: async (document) => {
        batch.push(document.externalId);
        if (batch.length >= batchSize) {
          const full = batch;
          batch = [];
          await onBatch(full);
        }
      },
      cursor: async (next) => {
        cursor = next;
      },
    });
    // What was listed before an error is still applied; only the sweep needs a complete listing.
    if (batch.length > 0) await onBatch(batch);
    await this.pipeline.drain();
    return cursor !== undefined ? { cursor } : {};
  }

  /**
   * Fetches named documents and applies them (a batch of a fanned-out run, a webhook's documents, the
   * ledger's due entries). `missing` answers are recorded, never taken for deletions, unless the
   * product itself said so (`confirmedDeleted`: ids a verified delete webhook named). When the fetch
   * itself fails, every document not handled yet goes to the ledger and the error is rethrown, so the
   * job retries and, if it never succeeds, the next run still picks the documents up.
   */
  async applyIds(
    externalIds: readonly string[],
    options: { confirmedDeleted?: ReadonlySet<string> } = {},
  ): Promise<void> {
    const handled = new Set<string>();
    try {
      for await (const event of this.deps.connector.fetchByIds(externalIds, this.listContext())) {
        if (this.signal.aborted) break;
        if (event.kind === "cursor") continue;
        const id = event.kind === "document" ? event.document.externalId : event.externalId;
        handled.add(id);
        if (event.kind === "document") await this.pipeline.add(event.document);
        else if (event.kind === "failed") this.pipeline.failed(id, describeError(event.error));
        else if (event.kind === "missing" && options.confirmedDeleted?.has(id))
          await this.pipeline.tombstone(id);
        else if (event.kind === "missing") this.pipeline.failed(id, event.reason, "missing");
        else await this.pipeline.tombstone(id);
      }
      await this.pipeline.drain();
      this.listing = {
        ...this.listing,
        complete: !this.signal.aborted,
        yielded: this.listing.yielded + handled.size,
      };
    } catch (error) {
      await this.pipeline.settle();
      if (this.signal.aborted) throw error;
      const reason = `fetch failed: ${describeError(error)}`;
      for (const id of externalIds) if (!handled.has(id)) this.pipeline.failed(id, reason);
      await this.ledger.settle();
      this.listing = {
        complete: false,
        yielded: this.listing.yielded,
        error: describeListingError(error),
        permanent: isConnectorError(error) && error.permanent,
      };
      throw error;
    }
  }

  /** Step 3 (incremental runs): the ledger's due documents, fetched by id and applied again. */
  async retryDueFailures(): Promise<void> {
    if (this.mode !== "incremental") return;
    const now = await this.state.now();
    let chunk: string[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const ids = chunk;
      chunk = [];
      await this.applyIds(ids).catch((error: unknown) => {
        // The entries stay in the ledger with one more attempt; the run itself goes on.
        this.logger.warn(
          { err: describeError(error), documents: ids.length },
          "retrying failed documents failed",
        );
      });
    };
    for await (const entry of this.state.listFailures(this.deps.source.id, { dueBy: now })) {
      if (entry.kind === "deletion") continue;
      chunk.push(entry.externalId);
      if (chunk.length >= FETCH_CHUNK) await flush();
    }
    await flush();
  }

  /**
   * Step 4: every deletion of the run, decided once. After a complete full listing (and, for a
   * fanned-out run, every batch applied) the sweep may delete what the listing no longer has.
   */
  async settleDeletions(options: { complete?: boolean; keys?: ReadonlySet<string> } = {}): Promise<void> {
    if (this.signal.aborted) return;
    const sweepable =
      this.mode === "full" && (options.complete ?? this.listing.complete) && this.fence !== undefined;
    if (sweepable && this.fence && !(await this.state.isCurrent(this.fence))) {
      this.superseded = true;
      return;
    }
    this.pipeline.progress("deleting");
    this.deletions = await settleDeletions({
      source: this.deps.source,
      client: this.deps.client,
      state: this.state,
      ledger: this.ledger,
      ...(sweepable && this.fence ? { sweep: this.fence } : {}),
      fullRun: this.mode === "full",
      ...(options.keys ? { keys: options.keys } : {}),
      totalPages: this.totalPages,
      dryRun: this.ctx.dryRun,
      forceDeletes: this.deps.forceDeletes ?? false,
      concurrency: this.deps.concurrency ?? this.deps.source.concurrency,
      signal: this.signal,
      logger: this.logger,
      ...(this.deps.onChange ? { onChange: this.deps.onChange } : {}),
    });
    this.pipeline.tally.deleted += this.deletions.deleted;
    for (const failure of this.deletions.failures)
      this.pipeline.tally.fail(failure.externalId, failure.reason);
    if (sweepable && this.fence) await forgetVanishedFailures(this.state, this.fence, this.ledger);
  }

  /** Commits a cursor under the run's fence; a superseded run stops here. */
  async commit(cursor: string): Promise<void> {
    if (!this.fence) return;
    if (!(await this.state.commitCursor(this.fence, cursor))) {
      this.superseded = true;
      throw new RunSupersededError(this.deps.source.id, this.runId);
    }
    await this.state.flush();
  }

  /**
   * Step 5: the checkpoint is cleared and the summary says what happened. `part: "sweep"` is the
   * closing step of a fanned-out run: its summary counts only the sweep (the batches wrote the
   * pages), so the run's own handler reports the run and this only logs at debug level.
   */
  async finish(options: { complete?: boolean; part?: "run" | "sweep" } = {}): Promise<RunSummary> {
    await this.pipeline.settle();
    const complete = options.complete ?? this.listing.complete;
    if (this.fence && !this.superseded && !this.signal.aborted) {
      const finished = await this.state.finishRun(this.fence, {
        fullListingCompleted: this.mode === "full" && complete,
      });
      if (!finished) this.superseded = true;
    }
    await this.state.flush();
    const summary = this.summary(complete);
    if (this.signal.aborted) throw new SyncAbortedError(summary, { cause: this.deps.signal?.reason });
    this.pipeline.progress("done");
    const { failures, ...counts } = summary;
    if (options.part === "sweep") {
      this.logger.debug(
        { deleted: counts.deleted, failed: counts.failed },
        "sweep of the fanned-out run finished",
      );
      return summary;
    }
    this.logger[summary.status === "succeeded" ? "info" : "warn"](
      { ...counts, failures: failures.slice(0, 10) },
      "sync finished",
    );
    return summary;
  }

  /** Summary of what the run did so far (also for aborted runs). */
  summary(complete = this.listing.complete): RunSummary {
    const now = this.deps.apiCalls?.snapshot() ?? this.calls;
    const { tally } = this.pipeline;
    return summarise({
      sourceId: this.deps.source.id,
      runId: this.runId,
      mode: this.mode,
      dryRun: this.ctx.dryRun,
      tally,
      apiCalls: now.total - this.calls.total,
      writeCalls: now.writes - this.calls.writes,
      durationMs: Math.round(performance.now() - this.startedClock),
      listingComplete: complete,
      listingYielded: this.listing.yielded,
      ...(this.listing.error !== undefined
        ? { listingError: this.listing.error, listingErrorPermanent: this.listing.permanent ?? false }
        : {}),
      ...(this.deletions?.blocked ? { deletionsBlocked: this.deletions.blocked } : {}),
      resumed: this.resumed || this.followsInterrupted,
      superseded: this.superseded,
      duplicates: this.duplicates,
      repaired: (this.reconciled?.drifted ?? 0) + (this.reconciled?.vanished ?? 0),
    });
  }

  private listContext(): ListContext {
    return { signal: this.signal, logger: this.logger };
  }

  /**
   * The one interpreter of listing events for both kinds of listing. A full listing marks what it
   * sees (in chunks); an id it already saw in this run is a duplicate in the source and is reported,
   * not applied twice (so Intercom holds one page for it, from its first occurrence).
   */
  private async consume(
    events: AsyncIterable<SourceEvent>,
    sink: {
      document: (document: Extract<SourceEvent, { kind: "document" }>["document"]) => Promise<void>;
      cursor: (cursor: string) => Promise<void>;
    },
  ): Promise<void> {
    const marking = this.mode === "full" && this.fence !== undefined;
    let pending: Extract<SourceEvent, { kind: "document" }>["document"][] = [];
    const release = async () => {
      if (pending.length === 0) return;
      const documents = pending;
      pending = [];
      const ids = documents.map((document) => document.externalId);
      const again = this.fence ? await this.state.markSeen(this.fence, ids) : [];
      const firstSightings = firstSightingsIn(ids, again);
      for (const document of documents) {
        // A resumed listing meets its own earlier marks: those are not duplicates.
        if (!firstSightings.delete(document.externalId) && !this.resumed) {
          this.duplicates++;
          this.pipeline.tally.fail(
            document.externalId,
            "listed twice in one listing: two documents share this external id; the first one was synced",
          );
          this.logger.warn({ externalId: document.externalId }, "duplicate external id in the listing");
          continue;
        }
        await sink.document(document);
      }
    };
    let lastCheckpoint = Date.now();
    try {
      for await (const event of events) {
        if (this.signal.aborted) break;
        switch (event.kind) {
          case "document":
            this.listing.yielded++;
            if (marking) {
              pending.push(event.document);
              if (pending.length >= SEEN_CHUNK) await release();
            } else await sink.document(event.document);
            break;
          case "failed":
          case "missing":
            this.listing.yielded++;
            if (marking && this.fence) await this.state.markSeen(this.fence, [event.externalId]);
            this.pipeline.failed(
              event.externalId,
              event.kind === "failed" ? describeError(event.error) : event.reason,
              event.kind === "failed" ? "document" : "missing",
            );
            break;
          case "deleted":
            await this.pipeline.tombstone(event.externalId);
            break;
          case "cursor":
            await release();
            await sink.cursor(event.cursor);
            lastCheckpoint = Date.now();
            break;
        }
        if (Date.now() - lastCheckpoint >= 2_000) {
          lastCheckpoint = Date.now();
          await this.state.flush();
        }
      }
      await release();
      this.listing = { ...this.listing, complete: !this.signal.aborted };
    } catch (error) {
      if (error instanceof RunSupersededError) throw error;
      // A fatal error of the pipeline (Intercom refused the token) is rethrown below, not a listing error.
      if (!this.signal.aborted && this.pipeline.fatalError === undefined) {
        this.listing = {
          ...this.listing,
          complete: false,
          error: describeListingError(error),
          permanent: isConnectorError(error) && error.permanent,
        };
        this.logger.error({ err: describeError(error) }, "listing failed part way: no sweep in this run");
      }
    }
    const fatal = this.pipeline.fatalError;
    if (fatal !== undefined && !this.deps.signal?.aborted) {
      await this.pipeline.settle();
      await this.state.flush();
      throw fatal;
    }
  }
}

/** A listing's error for people: a refused credential names the env var to fix (never its value). */
function describeListingError(error: unknown): string {
  const text = describeError(error);
  if (isConnectorError(error) && error.credentialEnv && !text.includes(error.credentialEnv)) {
    return `${text} (check the env var ${error.credentialEnv})`;
  }
  return text;
}

/** Logger, controller and (for dry runs) the read-through state shared by every way to open a run. */
function prepare(deps: RunDependencies) {
  const runId = deps.runId ?? randomUUID();
  const base = deps.logger ?? pino({ level: "silent" });
  const bound = base.bindings();
  // One binding per key: the services' loggers already carry the source and the run (the job id).
  const logger = base.child({
    ...(bound.sourceId === undefined ? { sourceId: deps.source.id } : {}),
    ...(bound.runId === undefined ? { runId } : {}),
  });
  const dryRun = deps.dryRun ?? false;
  const state = dryRun ? new DryRunStateStore(deps.state) : deps.state;
  // One controller for the whole run: the caller's signal and fatal errors both stop it.
  const controller = new AbortController();
  // Every request in flight listens on this signal; the default limit of 10 would warn at concurrency > 10.
  setMaxListeners(0, controller.signal);
  if (deps.signal?.aborted) controller.abort(deps.signal.reason);
  deps.signal?.addEventListener("abort", () => controller.abort(deps.signal?.reason), { once: true });
  return {
    runId,
    logger,
    state,
    controller,
    // Calls counted from here, so the summary includes the Content Import Source lookup.
    calls: deps.apiCalls?.snapshot() ?? { total: 0, writes: 0 },
    context: (contentImportSourceId: number | undefined, observedAt: number): DocumentContext => ({
      source: deps.source,
      contentImportSourceId,
      client: deps.client,
      state,
      rules: new DocumentRules(deps.source.rules, deps.source.availability),
      dryRun,
      signal: controller.signal,
      logger,
      observedAt,
    }),
  };
}

/**
 * The ids of a chunk of listing events whose first occurrence in the chunk is their first sighting in
 * the run: `again` (what `markSeen` answered) names an id once per occurrence that was already seen,
 * either before the chunk or earlier within it, so an id with more occurrences than repeats was new.
 * Each id's first occurrence is the one applied, as the duplicate's failure reason says.
 */
export function firstSightingsIn(ids: readonly string[], again: readonly string[]): Set<string> {
  const occurrences = new Map<string, number>();
  for (const id of ids) occurrences.set(id, (occurrences.get(id) ?? 0) + 1);
  for (const id of again) occurrences.set(id, (occurrences.get(id) ?? 0) - 1);
  return new Set([...occurrences].filter(([, left]) => left > 0).map(([id]) => id));
}
