import type { ListedDocument } from "@content-sync/connectors/core";
import pLimit from "p-limit";
import type { PageRecord } from "../state/state-store.js";
import type { DocumentContext, DocumentOutcome } from "./apply-document.js";
import { applyDocument } from "./apply-document.js";
import type { FailureLedgerWriter } from "./failure-ledger.js";
import type { PageChange, RunProgress } from "./run-summary.js";
import { RunTally } from "./run-summary.js";

interface Queued {
  document: ListedDocument;
}

/**
 * Applies documents with bounded concurrency and keeps the run's tallies. Documents are looked up in
 * small windows (one state read for their records and ledger entries, instead of one per document),
 * and the listing never runs more than a few windows ahead of the writes, so memory stays flat on
 * large sources. Outcomes go to the failure ledger: failures are recorded, successes clear earlier
 * failures, documents that left the scope become due deletions. The first fatal error (auth,
 * cancellation) aborts `controller` and is rethrown by `drain`.
 */
export class DocumentPipeline {
  readonly tally = new RunTally();
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly inFlight = new Set<Promise<void>>();
  private window: Queued[] = [];
  private tombstones: string[] = [];
  private fatal: { error: unknown } | undefined;
  private slotFreed: (() => void) | undefined;
  private readonly windowSize: number;

  constructor(
    private readonly ctx: DocumentContext,
    private readonly ledger: FailureLedgerWriter,
    private readonly controller: AbortController,
    private readonly concurrency: number,
    private readonly onProgress?: (progress: RunProgress) => void,
    private readonly onChange?: (change: PageChange) => void,
  ) {
    this.limit = pLimit(concurrency);
    this.windowSize = Math.max(16, concurrency * 2);
  }

  /** Queues one document; waits while too much is in flight. */
  async add(document: ListedDocument): Promise<void> {
    this.throwIfFatal();
    this.window.push({ document });
    if (this.window.length >= this.windowSize) await this.dispatchWindow();
  }

  /** A document that exists but cannot be read (or was not returned by id): recorded, never deleted for it. */
  failed(externalId: string, reason: string, kind: "document" | "missing" = "document"): void {
    this.tally.fail(externalId, reason);
    this.ledger.failed(externalId, kind, reason);
    this.progress("listing");
  }

  /** The product says the document is gone: its page becomes a due deletion for the run's deletion step. */
  async tombstone(externalId: string): Promise<void> {
    this.tombstones.push(externalId);
    if (this.tombstones.length >= this.windowSize) await this.recordTombstones();
  }

  /** Waits for everything queued (documents, tombstones, ledger writes); rethrows a fatal error. */
  async drain(): Promise<void> {
    await this.dispatchWindow();
    await this.recordTombstones();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    this.throwIfFatal();
    await this.ledger.settle();
  }

  /** Waits for everything queued without throwing (used on the way out of a failed run). */
  async settle(): Promise<void> {
    await this.dispatchWindow().catch(() => undefined);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.ledger.settle().catch(() => undefined);
  }

  get fatalError(): unknown {
    return this.fatal?.error;
  }

  progress(phase: RunProgress["phase"]): void {
    this.onProgress?.(this.tally.progress(this.ctx.source.id, phase));
  }

  private async dispatchWindow(): Promise<void> {
    if (this.window.length === 0) return;
    const queued = this.window;
    this.window = [];
    const ids = queued.map((item) => item.document.externalId);
    const [records, failures] = await Promise.all([
      this.ctx.state.getPages(this.ctx.source.id, ids),
      this.ctx.state.getFailures(this.ctx.source.id, ids),
    ]);
    for (const { document } of queued) {
      // A single waiter woken by the next finished task: cheaper than Promise.race over every task
      // in flight, which matters when most documents are unchanged and finish at once.
      while (this.inFlight.size >= this.concurrency * 4) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
      }
      this.throwIfFatal();
      const stored = records.get(document.externalId);
      const hadFailure = failures.has(document.externalId);
      const task = this.limit(() => this.apply(document, stored, hadFailure)).finally(() => {
        this.inFlight.delete(task);
        const wake = this.slotFreed;
        this.slotFreed = undefined;
        wake?.();
      });
      this.inFlight.add(task);
    }
  }

  private async recordTombstones(): Promise<void> {
    if (this.tombstones.length === 0) return;
    const ids = this.tombstones;
    this.tombstones = [];
    const records = await this.ctx.state.getPages(this.ctx.source.id, ids);
    const gone: string[] = [];
    for (const externalId of ids) {
      const record = records.get(externalId);
      if (record) this.ledger.deletionDue(externalId, externalId, record.pageId, "deleted in the source");
      else gone.push(externalId);
    }
    // No page to delete: whatever the ledger held about the document is over.
    this.ledger.clear(gone);
  }

  private throwIfFatal(): void {
    if (this.fatal) throw this.fatal.error;
  }

  private async apply(
    document: ListedDocument,
    stored: PageRecord | undefined,
    hadFailure: boolean,
  ): Promise<void> {
    if (this.controller.signal.aborted) return;
    let outcome: DocumentOutcome;
    try {
      outcome = await applyDocument(this.ctx, document, stored);
    } catch (error) {
      this.fatal ??= { error };
      this.controller.abort(error);
      return;
    }
    this.record(outcome, hadFailure);
  }

  private record(outcome: DocumentOutcome, hadFailure: boolean): void {
    const { tally, ctx } = this;
    switch (outcome.action) {
      case "created":
      case "updated":
        tally[outcome.action]++;
        if (hadFailure) this.ledger.clear([outcome.externalId]);
        this.onChange?.({
          action: outcome.action,
          externalId: outcome.externalId,
          ...(outcome.pageId !== undefined ? { pageId: outcome.pageId } : {}),
          reason: outcome.action === "created" ? "new document" : "content or settings changed",
        });
        ctx.logger.debug(
          { externalId: outcome.externalId, pageId: outcome.pageId },
          `page ${outcome.action}`,
        );
        break;
      case "unchanged":
        tally.unchanged++;
        if (hadFailure) this.ledger.clear([outcome.externalId]);
        break;
      case "skipped":
        tally.skipped++;
        if (outcome.previous) {
          this.ledger.deletionDue(
            outcome.externalId,
            outcome.externalId,
            outcome.previous.pageId,
            `left the scope: ${outcome.reason}`,
          );
        } else if (hadFailure) this.ledger.clear([outcome.externalId]);
        break;
      case "failed":
        tally.fail(outcome.externalId, outcome.reason);
        this.ledger.failed(outcome.externalId, "document", outcome.reason);
        ctx.logger.warn({ externalId: outcome.externalId, reason: outcome.reason }, "document failed");
        break;
    }
    this.progress("listing");
  }
}
