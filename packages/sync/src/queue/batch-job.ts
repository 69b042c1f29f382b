import type { Job } from "bullmq";
import { isRunSupersededError } from "../engine/errors.js";
import { SourceRun } from "../engine/source-run.js";
import type { RunFence } from "../state/state-store.js";
import {
  AuditBuffer,
  countsOf,
  errorsOf,
  type HandlerContext,
  type JobResult,
  parkIfFleetBlocked,
  sourceFor,
  sourceLease,
  withRateLimitParking,
} from "./handler-context.js";
import { type DocumentsData, JOB, parseJobData } from "./job-catalog.js";
import { emptyCounts } from "./run-ledger.js";

/**
 * `sync.documents`: one batch of a fanned-out full run. It works under its run's fence and lease: it
 * renews the lease on a timer while it works (so the run's lease never lapses while any part of it
 * works) and stops as soon as the lease or the fence is lost, because then another run owns the
 * source. It never deletes: documents the product confirms gone become due deletions that the run's
 * one deletion step settles; documents not returned by id are recorded as failures.
 */
export async function handleDocuments(
  context: HandlerContext,
  job: Job,
  signal: AbortSignal,
): Promise<JobResult> {
  const data = parseJobData(JOB.documents, job.data);
  const source = sourceFor(context, data.sourceId);
  await parkIfFleetBlocked(context);
  const logger = context.logger.child({ sourceId: source.id, runId: data.runId, batch: data.batchIndex });
  const fence = await fenceOf(context, data);
  const lease = sourceLease(context, source.id);
  const ttl = context.waitingLeaseTtlMs;
  if (!fence || !((await lease.extend(data.runId, ttl)) || (await lease.acquire(data.runId, ttl)))) {
    const message = `run ${data.runId} no longer owns source "${source.id}": batch skipped`;
    logger.warn(message);
    return { status: "skipped", counts: emptyCounts(), message };
  }
  const lost = new AbortController();
  const stopKeepAlive = lease.keepAlive(
    data.runId,
    () => lost.abort(new Error(`run ${data.runId} lost the lease of source "${source.id}"`)),
    ttl,
  );
  const now = context.now ?? Date.now;
  const audit = new AuditBuffer(context.ledger, source.id, data.runId, now);
  try {
    const deps = {
      ...context.engine.dependencies(source, {
        signal: AbortSignal.any([signal, lost.signal]),
        logger,
        runId: data.runId,
      }),
      onChange: audit.add,
    };
    const run = await SourceRun.attach(deps, fence);
    await withRateLimitParking(context, source.id, () => run.applyIds(data.externalIds));
    const summary = run.summary();
    await audit.settle();
    await context.ledger.addBatchResult(source.id, data.runId, countsOf(summary), errorsOf(summary));
    return { status: summary.failed > 0 ? "partial" : "succeeded", counts: countsOf(summary) };
  } catch (error) {
    if (isRunSupersededError(error))
      return { status: "skipped", counts: emptyCounts(), message: error.message };
    throw error;
  } finally {
    stopKeepAlive();
    await audit.settle().catch(() => undefined);
  }
}

/** The batch's fence; batches queued by version 0.1 carry none and take it from the run's checkpoint. */
async function fenceOf(context: HandlerContext, data: DocumentsData): Promise<RunFence | undefined> {
  if (data.generation !== undefined && data.fenceStartedAt !== undefined) {
    return {
      sourceId: data.sourceId,
      runId: data.runId,
      generation: data.generation,
      startedAt: data.fenceStartedAt,
    };
  }
  const checkpoint = (await context.state.getSource(data.sourceId)).checkpoint;
  if (checkpoint?.runId !== data.runId) return undefined;
  return {
    sourceId: data.sourceId,
    runId: data.runId,
    generation: checkpoint.generation,
    startedAt: checkpoint.startedAt,
  };
}
