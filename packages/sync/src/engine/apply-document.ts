import type { DocumentMetadata, ListedDocument } from "@content-sync/connectors";
import { toCleanHtml } from "@content-sync/connectors";
import { isIntercomAuthError } from "@content-sync/intercom";
import type { Logger } from "pino";
import type { Availability, SourceConfig } from "../config/types.js";
import type { DocumentRules } from "../rules/document-rules.js";
import type { PageRecord, StateStore } from "../state/state-store.js";
import type { SyncClient } from "./intercom-api.js";
import { buildPayload, payloadHash, sha256 } from "./payload.js";

/** What a page looks like in Intercom, as seen by a reconcile pass. */
export interface RemotePage {
  pageId: string;
  /** remotePageHash of the page as Intercom returned it. */
  hash: string;
}

/** Everything applyDocument needs about the run; build it once per run (or per batch job). */
export interface DocumentContext {
  source: SourceConfig;
  /** Undefined only in a dry run whose Content Import Source does not exist yet. */
  contentImportSourceId: number | undefined;
  client: SyncClient;
  state: StateStore;
  rules: DocumentRules;
  dryRun: boolean;
  signal?: AbortSignal;
  logger: Logger;
  /**
   * Pages of the source in Intercom by external id, when reconciling. When present, a page missing
   * from it or differing from the stored hash is rewritten even if the document did not change.
   */
  remotePages?: ReadonlyMap<string, RemotePage>;
  /** Clock for `syncedAt`; injectable for tests. Default Date.now. */
  now?: () => number;
}

export type DocumentOutcome =
  | { action: "created" | "updated"; externalId: string; pageId: string | undefined; repaired: boolean }
  | { action: "unchanged"; externalId: string }
  /** Excluded by rules; `previous` is the page synced earlier, which must now be deleted (it left the scope). */
  | { action: "skipped"; externalId: string; reason: string; previous: PageRecord | undefined }
  | { action: "failed"; externalId: string; reason: string; error: unknown };

/**
 * Brings one listed document in line: unchanged versions are skipped without loading; otherwise the
 * document is loaded, run through the rules and transforms, and sent only when the payload's hash
 * differs from the stored one. Upserts are idempotent (Intercom keys pages by source and external
 * id), so re-sending after a crash never duplicates a page.
 *
 * Per-document problems come back as `failed`; an auth error or a cancellation throws, because every
 * later document would fail the same way.
 *
 * @param record the stored record, `null` when known to be absent, `undefined` to look it up.
 */
export async function applyDocument(
  ctx: DocumentContext,
  listed: ListedDocument,
  record?: PageRecord | null,
): Promise<DocumentOutcome> {
  const { externalId } = listed;
  const stored =
    record === undefined ? (await ctx.state.getPages(ctx.source.id, [externalId])).get(externalId) : record;
  const previous = stored ?? undefined;
  try {
    const listedDecision = ctx.rules.decide(listed.metadata);
    if (!listedDecision.included)
      return { action: "skipped", externalId, reason: listedDecision.reason, previous };

    const remote = ctx.remotePages?.get(externalId);
    const remoteMatches = (hash: string) => ctx.remotePages === undefined || remote?.hash === hash;
    const version = versionKey(listed.version, ctx, listedDecision.availability);
    if (
      previous &&
      listed.version !== "" &&
      previous.version === version &&
      remoteMatches(previous.contentHash)
    ) {
      return { action: "unchanged", externalId };
    }

    const fetched = await listed.load(ctx.signal);
    const metadata: DocumentMetadata = { ...listed.metadata, ...fetched.metadata };
    const decision = ctx.rules.decide(metadata);
    if (!decision.included) return { action: "skipped", externalId, reason: decision.reason, previous };

    const clean = await toCleanHtml(
      {
        body: fetched.body,
        ...(fetched.url ? { url: fetched.url } : {}),
        ...(fetched.title ? { title: fetched.title } : {}),
      },
      ctx.source.transform,
    );
    // Truncation changes what Fin sees, so it is a warning; other notes (relative links left as they
    // were, and the like) are informational and would flood the output of large runs.
    for (const warning of clean.warnings) {
      ctx.logger[clean.truncated ? "warn" : "info"]({ sourceId: ctx.source.id, externalId }, warning);
    }
    const payload = buildPayload({
      externalId,
      title: clean.title?.trim() || fetched.title?.trim() || externalId,
      html: clean.html,
      url: fetched.url,
      contentImportSourceId: ctx.contentImportSourceId ?? 0,
      availability: decision.availability,
    });
    const hash = payloadHash(payload);
    const now = ctx.now ?? Date.now;
    // When the version key changed because the listing's metadata differs from the loaded one, the
    // stored key still follows the listing so the next run can skip without loading.
    const nextRecordVersion = listed.version === "" ? "" : version;

    if (previous && previous.contentHash === hash && remoteMatches(hash)) {
      if (!ctx.dryRun && previous.version !== nextRecordVersion) {
        await ctx.state.putPage(ctx.source.id, externalId, {
          ...previous,
          version: nextRecordVersion,
          syncedAt: now(),
        });
      }
      return { action: "unchanged", externalId };
    }
    if (!previous && remote && remote.hash === hash) {
      // A page we sent before the state knew about it (state lost, or written just before a crash).
      if (!ctx.dryRun) {
        await ctx.state.putPage(ctx.source.id, externalId, {
          pageId: remote.pageId,
          contentHash: hash,
          version: nextRecordVersion,
          syncedAt: now(),
        });
      }
      return { action: "unchanged", externalId };
    }

    const action = previous || remote ? "updated" : "created";
    const repaired = previous !== undefined && previous.contentHash === hash;
    if (ctx.dryRun) return { action, externalId, pageId: previous?.pageId ?? remote?.pageId, repaired };
    const page = await ctx.client.aiContent.createExternalPage(payload, { signal: ctx.signal });
    await ctx.state.putPage(ctx.source.id, externalId, {
      pageId: String(page.id),
      contentHash: hash,
      version: nextRecordVersion,
      syncedAt: now(),
    });
    return { action, externalId, pageId: String(page.id), repaired };
  } catch (error) {
    if (ctx.signal?.aborted || isIntercomAuthError(error)) throw error;
    return { action: "failed", externalId, reason: describeError(error), error };
  }
}

/**
 * The stored version: the connector's version plus a fingerprint of everything else that shapes the
 * payload (availability, transform options, Content Import Source), so a config change resends pages
 * even though the documents did not change.
 */
function versionKey(version: string, ctx: DocumentContext, availability: Availability): string {
  if (version === "") return "";
  return `${version}#${configFingerprint(ctx, availability)}`;
}

// Fingerprints per run context and availability: hashing the transform options once per run rather
// than once per document keeps no-change runs of large sources cheap.
const fingerprints = new WeakMap<DocumentContext, Map<string, string>>();

function configFingerprint(ctx: DocumentContext, availability: Availability): string {
  let byAvailability = fingerprints.get(ctx);
  if (!byAvailability) {
    byAvailability = new Map();
    fingerprints.set(ctx, byAvailability);
  }
  const key = `${availability.aiAgent}/${availability.aiCopilot}`;
  let fingerprint = byAvailability.get(key);
  if (fingerprint === undefined) {
    fingerprint = sha256(
      JSON.stringify([
        availability.aiAgent,
        availability.aiCopilot,
        ctx.source.transform,
        ctx.contentImportSourceId ?? 0,
      ]),
    ).slice(0, 12);
    byAvailability.set(key, fingerprint);
  }
  return fingerprint;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
