import { IntercomValidationError, isIntercomNotFoundError } from "@content-sync/intercom";
import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import { orphanPageKey, type StateStore } from "../state/state-store.js";
import { ContentImportSourceError } from "./errors.js";
import type { ContentImportSourceView, SyncClient } from "./intercom-api.js";
import { IMMEDIATELY } from "./retry-schedule.js";

export interface EnsureContentImportSourceParams {
  source: SourceConfig;
  client: SyncClient;
  state: StateStore;
  /** Look up only: a missing source is not created and nothing is recorded. */
  dryRun?: boolean;
  /**
   * Confirm that the recorded source still exists (one GET) instead of trusting it. Full runs do: a
   * source deleted in Intercom took its pages with it, and a run of unchanged documents would not
   * notice otherwise. Webhooks and incremental runs trust the record (one call per event, not two).
   */
  verify?: boolean;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface EnsuredContentImportSource {
  /** Undefined only in a dry run when the source does not exist yet. */
  id: number | undefined;
  /** True when it was created by this call (false in dry runs). */
  created: boolean;
  /**
   * True when the id differs from the one recorded in state (the source was deleted in Intercom, or
   * the config now names another one): every document is sent again under the new one, and the pages
   * of the old one (when it still exists) wait in the failure ledger as due deletions.
   */
  replaced: boolean;
}

/**
 * Makes sure the source's Content Import Source exists and records its id in state. While the config
 * names the URL (or pinned id) that was recorded, the recorded id is used as it is: no call at all,
 * so a webhook costs one Intercom call, not two. Otherwise the sources are listed: a pinned id must
 * exist; a source with the same URL (ignoring a trailing slash and letter case of the host) is
 * reused; else one is created with `sync_behavior: "api"`.
 */
export async function ensureContentImportSource(
  params: EnsureContentImportSourceParams,
): Promise<EnsuredContentImportSource> {
  const { source, client, state, signal } = params;
  const logger = params.logger ?? pino({ level: "silent" });
  const recorded = await state.getSource(source.id);
  const recordedId = recorded.contentImportSourceId;
  const pinnedId = source.contentImportSource.id;
  const wantedUrl = normaliseUrl(source.contentImportSource.url);
  if (
    recordedId !== undefined &&
    recorded.contentImportSourceUrl !== undefined &&
    normaliseUrl(recorded.contentImportSourceUrl) === wantedUrl &&
    (pinnedId === undefined || pinnedId === recordedId)
  ) {
    if (!params.verify) return { id: recordedId, created: false, replaced: false };
    try {
      await client.aiContent.getContentImportSource(recordedId, { signal });
      return { id: recordedId, created: false, replaced: false };
    } catch (error) {
      if (!isIntercomNotFoundError(error)) throw error;
      logger.warn(
        { contentImportSourceId: recordedId },
        "the recorded Content Import Source no longer exists in Intercom",
      );
    }
  }

  let found: ContentImportSourceView | undefined;
  let byRecordedId: ContentImportSourceView | undefined;
  for await (const candidate of client.aiContent.listContentImportSources({ signal })) {
    if (candidate.id === recordedId) byRecordedId = candidate;
    if (pinnedId !== undefined) {
      if (candidate.id === pinnedId) found = candidate;
    } else if (!found && normaliseUrl(candidate.url) === wantedUrl) found = candidate;
  }
  // The recorded source wins over another one with the same URL, so pages never hop between sources.
  if (pinnedId === undefined && byRecordedId && normaliseUrl(byRecordedId.url) === wantedUrl)
    found = byRecordedId;

  if (pinnedId !== undefined && !found) {
    throw new ContentImportSourceError(
      source.id,
      `Content Import Source ${pinnedId} (contentImportSource.id) does not exist in this Intercom workspace`,
    );
  }

  let created = false;
  if (!found) {
    if (params.dryRun) {
      logger.info({ url: source.contentImportSource.url }, "content import source would be created");
      return { id: undefined, created: false, replaced: recordedId !== undefined };
    }
    found = await client.aiContent.createContentImportSource(
      { url: source.contentImportSource.url, sync_behavior: "api" },
      { signal },
    );
    created = true;
    logger.info({ contentImportSourceId: found.id }, "content import source created");
  }

  const replaced = recordedId !== undefined && recordedId !== found.id;
  if (!params.dryRun) {
    if (replaced) {
      // Pages of the old source must not stay for Fin to answer from. When it still exists, they are
      // deleted once the new pages are written (ledger first, then the records: a crash in between
      // leaves work to redo, never an orphan); when it was deleted, its pages went with it.
      const oldSourceExists = byRecordedId !== undefined;
      logger.warn(
        { previous: recordedId, current: found.id, oldPagesToDelete: oldSourceExists },
        "content import source changed: every document will be sent again",
      );
      for await (const [externalId, record] of state.listPages(source.id)) {
        if (oldSourceExists) {
          await state.recordFailure(
            source.id,
            {
              key: orphanPageKey(record.pageId),
              externalId,
              kind: "deletion",
              reason: `page of the replaced Content Import Source ${recordedId}`,
              pageId: record.pageId,
            },
            IMMEDIATELY,
          );
        }
        await state.deletePage(source.id, externalId);
      }
    }
    await state.updateSource(source.id, {
      contentImportSourceId: found.id,
      contentImportSourceUrl: source.contentImportSource.url,
    });
    await state.flush();
  }
  return { id: found.id, created, replaced };
}

/** Compares URLs the way people mean them: host case and a trailing slash do not matter. */
export function normaliseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const pathname = parsed.pathname.replace(/\/+$/, "");
    return `${parsed.protocol}//${parsed.host.toLowerCase()}${pathname}${parsed.search}`;
  } catch {
    return url.replace(/\/+$/, "");
  }
}

/**
 * Intercom refused a page because its `source_id` names no Content Import Source: the recorded source
 * was deleted in Intercom (which deletes its pages too).
 */
export function isUnknownContentImportSource(error: unknown): boolean {
  return (
    error instanceof IntercomValidationError &&
    error.errors.some((detail) => detail.field === "source_id" || /source_id/.test(detail.message ?? ""))
  );
}

/**
 * Forgets the recorded Content Import Source so the next attempt lists the sources again (and finds
 * it gone, creates a new one and resends every page). Returns the error that stops this run.
 */
export async function forgetContentImportSource(
  state: StateStore,
  source: SourceConfig,
  recordedId: number | undefined,
): Promise<ContentImportSourceError> {
  await state.updateSource(source.id, { contentImportSourceUrl: undefined });
  return new ContentImportSourceError(
    source.id,
    `Content Import Source ${recordedId ?? "?"} no longer exists in Intercom (deleted by hand?); the next run creates a new one and sends every page again`,
  );
}
