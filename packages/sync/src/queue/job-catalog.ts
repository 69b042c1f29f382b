import { UnrecoverableError } from "bullmq";
import type { JobsOptions } from "bullmq";
import { z } from "zod";

/**
 * The one BullMQ queue every content-sync job travels on. Its name is its Redis Cluster hash tag
 * (BullMQ's per-queue convention): the queue's keys share one slot, other keys spread elsewhere.
 */
export const SYNC_QUEUE_NAME = "{sync}";

/** Job names, namespaced so other job kinds can join the queue later without collisions. */
export const JOB = {
  /** A run of one source: `full` (listing, deletions) or `incremental` (changes since the cursor). */
  sourceRun: "sync.source",
  /** A batch of documents of a fanned-out full run; child of its `sync.source` job. */
  documents: "sync.documents",
  /** Documents named by a webhook or an operator; fetched by id and written at once. */
  targeted: "sync.targeted",
} as const;

export type JobName = (typeof JOB)[keyof typeof JOB];

const sourceId = z.string().min(1).max(64);
const externalIds = z.array(z.string().min(1)).min(1).max(1000);

/**
 * Field additions must stay optional so jobs already waiting in Redis keep parsing after a deploy.
 * `step` is written back by the handler itself (fan-out progress), never by producers.
 */
export const sourceRunDataSchema = z.object({
  sourceId,
  mode: z.enum(["full", "incremental"]),
  /**
   * Who asked: the schedule, a backfill, the status page's "sync now", a recovery after a lost
   * keyspace, or a push notification that named no documents (it waits for a run in progress rather
   * than being skipped, so the change it announces is not lost).
   */
  trigger: z.enum(["schedule", "backfill", "manual", "recovery", "push"]).default("schedule"),
  /** Windowed backfill: only documents updated at or after this ISO time are written. */
  since: z.iso.datetime({ offset: true }).optional(),
  /** Lifts the deletion limit for this run only. */
  forceDeletes: z.boolean().optional(),
  /** Rebuild the page state from the pages in Intercom before listing (recovery after a lost Redis). */
  reconcile: z.boolean().optional(),
  /** Fan-out progress of this run; absent until the run starts listing. */
  step: z.enum(["listing", "waiting-batches", "sweeping"]).optional(),
  /** Unix ms when the run first started (kept across the re-processing after its batches). */
  startedAt: z.number().int().optional(),
  /** Batches queued so far by the listing (so a resumed listing skips what is already queued). */
  batchesQueued: z.number().int().min(0).optional(),
  /** The run's fence once taken: its generation and the store-clock time it began. */
  generation: z.number().int().min(1).optional(),
  fenceStartedAt: z.number().int().optional(),
  /** The keyspace epoch the run's listing began in (only that epoch's recovery may it complete). */
  epoch: z.string().min(1).optional(),
});

export const documentsDataSchema = z.object({
  sourceId,
  /** The run (its `sync.source` job id) this batch belongs to; batches refresh that run's lock. */
  runId: z.string().min(1),
  batchIndex: z.number().int().min(0),
  externalIds,
  /** The fence of the run: a batch of a superseded run applies nothing. Absent in batches queued by 0.1. */
  generation: z.number().int().min(1).optional(),
  fenceStartedAt: z.number().int().optional(),
});

export const targetedDataSchema = z.object({
  sourceId,
  externalIds,
  /** Unix ms when the webhook arrived; used for the freshness metric. */
  receivedAt: z.number().int().optional(),
  /** Ids among externalIds that a verified webhook reported deleted (absent in older jobs). */
  deletedByWebhook: z.array(z.string().min(1)).optional(),
});

export type SourceRunData = z.output<typeof sourceRunDataSchema>;
export type SourceRunInput = z.input<typeof sourceRunDataSchema>;
export type DocumentsData = z.output<typeof documentsDataSchema>;
export type TargetedData = z.output<typeof targetedDataSchema>;

export interface JobPolicy<Schema extends z.ZodType> {
  schema: Schema;
  /** Attempts including the first. */
  attempts: number;
  /** Exponential back-off base in ms between attempts (BullMQ doubles it per attempt). */
  backoffMs: number;
  /** The handler's signal aborts after this long; the job then fails and retries like any error. */
  timeoutMs: number;
}

/**
 * What every job name carries, how often it is retried and how long one attempt may take. Finished
 * jobs are kept (bounded) so `status` and the status page can show counts and errors; a job that
 * exhausted its retries stays in the failed set with its error.
 */
export const JOB_CATALOG = {
  [JOB.sourceRun]: {
    schema: sourceRunDataSchema,
    attempts: 3,
    backoffMs: 30_000,
    // A whole listing of a large source; batches have their own, shorter budget.
    timeoutMs: 6 * 3_600_000,
  },
  [JOB.documents]: { schema: documentsDataSchema, attempts: 5, backoffMs: 5_000, timeoutMs: 15 * 60_000 },
  [JOB.targeted]: { schema: targetedDataSchema, attempts: 5, backoffMs: 2_000, timeoutMs: 5 * 60_000 },
} as const satisfies Record<JobName, JobPolicy<z.ZodType>>;

export type JobDataOf<Name extends JobName> = z.output<(typeof JOB_CATALOG)[Name]["schema"]>;

export const isJobName = (name: string): name is JobName => Object.hasOwn(JOB_CATALOG, name);

/** Job options every producer uses for `name`, so retries and retention are defined once. */
export function jobOptionsFor(name: JobName): JobsOptions {
  const policy = JOB_CATALOG[name];
  return {
    attempts: policy.attempts,
    backoff: { type: "exponential", delay: policy.backoffMs },
    removeOnComplete: { count: 500, age: 7 * 86_400 },
    removeOnFail: { count: 1_000, age: 30 * 86_400 },
  };
}

/**
 * Parses a job's data with its schema. Data that does not parse can never succeed, so it fails the
 * job without retries, naming the job and the fields.
 */
export function parseJobData<Name extends JobName>(name: Name, data: unknown): JobDataOf<Name> {
  const result = JOB_CATALOG[name].schema.safeParse(data);
  if (!result.success) {
    const fields = result.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new UnrecoverableError(`job ${name} has invalid data: ${fields.join("; ")}`);
  }
  return result.data as JobDataOf<Name>;
}
