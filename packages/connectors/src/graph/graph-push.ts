import type { Logger } from "pino";
import type { PushSubscription, PushSubscriptionHandler } from "../contract.js";
import type { GraphApi } from "./graph-api.js";

const DAY_MS = 86_400_000;
/** Keys of `PushSubscription.data`: one subscription per drive, `drive:<driveId>` → subscription id. */
const DRIVE_KEY = "drive:";

export interface GraphPushSettings {
  /** The drive ids the source reads now (resolved from sites, users and drives). */
  driveIds: (signal: AbortSignal) => Promise<string[]>;
  lifetimeDays: number;
  now?: () => number;
}

/**
 * Graph subscriptions on each drive's root (`changeType: updated` is the one drive items support;
 * it covers creations, edits and deletions below the root). The contract keeps one subscription
 * per source, so the drives' subscription ids travel in `data` and the earliest expiry is the
 * one to renew by. Renewal reconciles: a subscription Graph no longer knows (404) is created again,
 * a drive added to the config gets one, a drive that left loses its own.
 */
export class GraphPushHandler implements PushSubscriptionHandler {
  constructor(
    private readonly api: GraphApi,
    private readonly settings: GraphPushSettings,
    private readonly logger: Logger,
  ) {}

  async create(params: {
    notificationUrl: string;
    clientState: string;
    signal: AbortSignal;
  }): Promise<PushSubscription> {
    return this.reconcile({}, params);
  }

  async renew(
    subscription: PushSubscription,
    params: { notificationUrl: string; clientState: string; signal: AbortSignal },
  ): Promise<PushSubscription> {
    return this.reconcile(subscriptionsByDrive(subscription), params);
  }

  async remove(subscription: PushSubscription, signal: AbortSignal): Promise<void> {
    for (const id of Object.values(subscriptionsByDrive(subscription)))
      await this.api.deleteSubscription(id, signal);
  }

  private async reconcile(
    existing: Record<string, string>,
    params: { notificationUrl: string; clientState: string; signal: AbortSignal },
  ): Promise<PushSubscription> {
    const { signal } = params;
    const driveIds = await this.settings.driveIds(signal);
    if (driveIds.length === 0) throw new Error("the source reads no drives: nothing to subscribe to");
    const expirationDateTime = new Date(
      (this.settings.now ?? Date.now)() + this.settings.lifetimeDays * DAY_MS,
    ).toISOString();
    const kept: Record<string, string> = {};
    const expiries: number[] = [];
    const created: string[] = [];
    try {
      for (const driveId of driveIds) {
        const known = existing[driveId];
        // Graph forgets a subscription that expired or was removed: a new one takes its place.
        let subscription = known
          ? await this.api.renewSubscription(known, expirationDateTime, signal)
          : undefined;
        if (!subscription) {
          subscription = await this.api.createSubscription(
            {
              changeType: "updated",
              notificationUrl: params.notificationUrl,
              resource: `/drives/${driveId}/root`,
              expirationDateTime,
              clientState: params.clientState,
            },
            signal,
          );
          created.push(subscription.id ?? "");
        }
        kept[driveId] = subscription.id ?? "";
        expiries.push(Date.parse(subscription.expirationDateTime ?? ""));
      }
    } catch (error) {
      // Half a set would look active while some drives deliver nothing: undo what this pass created.
      for (const id of created) await this.api.deleteSubscription(id, signal).catch(() => undefined);
      throw error;
    }
    for (const [driveId, id] of Object.entries(existing)) {
      if (kept[driveId] !== undefined) continue;
      await this.api.deleteSubscription(id, signal);
      this.logger.info({ driveId }, "graph subscription of a drive that left the source removed");
    }
    const ids = Object.values(kept);
    return {
      id: ids.join(","),
      expiresAt: new Date(Math.min(...expiries)),
      data: Object.fromEntries(Object.entries(kept).map(([driveId, id]) => [`${DRIVE_KEY}${driveId}`, id])),
    };
  }
}

function subscriptionsByDrive(subscription: PushSubscription): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, id] of Object.entries(subscription.data ?? {}))
    if (key.startsWith(DRIVE_KEY)) out[key.slice(DRIVE_KEY.length)] = id;
  return out;
}
