import type { Logger } from "pino";
import type { StateStore } from "../state/state-store.js";
import type { ExternalPageView, SyncClient } from "./intercom-api.js";
import { remotePageHash } from "./payload.js";

export interface ReconcileParams {
  sourceId: string;
  /** The run this pass prepares (its own fence is derived from it). */
  runId: string;
  contentImportSourceId: number;
  client: SyncClient;
  state: StateStore;
  signal: AbortSignal;
  logger: Logger;
}

export interface ReconcileOutcome {
  /** Pages in Intercom the state did not know (written before a crash, or state lost): adopted. */
  adopted: number;
  /** Pages whose content or id in Intercom differs from what was recorded (edited by hand): resent. */
  drifted: number;
  /** Recorded pages Intercom no longer has (deleted by hand): recreated. */
  vanished: number;
}

/** Pages read from Intercom per state round trip. */
const CHUNK = 200;

/**
 * Brings the page state in line with the pages Intercom really has, streaming (nothing is held but a
 * chunk): unknown pages are adopted with no version (so the listing that follows loads and compares
 * them, and deletes those the source no longer has), pages that drifted are marked so the listing
 * resends them, and records of pages Intercom lost are dropped so the listing recreates them. This is
 * how the fleet rebuilds its state after Redis lost it, and what `--reconcile` does.
 *
 * Uses a fence of its own to mark the pages Intercom listed; the run that follows takes the next one.
 */
export async function reconcileWithIntercom(params: ReconcileParams): Promise<ReconcileOutcome> {
  const { state, sourceId } = params;
  const fence = await state.beginRun(sourceId, { runId: `${params.runId}-reconcile`, mode: "full" });
  const outcome: ReconcileOutcome = { adopted: 0, drifted: 0, vanished: 0 };
  let chunk: ExternalPageView[] = [];
  const apply = async () => {
    if (chunk.length === 0) return;
    const pages = chunk;
    chunk = [];
    const ids = pages.map((page) => page.external_id);
    const [records] = await Promise.all([state.getPages(sourceId, ids), state.markSeen(fence, ids)]);
    for (const page of pages) {
      const hash = remotePageHash(page);
      const record = records.get(page.external_id);
      if (!record) {
        outcome.adopted++;
        await state.putPage(sourceId, page.external_id, {
          pageId: String(page.id),
          contentHash: hash,
          version: "",
          syncedAt: 0,
        });
      } else if (record.pageId !== String(page.id) || record.contentHash !== hash) {
        outcome.drifted++;
        await state.putPage(sourceId, page.external_id, {
          ...record,
          pageId: String(page.id),
          contentHash: hash,
          version: "",
        });
      }
    }
  };
  // The list endpoint takes no filter in 2.12: every page of the workspace passes by, ours are kept.
  for await (const page of params.client.aiContent.listExternalPages({ signal: params.signal })) {
    if (Number(page.source_id) !== params.contentImportSourceId) continue;
    chunk.push(page);
    if (chunk.length >= CHUNK) await apply();
  }
  await apply();
  for await (const [externalId] of state.sweepCandidates(fence)) {
    outcome.vanished++;
    await state.deletePage(sourceId, externalId);
  }
  await state.finishRun(fence);
  await state.flush();
  params.logger.info(outcome, "reconciled the page state with Intercom");
  return outcome;
}
