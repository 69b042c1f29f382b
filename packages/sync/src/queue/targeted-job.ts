import { DelayedError, type Job, RateLimitError } from "bullmq";
import { syncDocuments } from "../engine/run-sync.js";
import { markDirtyDocuments } from "./dirty-documents.js";
import {
  AuditBuffer,
  countsOf,
  errorsOf,
  type HandlerContext,
  isFinalAttempt,
  type JobResult,
  parkIfFleetBlocked,
  sourceFor,
  sourceLease,
  withRateLimitParking,
} from "./handler-context.js";
import { JOB, parseJobData } from "./job-catalog.js";
import { classifyJobError } from "./job-errors.js";
import { RedisLease } from "./lease.js";
import { emptyCounts, type HistoryFields } from "./run-ledger.js";

/** A document lease outlives the longest targeted job (its timeout). */
const DOCUMENT_LEASE_TTL_MS = 5 * 60_000;

/**
 * `sync.targeted`: documents named by a webhook (or an operator), fetched by id and written at once.
 * Jobs of one document run one at a time (a lease per document), so a later job never finishes before
 * an earlier one and overwrites a newer version with an older one. A fetch that fails is retried with
 * back-off and, if it never succeeds, fails visibly; either way its documents are in the failure ledger,
 * so the next run picks them up. Deletions the product confirms pass the rolling deletion limit.
 */
export async function handleTargeted(
  context: HandlerContext,
  job: Job,
  token: string | undefined,
  signal: AbortSignal,
): Promise<JobResult> {
  const data = parseJobData(JOB.targeted, job.data);
  const source = sourceFor(context, data.sourceId);
  await parkIfFleetBlocked(context);
  const now = context.now ?? Date.now;
  const holder = String(job.id);
  const documentLease = new RedisLease(
    context.redis,
    context.keyspace.documentLock(source.id, data.externalIds.join("\n")),
    DOCUMENT_LEASE_TTL_MS,
  );
  if (!(await documentLease.acquire(holder))) {
    if (!token) throw new Error("a busy document can only be waited for by a worker holding the job's token");
    await job.moveToDelayed(now() + 250, token);
    throw new DelayedError();
  }
  const startedAt = now();
  const logger = context.logger.child({ sourceId: source.id, runId: holder });
  const audit = new AuditBuffer(context.ledger, source.id, holder, now);
  const history = (fields: HistoryFields) =>
    context.ledger.record({
      runId: holder,
      sourceId: source.id,
      mode: "targeted",
      trigger: "webhook",
      startedAt,
      finishedAt: now(),
      ...fields,
    });
  try {
    // A run in progress may have loaded an older version of these documents: it re-checks them when it ends.
    if (await sourceLease(context, source.id).holder())
      await markDirtyDocuments(context, source.id, data.externalIds);
    const summary = await withRateLimitParking(context, source.id, () =>
      syncDocuments({
        ...context.engine.dependencies(source, { signal, logger, runId: holder }),
        externalIds: data.externalIds,
        ...(data.deletedByWebhook ? { deletedByWebhook: data.deletedByWebhook } : {}),
        onChange: audit.add,
      }),
    );
    await audit.settle();
    const changed = summary.created + summary.updated + summary.deleted + summary.failed;
    // Unchanged re-checks are not worth a line of history each; writes, failures and held deletions are.
    if (changed > 0 || summary.status !== "succeeded") {
      await history({
        status: summary.status,
        counts: countsOf(summary),
        errors: errorsOf(summary),
        ...(summary.status !== "succeeded" ? { message: summary.headline } : {}),
        ...(summary.deletionsBlocked ? { deletionsBlocked: summary.deletionsBlocked.candidates } : {}),
      });
    }
    return {
      status: summary.status,
      counts: countsOf(summary),
      ...(summary.status !== "succeeded" ? { message: summary.headline } : {}),
    };
  } catch (error) {
    if (error instanceof RateLimitError || error instanceof DelayedError) throw error;
    const classified = classifyJobError(error, source.id);
    if (isFinalAttempt(job, classified)) {
      await history({
        status: "failed",
        counts: { ...emptyCounts(), failed: data.externalIds.length },
        errors: data.externalIds
          .slice(0, 50)
          .map((externalId) => ({ externalId, message: classified.message })),
        message: `${classified.message} (the documents wait in the failure ledger for the next run)`,
      });
    }
    throw classified;
  } finally {
    await audit.settle().catch(() => undefined);
    await documentLease.release(holder);
  }
}
