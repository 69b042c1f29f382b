import { type Job, UnrecoverableError } from "bullmq";
import { handleDocuments } from "./batch-job.js";
import type { HandlerContext, JobResult } from "./handler-context.js";
import { JOB, type JobName } from "./job-catalog.js";
import { handleSourceRun } from "./source-run-job.js";
import { handleTargeted } from "./targeted-job.js";

export type { FanOutOptions, HandlerContext, JobResult } from "./handler-context.js";

/**
 * Dispatches a job to its handler by name; unknown names fail without retries. One module per job:
 * `source-run-job.ts` (a run of a source, inline or fanned out), `batch-job.ts` (a batch of a fanned-out
 * run), `targeted-job.ts` (webhook documents).
 */
export async function handleJob(
  context: HandlerContext,
  job: Job,
  token: string | undefined,
  signal: AbortSignal,
): Promise<JobResult> {
  const name = job.name as JobName;
  switch (name) {
    case JOB.sourceRun:
      return handleSourceRun(context, job, token, signal);
    case JOB.documents:
      return handleDocuments(context, job, signal);
    case JOB.targeted:
      return handleTargeted(context, job, token, signal);
    default:
      throw new UnrecoverableError(
        `unknown job name "${job.name}" (expected one of ${Object.values(JOB).join(", ")})`,
      );
  }
}
