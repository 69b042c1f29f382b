import type { Queue, RepeatOptions } from "bullmq";
import type { Logger } from "pino";
import { pino } from "pino";
import { parseDuration } from "../config/duration.js";
import type { ScheduleSpec, SourceConfig } from "../config/types.js";
import { JOB, jobOptionsFor, type SourceRunData } from "./job-catalog.js";

/** Every scheduler id content-sync owns starts with this, so foreign schedulers are left alone. */
const SCHEDULER_ID_PREFIX = "source:";

export const schedulerId = (sourceId: string, mode: "full" | "incremental"): string =>
  `${SCHEDULER_ID_PREFIX}${sourceId}:${mode}`;

/** One desired job scheduler. */
export interface PlannedSchedule {
  id: string;
  sourceId: string;
  mode: "full" | "incremental";
  repeat: Omit<RepeatOptions, "key">;
}

/** BullMQ repeat options for a schedule spec: `every` in ms, or a cron `pattern` in a time zone. */
export function repeatOptionsFor(spec: ScheduleSpec): Omit<RepeatOptions, "key"> {
  if (spec.every !== undefined) return { every: parseDuration(spec.every) };
  if (spec.cron !== undefined) return { pattern: spec.cron, tz: spec.timezone ?? "UTC" };
  throw new Error("a schedule needs `every` or `cron`");
}

/**
 * The schedulers the config asks for: per enabled source, an incremental one (top-level `every`/`cron`)
 * and a full one (`schedule.full`, for deletions and drift).
 */
export function planSchedules(sources: readonly SourceConfig[]): PlannedSchedule[] {
  const planned: PlannedSchedule[] = [];
  for (const source of sources) {
    if (!source.enabled || !source.schedule) continue;
    const { full, ...incremental } = source.schedule;
    if (incremental.every !== undefined || incremental.cron !== undefined) {
      planned.push({
        id: schedulerId(source.id, "incremental"),
        sourceId: source.id,
        mode: "incremental",
        repeat: repeatOptionsFor(incremental),
      });
    }
    if (full) {
      planned.push({
        id: schedulerId(source.id, "full"),
        sourceId: source.id,
        mode: "full",
        repeat: repeatOptionsFor(full),
      });
    }
  }
  return planned;
}

export interface ScheduleSyncResult {
  upserted: string[];
  removed: string[];
}

/**
 * Makes the queue's job schedulers match the config: upserts the planned ones (idempotent, so every
 * scheduler process may call it) and removes content-sync schedulers whose source or mode is gone.
 */
export async function syncSchedules(
  queue: Queue,
  sources: readonly SourceConfig[],
  logger: Logger = pino({ level: "silent" }),
): Promise<ScheduleSyncResult> {
  const planned = planSchedules(sources);
  const wanted = new Set(planned.map((schedule) => schedule.id));
  const upserted: string[] = [];
  for (const schedule of planned) {
    const data: SourceRunData = { sourceId: schedule.sourceId, mode: schedule.mode, trigger: "schedule" };
    await queue.upsertJobScheduler(schedule.id, schedule.repeat, {
      name: JOB.sourceRun,
      data,
      opts: jobOptionsFor(JOB.sourceRun),
    });
    upserted.push(schedule.id);
  }
  const removed: string[] = [];
  for (const existing of await queue.getJobSchedulers(0, -1)) {
    const id = existing.id ?? existing.key;
    if (!id.startsWith(SCHEDULER_ID_PREFIX) || wanted.has(id)) continue;
    await queue.removeJobScheduler(id);
    removed.push(id);
  }
  logger.info({ upserted: upserted.length, removed }, "job schedulers in step with the config");
  return { upserted, removed };
}
