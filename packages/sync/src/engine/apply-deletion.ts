import { isIntercomNotFoundError } from "@content-sync/intercom";
import type { Logger } from "pino";
import type { StateStore } from "../state/state-store.js";
import type { SyncClient } from "./intercom-api.js";

export interface ApplyDeletionParams {
  sourceId: string;
  externalId: string;
  /** Intercom's page id to delete. */
  pageId: string;
  client: SyncClient;
  state: StateStore;
  dryRun?: boolean;
  signal?: AbortSignal;
  logger?: Logger;
  /** Forget the document's page record too. Default true. */
  forgetRecord?: boolean;
}

/**
 * Deletes one page and forgets it. A page already gone (deleted by hand) counts as deleted: the goal
 * state is reached either way.
 */
export async function applyDeletion(params: ApplyDeletionParams): Promise<"deleted" | "already_gone"> {
  if (params.dryRun) return "deleted";
  let outcome: "deleted" | "already_gone" = "deleted";
  try {
    await params.client.aiContent.deleteExternalPage(params.pageId, { signal: params.signal });
  } catch (error) {
    if (!isIntercomNotFoundError(error)) throw error;
    outcome = "already_gone";
    params.logger?.info({ externalId: params.externalId, pageId: params.pageId }, "page was already deleted");
  }
  if (params.forgetRecord !== false) {
    // Only the record of this very page: a newer page of the document (recreated meanwhile) stays.
    const current = (await params.state.getPages(params.sourceId, [params.externalId])).get(
      params.externalId,
    );
    if (current?.pageId === params.pageId) await params.state.deletePage(params.sourceId, params.externalId);
  }
  return outcome;
}
