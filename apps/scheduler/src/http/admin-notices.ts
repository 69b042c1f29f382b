/** One thing a webhook handshake handed over for the admin alone (Notion's verification token). */
export interface AdminNotice {
  sourceId: string;
  message: string;
  secret: string;
  receivedAt: number;
}

/**
 * Admin-only notices from webhook handshakes, per source, the latest one winning. Held in this
 * scheduler's memory only: a restart (or another replica receiving the handshake) loses it, and
 * the product resends it (Notion: the subscription's "Resend token"). Never logged; served only on
 * the admin-authenticated `/api/status`.
 */
export class AdminNotices {
  private readonly notices = new Map<string, AdminNotice>();

  constructor(private readonly now: () => number = Date.now) {}

  record(sourceId: string, notice: { message: string; secret: string }): void {
    this.notices.set(sourceId, { sourceId, ...notice, receivedAt: this.now() });
  }

  list(): AdminNotice[] {
    return [...this.notices.values()].sort((a, b) => a.sourceId.localeCompare(b.sourceId));
  }
}
