import type { ListedDocument } from "@content-sync/connectors";
import pLimit from "p-limit";
import type { DocumentContext, DocumentOutcome } from "./apply-document.js";
import { applyDocument } from "./apply-document.js";
import type { PageChange, RunProgress } from "./run-summary.js";
import { RunTally } from "./run-summary.js";
import type { DeletionCandidate } from "./sweep-deletions.js";

/**
 * Applies listed documents with bounded concurrency and keeps the run's tallies. Listing never runs
 * more than a few batches ahead of the writes, so memory stays flat on large sources. The first fatal
 * error (auth, cancellation) aborts `controller` and is rethrown by `drain`.
 */
export class DocumentPipeline {
  readonly tally = new RunTally();
  /** Documents excluded by rules that had a page: they left the scope and must be deleted. */
  readonly leftScope = new Map<string, DeletionCandidate>();
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly inFlight = new Set<Promise<void>>();
  private fatal: { error: unknown } | undefined;
  private slotFreed: (() => void) | undefined;
  /** True once any document failed: cursors after it must not be persisted. */
  hadFailure = false;

  constructor(
    private readonly ctx: DocumentContext,
    private readonly controller: AbortController,
    private readonly concurrency: number,
    private readonly onProgress?: (progress: RunProgress) => void,
    private readonly onChange?: (change: PageChange) => void,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** Queues one document; waits while too much is in flight. */
  async add(document: ListedDocument): Promise<void> {
    // A single waiter woken by the next finished task: cheaper than Promise.race over every task
    // in flight, which matters when most documents are unchanged and finish at once.
    while (this.inFlight.size >= this.concurrency * 4) {
      await new Promise<void>((resolve) => {
        this.slotFreed = resolve;
      });
    }
    this.throwIfFatal();
    const task = this.limit(() => this.apply(document)).finally(() => {
      this.inFlight.delete(task);
      const wake = this.slotFreed;
      this.slotFreed = undefined;
      wake?.();
    });
    this.inFlight.add(task);
  }

  /** A document the connector could not read: reported, and counted as seen (never deleted for it). */
  failed(externalId: string, reason: string): void {
    this.tally.fail(externalId, reason);
    this.hadFailure = true;
    this.progress("listing");
  }

  /** Waits for everything queued; rethrows a fatal error. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    this.throwIfFatal();
  }

  /** Waits for everything queued without throwing (used on the way out of a failed run). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get fatalError(): unknown {
    return this.fatal?.error;
  }

  progress(phase: RunProgress["phase"]): void {
    this.onProgress?.(this.tally.progress(this.ctx.source.id, phase));
  }

  private throwIfFatal(): void {
    if (this.fatal) throw this.fatal.error;
  }

  private async apply(document: ListedDocument): Promise<void> {
    if (this.controller.signal.aborted) return;
    let outcome: DocumentOutcome;
    try {
      outcome = await applyDocument(this.ctx, document);
    } catch (error) {
      this.fatal ??= { error };
      this.controller.abort(error);
      return;
    }
    this.record(outcome);
  }

  private record(outcome: DocumentOutcome): void {
    const { tally, ctx } = this;
    switch (outcome.action) {
      case "created":
      case "updated":
        tally[outcome.action]++;
        if (outcome.repaired) tally.repaired++;
        this.onChange?.({
          action: outcome.action,
          externalId: outcome.externalId,
          ...(outcome.pageId !== undefined ? { pageId: outcome.pageId } : {}),
        });
        ctx.logger.debug(
          { externalId: outcome.externalId, pageId: outcome.pageId },
          `page ${outcome.action}`,
        );
        break;
      case "unchanged":
        tally.unchanged++;
        break;
      case "skipped":
        tally.skipped++;
        if (outcome.previous) {
          this.leftScope.set(outcome.externalId, {
            externalId: outcome.externalId,
            pageId: outcome.previous.pageId,
          });
        }
        break;
      case "failed":
        tally.fail(outcome.externalId, outcome.reason);
        this.hadFailure = true;
        ctx.logger.warn({ externalId: outcome.externalId, reason: outcome.reason }, "document failed");
        break;
    }
    this.progress("listing");
  }
}
