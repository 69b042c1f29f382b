import type { Logger } from "pino";
import type { FailureKind, StateStore } from "../state/state-store.js";
import { IMMEDIATELY, type RetrySchedule, retryAfterMs } from "./retry-schedule.js";

/**
 * A run's writer to the source's failure ledger. Documents that fail are recorded with their reason
 * and retried by later runs with back-off, so the cursor can move past them; deletions that are due
 * (tombstones, documents that left the scope) are recorded before the cursor that covers them, so a
 * crash never loses one. Writes are started at once and awaited together at the next `settle`.
 */
export class FailureLedgerWriter {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly retryAfter: (attempts: number) => number;
  private firstError: { error: unknown } | undefined;

  constructor(
    private readonly state: StateStore,
    private readonly sourceId: string,
    schedule: RetrySchedule,
    private readonly logger: Logger,
  ) {
    this.retryAfter = retryAfterMs(schedule);
  }

  /** A document that exists but failed (or was not returned when fetched by id). */
  failed(externalId: string, kind: Exclude<FailureKind, "deletion">, reason: string): void {
    this.track(
      this.state.recordFailure(this.sourceId, { key: externalId, externalId, kind, reason }, this.retryAfter),
    );
  }

  /** A page that must be deleted by the run's deletion step (or a later one, within the limits). */
  deletionDue(key: string, externalId: string, pageId: string, reason: string): void {
    this.track(
      this.state.recordFailure(
        this.sourceId,
        { key, externalId, kind: "deletion", reason, pageId },
        IMMEDIATELY,
      ),
    );
  }

  /** A deletion that was attempted or held: it stays due, with back-off. */
  deletionHeld(key: string, externalId: string, pageId: string, reason: string): void {
    this.track(
      this.state.recordFailure(
        this.sourceId,
        { key, externalId, kind: "deletion", reason, pageId },
        this.retryAfter,
      ),
    );
  }

  /** Entries resolved by this run (the document synced, the page deleted, the document gone for good). */
  clear(keys: readonly string[]): void {
    if (keys.length > 0) this.track(this.state.clearFailures(this.sourceId, keys));
  }

  /** Waits for every write started so far; the first that failed is thrown (the ledger must not lie). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    if (this.firstError) {
      const { error } = this.firstError;
      this.firstError = undefined;
      throw error;
    }
  }

  private track(write: Promise<unknown>): void {
    const tracked = write.then(
      () => undefined,
      (error: unknown) => {
        this.logger.error({ err: (error as Error).message }, "failure ledger write failed");
        this.firstError ??= { error };
      },
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
