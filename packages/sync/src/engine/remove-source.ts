import { isIntercomNotFoundError } from "@content-sync/intercom";
import pLimit from "p-limit";
import type { Logger } from "pino";
import { pino } from "pino";
import type { StateStore } from "../state/state-store.js";
import { describeError } from "./apply-document.js";
import type { SyncClient } from "./intercom-api.js";

export interface RemoveSourceParams {
  sourceId: string;
  client: SyncClient;
  state: StateStore;
  concurrency?: number;
  signal?: AbortSignal;
  logger?: Logger;
  onDeleted?: (externalId: string, pageId: string) => void;
}

export interface RemovalPlan {
  sourceId: string;
  pages: number;
  contentImportSourceId?: number;
  contentImportSourceUrl?: string;
}

export interface RemovalOutcome extends RemovalPlan {
  deleted: number;
  failures: { externalId: string; reason: string }[];
  /** True when the Content Import Source was deleted too (it held no other pages). */
  contentImportSourceDeleted: boolean;
  /** Why it was kept, when it was. */
  keptBecause?: string;
}

/** What `removeSource` would delete, for the confirmation prompt. */
export async function planRemoval(state: StateStore, sourceId: string): Promise<RemovalPlan> {
  const record = await state.getSource(sourceId);
  return {
    sourceId,
    pages: await state.countPages(sourceId),
    ...(record.contentImportSourceId !== undefined
      ? { contentImportSourceId: record.contentImportSourceId }
      : {}),
    ...(record.contentImportSourceUrl !== undefined
      ? { contentImportSourceUrl: record.contentImportSourceUrl }
      : {}),
  };
}

/**
 * Removes a source from Intercom for good (it left the config, and its pages must not stay for Fin to
 * answer from): deletes each page the state records, then the Content Import Source when no other page
 * is left in it (pages some other tool wrote there are not ours to delete), then forgets the source's
 * state. A page that cannot be deleted keeps the state, so the command can be run again.
 */
export async function removeSource(params: RemoveSourceParams): Promise<RemovalOutcome> {
  const logger = params.logger ?? pino({ level: "silent" });
  const plan = await planRemoval(params.state, params.sourceId);
  const limit = pLimit(params.concurrency ?? 8);
  const failures: RemovalOutcome["failures"] = [];
  let deleted = 0;
  const pending: Promise<void>[] = [];
  for await (const [externalId, record] of params.state.listPages(params.sourceId)) {
    pending.push(
      limit(async () => {
        try {
          await params.client.aiContent.deleteExternalPage(record.pageId, { signal: params.signal });
        } catch (error) {
          if (!isIntercomNotFoundError(error)) {
            failures.push({ externalId, reason: describeError(error) });
            return;
          }
        }
        await params.state.deletePage(params.sourceId, externalId);
        deleted++;
        params.onDeleted?.(externalId, record.pageId);
      }),
    );
  }
  await Promise.all(pending);
  const outcome: RemovalOutcome = { ...plan, deleted, failures, contentImportSourceDeleted: false };
  if (failures.length > 0) {
    outcome.keptBecause = `${failures.length} page(s) could not be deleted; run the command again`;
    return outcome;
  }
  if (plan.contentImportSourceId !== undefined) {
    let others = 0;
    for await (const page of params.client.aiContent.listExternalPages({ signal: params.signal })) {
      if (Number(page.source_id) === plan.contentImportSourceId) others++;
    }
    if (others > 0) {
      outcome.keptBecause = `Content Import Source ${plan.contentImportSourceId} still holds ${others} page(s) content-sync did not write`;
    } else {
      try {
        await params.client.aiContent.deleteContentImportSource(plan.contentImportSourceId, {
          signal: params.signal,
        });
      } catch (error) {
        if (!isIntercomNotFoundError(error)) throw error;
      }
      outcome.contentImportSourceDeleted = true;
    }
  }
  await params.state.clearSource(params.sourceId);
  await params.state.flush();
  logger.info({ ...outcome, failures: failures.length }, "source removed");
  return outcome;
}
