import type { DocumentMetadata, ListedDocument } from "@content-sync/connectors/core";
import { isIntercomAuthError } from "@content-sync/intercom";
import type { Logger } from "pino";
import type { Availability, SourceConfig } from "../config/types.js";
import type { DocumentRules } from "../rules/document-rules.js";
import type { PageRecord, StateStore } from "../state/state-store.js";
import { guardContent } from "./content-guard.js";
import { forgetContentImportSource, isUnknownContentImportSource } from "./content-import-source.js";
import type { SyncClient } from "./intercom-api.js";
import { buildPayload, payloadHash, sha256 } from "./payload.js";
import { describeSecrets, findSecrets } from "./secret-scan.js";

type Transforms = typeof import("@content-sync/connectors/transforms");
let transforms: Promise<Transforms> | undefined;
/**
 * The content transforms (Markdown, the HTML clean-up) are imported with the first body that needs
 * converting: a run in which nothing changed lists versions only and never loads them.
 */
const loadTransforms = (): Promise<Transforms> => {
  transforms ??= import("@content-sync/connectors/transforms");
  return transforms;
};

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
   * The store's clock when this job began observing the source: the `syncedAt` of every page it
   * writes. A sweep only deletes pages synced before its own listing began, so what a job saw after
   * that point is never taken for gone.
   */
  observedAt: number;
}

export type DocumentOutcome =
  | { action: "created" | "updated"; externalId: string; pageId: string | undefined }
  | { action: "unchanged"; externalId: string }
  /** Excluded by rules; `previous` is the page synced earlier, which must now be deleted (it left the scope). */
  | { action: "skipped"; externalId: string; reason: string; previous: PageRecord | undefined }
  | { action: "failed"; externalId: string; reason: string; error: unknown };

/**
 * Brings one listed document in line: unchanged versions are skipped without loading; otherwise the
 * document is loaded, checked (binary content, invalid UTF-8, credentials), run through the rules and
 * transforms, and sent only when the payload's hash differs from the stored one. Upserts are
 * idempotent (Intercom keys pages by source and external id), so re-sending after a crash never
 * duplicates a page.
 *
 * Per-document problems come back as `failed`; an auth error or a cancellation throws, because every
 * later document would fail the same way.
 *
 * @param stored the stored record (`undefined` when the source has none for this document).
 */
export async function applyDocument(
  ctx: DocumentContext,
  listed: ListedDocument,
  stored: PageRecord | undefined,
): Promise<DocumentOutcome> {
  const { externalId } = listed;
  try {
    const listedDecision = ctx.rules.decide(listed.metadata);
    if (!listedDecision.included)
      return { action: "skipped", externalId, reason: listedDecision.reason, previous: stored };

    const version = versionKey(listed.version, ctx, listedDecision.availability);
    if (stored && listed.version !== "" && stored.version === version)
      return { action: "unchanged", externalId };

    const fetched = await listed.load(ctx.signal);
    const metadata: DocumentMetadata = { ...listed.metadata, ...fetched.metadata };
    const decision = ctx.rules.decide(metadata);
    if (!decision.included)
      return { action: "skipped", externalId, reason: decision.reason, previous: stored };

    const guard = guardContent(fetched.body);
    if (guard.refusal) return failed(externalId, guard.refusal.reason);
    for (const warning of guard.warnings) ctx.logger.warn({ externalId }, warning);

    const { toCleanHtml } = await loadTransforms();
    const clean = await toCleanHtml(
      {
        body: fetched.body,
        ...(fetched.url ? { url: fetched.url } : {}),
        ...(fetched.title ? { title: fetched.title } : {}),
      },
      ctx.source.transform,
      // Nothing below reads a binary body's bytes (the secret scan reads text bodies or the HTML).
      { consumeBody: true },
    );
    // Truncation changes what Fin sees, so it is a warning; other notes (relative links left as they
    // were, and the like) are informational and would flood the output of large runs.
    for (const warning of clean.warnings)
      ctx.logger[clean.truncated ? "warn" : "info"]({ externalId }, warning);

    if (!ctx.rules.allowsSecrets(metadata)) {
      const scanned = textOf(fetched.body) ?? clean.html;
      const secrets = findSecrets(scanned);
      if (secrets.length > 0) {
        return failed(
          externalId,
          `held back: the document holds ${describeSecrets(secrets)}; remove it from the source, or allow it with rules.allowSecrets`,
        );
      }
    }

    // Without a title in the source or a heading in the body, the document's id (a path, a slug) names it.
    const title = clean.title?.trim() || fetched.title?.trim() || externalId;
    if (clean.html.trim() === "")
      return failed(externalId, "the document is empty after cleaning: nothing for Fin to read");

    const payload = buildPayload({
      externalId,
      title,
      html: clean.html,
      url: fetched.url,
      contentImportSourceId: ctx.contentImportSourceId ?? 0,
      availability: decision.availability,
    });
    const hash = payloadHash(payload);
    // When the version key changed because the listing's metadata differs from the loaded one, the
    // stored key still follows the listing so the next run can skip without loading.
    const nextRecordVersion = listed.version === "" ? "" : version;

    if (stored && stored.contentHash === hash) {
      if (!ctx.dryRun && stored.version !== nextRecordVersion) {
        await ctx.state.putPage(ctx.source.id, externalId, {
          ...stored,
          version: nextRecordVersion,
          syncedAt: ctx.observedAt,
        });
      }
      return { action: "unchanged", externalId };
    }

    const action = stored ? "updated" : "created";
    if (ctx.dryRun) return { action, externalId, pageId: stored?.pageId };
    const page = await ctx.client.aiContent.createExternalPage(payload, { signal: ctx.signal });
    await ctx.state.putPage(ctx.source.id, externalId, {
      pageId: String(page.id),
      contentHash: hash,
      version: nextRecordVersion,
      syncedAt: ctx.observedAt,
    });
    return { action, externalId, pageId: String(page.id) };
  } catch (error) {
    if (ctx.signal?.aborted || isIntercomAuthError(error)) throw error;
    // Every later document would fail alike: stop the run, and let the next one re-create the source.
    if (isUnknownContentImportSource(error))
      throw await forgetContentImportSource(ctx.state, ctx.source, ctx.contentImportSourceId);
    return { action: "failed", externalId, reason: describeError(error), error };
  }
}

const failed = (externalId: string, reason: string): DocumentOutcome => ({
  action: "failed",
  externalId,
  reason,
  error: new Error(reason),
});

function textOf(body: { kind: string; html?: string; markdown?: string; text?: string }): string | undefined {
  return body.kind === "html"
    ? body.html
    : body.kind === "markdown"
      ? body.markdown
      : body.kind === "text"
        ? body.text
        : undefined;
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
