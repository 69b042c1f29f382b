import {
  DelayedError,
  type Job,
  Job as BullJob,
  RateLimitError,
  UnrecoverableError,
  WaitingChildrenError,
} from "bullmq";
import type { Logger } from "pino";
import type { SourceConfig } from "../config/types.js";
import { isRunSupersededError } from "../engine/errors.js";
import { backfillSince, runSync } from "../engine/run-sync.js";
import type { RunSummary } from "../engine/run-summary.js";
import { SourceRun } from "../engine/source-run.js";
import type { RunFence } from "../state/state-store.js";
import { requeueDirtyDocuments } from "./dirty-documents.js";
import {
  AuditBuffer,
  countsOf,
  errorsOf,
  type HandlerContext,
  isFinalAttempt,
  type JobResult,
  sourceFor,
  sourceLease,
  withRateLimitParking,
} from "./handler-context.js";
import {
  type DocumentsData,
  JOB,
  jobOptionsFor,
  parseJobData,
  type SourceRunData,
  SYNC_QUEUE_NAME,
} from "./job-catalog.js";
import { classifyJobError } from "./job-errors.js";
import { KeyspaceEpoch } from "./keyspace-epoch.js";
import { emptyCounts, type HistoryFields, type RunCounts } from "./run-ledger.js";

/** A run whose listing failed before it reached anything: retried with back-off, then failed visibly. */
class NothingSyncedError extends Error {
  override readonly name = "NothingSyncedError";
}

/**
 * `sync.source`: one run of one source. In order: take the source's lease (one run per source in
 * the fleet, renewed on a timer while any part of the run works); run it in this process, or fan a
 * full listing out into batches that any worker applies and come back for the run's one deletion
 * step; record the run in the history with its audit trail; release the lease and re-check documents
 * that webhooks touched meanwhile.
 */
export async function handleSourceRun(
  context: HandlerContext,
  job: Job,
  token: string | undefined,
  signal: AbortSignal,
): Promise<JobResult> {
  const data = parseJobData(JOB.sourceRun, job.data);
  const source = sourceFor(context, data.sourceId);
  const runId = String(job.id);
  const now = context.now ?? Date.now;
  const logger = context.logger.child({ sourceId: source.id, runId, mode: data.mode });
  const lease = sourceLease(context, source.id);

  if (!(await lease.acquire(runId))) {
    const holder = await lease.holder();
    // A scheduled incremental run that finds the source busy is redundant: the busy run covers it.
    if (data.trigger === "schedule" && data.mode === "incremental") {
      logger.debug({ holder }, "source busy; scheduled incremental run skipped");
      return { status: "skipped", counts: emptyCounts(), message: `run ${holder ?? "?"} was in progress` };
    }
    if (!token) throw new Error("a busy source can only be waited for by a worker holding the job's token");
    await job.moveToDelayed(now() + (context.busyRetryMs ?? 15_000), token);
    throw new DelayedError();
  }

  const runAbort = new AbortController();
  const runSignal = AbortSignal.any([signal, runAbort.signal]);
  // Work that lost its lease stops: another run may own the source now (its fence stops our commits too).
  const stopKeepAlive = lease.keepAlive(runId, () =>
    runAbort.abort(new Error(`lost the lease of source "${source.id}" to another run`)),
  );
  const startedAt = data.startedAt ?? job.processedOn ?? now();
  const audit = new AuditBuffer(context.ledger, source.id, runId, now);
  let waiting = false;
  const history = (fields: HistoryFields) =>
    context.ledger.record({
      runId,
      sourceId: source.id,
      mode: data.mode,
      trigger: data.trigger,
      startedAt,
      finishedAt: now(),
      ...fields,
    });
  try {
    if (data.mode === "full" && context.fanOut.enabled && !data.since) {
      const result = await fannedOutRun(context, job, token, data, source, runSignal, logger, audit, history);
      if (result === "waiting") {
        waiting = true;
        throw new WaitingChildrenError();
      }
      return result;
    }
    // The epoch this run's listing belongs to: only a full run of it may end a recovery (finishRecovery).
    const epochOfRun =
      data.mode === "full" ? await new KeyspaceEpoch(context.redis, context.keyspace).current() : undefined;
    const deps = {
      ...context.engine.dependencies(source, { signal: runSignal, logger, runId }),
      onChange: audit.add,
      ...(data.forceDeletes ? { forceDeletes: true } : {}),
    };
    const summary = await withRateLimitParking(context, source.id, () =>
      data.since
        ? backfillSince(deps, new Date(data.since))
        : runSync({ ...deps, mode: data.mode, ...(data.reconcile ? { reconcile: true } : {}) }),
    );
    if (summary.listingErrorPermanent)
      throw new UnrecoverableError(`source "${source.id}": ${summary.listingError}`);
    if (summary.status === "failed")
      throw new NothingSyncedError(`source "${source.id}": ${summary.headline}`);
    await audit.settle();
    await history(recordOf(summary));
    await finishRecovery(context, source.id, epochOfRun, summary.listingComplete && summary.mode === "full");
    return resultOf(summary);
  } catch (error) {
    if (
      error instanceof WaitingChildrenError ||
      error instanceof RateLimitError ||
      error instanceof DelayedError
    )
      throw error;
    if (isRunSupersededError(error)) {
      await history({ status: "partial", counts: emptyCounts(), errors: [], message: error.message });
      return { status: "partial", counts: emptyCounts(), message: error.message };
    }
    const classified = classifyJobError(error, source.id);
    if (isFinalAttempt(job, classified)) {
      await history({ status: "failed", counts: emptyCounts(), errors: [], message: classified.message });
    }
    throw classified;
  } finally {
    stopKeepAlive();
    await audit
      .settle()
      .catch((error: unknown) => logger.warn({ err: (error as Error).message }, "audit trail write failed"));
    if (!waiting) {
      await lease.release(runId);
      await requeueDirtyDocuments(context, source.id);
    }
  }
}

type History = (fields: HistoryFields) => Promise<void>;

/**
 * A full run split into batches. First visit: begin the run (its fence goes into the job's data),
 * stream the listing's ids into `sync.documents` children, note the listing's cursor and outcome, and
 * wait for the children with a lease long enough to outlive the longest batch. Second visit (every
 * child finished): documents of batches that failed for good go to the failure ledger; the run's one
 * deletion step sweeps only if the listing and every batch completed; the cursor is committed under
 * the fence; the run is recorded.
 */
async function fannedOutRun(
  context: HandlerContext,
  job: Job,
  token: string | undefined,
  data: SourceRunData,
  source: SourceConfig,
  signal: AbortSignal,
  logger: Logger,
  audit: AuditBuffer,
  history: History,
): Promise<JobResult | "waiting"> {
  const runId = String(job.id);
  const deps = {
    ...context.engine.dependencies(source, { signal, logger, runId }),
    onChange: audit.add,
    ...(data.forceDeletes ? { forceDeletes: true } : {}),
  };
  let fenceOfRun = { generation: data.generation ?? 0, startedAt: data.fenceStartedAt ?? 0 };
  let epochOfRun = data.epoch;
  if ((data.step ?? "listing") === "listing") {
    if (!token) throw new Error("a fanned-out run needs the job's token to wait for its batches");
    epochOfRun = await new KeyspaceEpoch(context.redis, context.keyspace).current();
    const run = await withRateLimitParking(context, source.id, () =>
      SourceRun.begin(deps, { mode: "full", resume: true, ...(data.reconcile ? { reconcile: true } : {}) }),
    );
    const fence = run.fence as RunFence;
    fenceOfRun = { generation: fence.generation, startedAt: fence.startedAt };
    // Batches queued before a crash are only skipped when the run resumed the same fence.
    const alreadyQueued = data.generation === fence.generation ? (data.batchesQueued ?? 0) : 0;
    let progress: SourceRunData = {
      ...data,
      step: "listing",
      startedAt: data.startedAt ?? job.processedOn ?? Date.now(),
      generation: fence.generation,
      fenceStartedAt: fence.startedAt,
      batchesQueued: alreadyQueued,
      ...(epochOfRun !== undefined ? { epoch: epochOfRun } : {}),
    };
    await job.updateData(progress);
    let batchIndex = 0;
    const listed = await withRateLimitParking(context, source.id, () =>
      run.listIds(context.fanOut.batchSize, async (externalIds) => {
        if (batchIndex >= alreadyQueued) {
          await context.queue.add(
            JOB.documents,
            {
              sourceId: source.id,
              runId,
              batchIndex,
              externalIds,
              generation: fence.generation,
              fenceStartedAt: fence.startedAt,
            } satisfies DocumentsData,
            {
              ...jobOptionsFor(JOB.documents),
              jobId: `${runId}-batch-${batchIndex}`,
              parent: { id: runId, queue: job.queueQualifiedName },
              // A batch that fails for good must neither fail the run silently nor block it: the run
              // goes on, records the batch's documents in the ledger and skips the sweep.
              ignoreDependencyOnFailure: true,
            },
          );
          progress = { ...progress, batchesQueued: batchIndex + 1 };
          await job.updateData(progress);
        }
        batchIndex++;
      }),
    );
    const failure = run.listingFailure;
    const listingSummary = run.summary();
    await context.ledger.setRunFacts(source.id, runId, {
      cursor: listed.cursor ?? "",
      listingComplete: run.listingComplete ? "1" : "0",
      listingError: failure?.error ?? "",
      listingFailed: String(listingSummary.failed),
    });
    if (failure?.permanent) throw new UnrecoverableError(`source "${source.id}": ${failure.error}`);
    if (!run.listingComplete && batchIndex === 0 && failure) {
      throw new NothingSyncedError(`source "${source.id}": ${listingSummary.headline}`);
    }
    await job.updateData({ ...progress, step: "waiting-batches", batchesQueued: batchIndex });
    await sourceLease(context, source.id).extend(runId, context.waitingLeaseTtlMs);
    logger.info(
      { batches: batchIndex, listingComplete: run.listingComplete },
      "listing done; batches queued",
    );
    if (await job.moveToWaitingChildren(token)) return "waiting";
  }

  // Every batch has finished: succeeded, or failed after its retries.
  const fence: RunFence = { sourceId: source.id, runId, ...fenceOfRun };
  const failedBatches = await recordFailedBatches(context, job, source.id);
  const run = await SourceRun.attach(deps, fence);
  const listingComplete = (await context.ledger.runFact(source.id, runId, "listingComplete")) === "1";
  const complete = listingComplete && failedBatches === 0;
  await withRateLimitParking(context, source.id, () => run.settleDeletions({ complete }));
  const cursor = await context.ledger.runFact(source.id, runId, "cursor");
  if (cursor) await run.commit(cursor);
  const summary = await run.finish({ complete, part: "sweep" });
  const totals = await context.ledger.batchTotals(source.id, runId);
  const listingFailed = Number((await context.ledger.runFact(source.id, runId, "listingFailed")) ?? 0);
  const counts: RunCounts = {
    ...totals.counts,
    deleted: totals.counts.deleted + summary.deleted,
    failed: totals.counts.failed + summary.failed + listingFailed,
  };
  const notes: string[] = [];
  const listingError = await context.ledger.runFact(source.id, runId, "listingError");
  if (listingError) notes.push(`the listing stopped early: ${listingError}; nothing was swept`);
  if (failedBatches > 0) {
    notes.push(
      `${failedBatches} batch(es) failed after retries: their documents wait in the failure ledger; nothing was swept`,
    );
  }
  if (summary.status !== "succeeded" && summary.headline) notes.push(summary.headline);
  const status = notes.length > 0 || counts.failed > 0 ? "partial" : "succeeded";
  if (status === "partial" && counts.failed > 0 && notes.length === 0) {
    notes.push(`${counts.failed} document(s) failed and wait in the failure ledger for a retry`);
  }
  await audit.settle();
  await history({
    status,
    counts,
    errors: [...totals.errors, ...errorsOf(summary)],
    ...(notes.length > 0 ? { message: notes.join("; ") } : {}),
    ...(summary.deletionsBlocked ? { deletionsBlocked: summary.deletionsBlocked.candidates } : {}),
  });
  await context.ledger.forgetRun(source.id, runId);
  await finishRecovery(context, source.id, epochOfRun, complete);
  // What the whole run did (its batches and its sweep), where an inline run logs its summary.
  logger[status === "succeeded" ? "info" : "warn"](
    { status, ...counts, ...(notes.length > 0 ? { message: notes.join("; ") } : {}) },
    "sync finished",
  );
  return { status, counts, ...(notes.length > 0 ? { message: notes.join("; ") } : {}) };
}

/**
 * The documents of batches that failed after their retries go to the failure ledger, so the cursor
 * may move on and a later run still applies them. Returns how many batches failed.
 */
async function recordFailedBatches(context: HandlerContext, job: Job, sourceId: string): Promise<number> {
  const failures = await job.getIgnoredChildrenFailures();
  const prefix = `${context.keyspace.queuePrefix}:${SYNC_QUEUE_NAME}:`;
  for (const [key, reason] of Object.entries(failures)) {
    const childId = key.startsWith(prefix) ? key.slice(prefix.length) : key;
    const child = await BullJob.fromId(context.queue, childId);
    const ids = (child?.data as Partial<DocumentsData> | undefined)?.externalIds ?? [];
    for (const externalId of ids) {
      await context.state.recordFailure(
        sourceId,
        {
          key: externalId,
          externalId,
          kind: "document",
          reason: `batch failed after its retries: ${reason}`,
        },
        () => 0,
      );
    }
  }
  return Object.keys(failures).length;
}

/**
 * A run that listed the whole source brings it back to ready, when its listing began in the current
 * keyspace epoch: one from before Redis lost its data proves nothing about the rebuilt state.
 */
async function finishRecovery(
  context: HandlerContext,
  sourceId: string,
  epochOfRun: string | undefined,
  fullListingCompleted: boolean,
): Promise<void> {
  if (!fullListingCompleted) return;
  await new KeyspaceEpoch(context.redis, context.keyspace, context.logger).markRecovered(
    sourceId,
    epochOfRun,
  );
}

function recordOf(summary: RunSummary): HistoryFields {
  return {
    status: summary.status === "failed" ? "failed" : summary.status,
    counts: countsOf(summary),
    errors: errorsOf(summary),
    ...(summary.status !== "succeeded" ? { message: summary.headline } : {}),
    ...(summary.deletionsBlocked ? { deletionsBlocked: summary.deletionsBlocked.candidates } : {}),
  };
}

function resultOf(summary: RunSummary): JobResult {
  return {
    status: summary.status === "failed" ? "failed" : summary.status,
    counts: countsOf(summary),
    ...(summary.status !== "succeeded" ? { message: summary.headline } : {}),
  };
}
