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
  await params.state.deletePage(params.sourceId, params.externalId);
  return outcome;
}
