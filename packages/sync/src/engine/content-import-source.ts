import type { Logger } from "pino";
import { pino } from "pino";
import type { SourceConfig } from "../config/types.js";
import type { StateStore } from "../state/state-store.js";
import { ContentImportSourceError } from "./errors.js";
import type { ContentImportSourceView, SyncClient } from "./intercom-api.js";

export interface EnsureContentImportSourceParams {
  source: SourceConfig;
  client: SyncClient;
  state: StateStore;
  /** Look up only: a missing source is not created and nothing is recorded. */
  dryRun?: boolean;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface EnsuredContentImportSource {
  /** Undefined only in a dry run when the source does not exist yet. */
  id: number | undefined;
  /** True when it was created by this call (false in dry runs). */
  created: boolean;
  /**
   * True when the id differs from the one recorded in state (the source was deleted in Intercom,
   * which deletes its pages, or the config now pins another one): the page records were dropped so
   * every document is sent again.
   */
  replaced: boolean;
}

/**
 * Makes sure the source's Content Import Source exists and records its id in state. A pinned id must
 * exist; otherwise a source with the same URL (ignoring a trailing slash and letter case of the host)
 * is reused, else one is created with `sync_behavior: "api"`.
 */
export async function ensureContentImportSource(
  params: EnsureContentImportSourceParams,
): Promise<EnsuredContentImportSource> {
  const { source, client, state, signal } = params;
  const logger = params.logger ?? pino({ level: "silent" });
  const recordedId = (await state.getSource(source.id)).contentImportSourceId;
  const pinnedId = source.contentImportSource.id;
  const wantedUrl = normaliseUrl(source.contentImportSource.url);

  let found: ContentImportSourceView | undefined;
  let byRecordedId: ContentImportSourceView | undefined;
  for await (const candidate of client.aiContent.listContentImportSources({ signal })) {
    if (pinnedId !== undefined) {
      if (candidate.id === pinnedId) found = candidate;
    } else {
      if (candidate.id === recordedId) byRecordedId = candidate;
      if (!found && normaliseUrl(candidate.url) === wantedUrl) found = candidate;
    }
  }
  // The recorded source wins over another one with the same URL, so pages never hop between sources.
  if (byRecordedId && normaliseUrl(byRecordedId.url) === wantedUrl) found = byRecordedId;

  if (pinnedId !== undefined && !found) {
    throw new ContentImportSourceError(
      source.id,
      `Content Import Source ${pinnedId} (contentImportSource.id) does not exist in this Intercom workspace`,
    );
  }

  let created = false;
  if (!found) {
    if (params.dryRun) {
      logger.info(
        { sourceId: source.id, url: source.contentImportSource.url },
        "content import source would be created",
      );
      return { id: undefined, created: false, replaced: recordedId !== undefined };
    }
    found = await client.aiContent.createContentImportSource(
      { url: source.contentImportSource.url, sync_behavior: "api" },
      { signal },
    );
    created = true;
    logger.info({ sourceId: source.id, contentImportSourceId: found.id }, "content import source created");
  }

  const replaced = recordedId !== undefined && recordedId !== found.id;
  if (!params.dryRun && recordedId !== found.id) {
    if (replaced) {
      logger.warn(
        { sourceId: source.id, previous: recordedId, current: found.id },
        "content import source changed: every document will be sent again",
      );
      for await (const [externalId] of state.listPages(source.id))
        await state.deletePage(source.id, externalId);
    }
    await state.updateSource(source.id, { contentImportSourceId: found.id });
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
