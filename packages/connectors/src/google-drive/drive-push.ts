import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { PushSubscription, PushSubscriptionHandler } from "../contract.js";
import { ConnectorError } from "../errors.js";
import type { Corpus, DriveApi } from "./drive-api.js";

/** One part of the source (a shared drive, the user's corpus) and its change feed. */
export interface DrivePart {
  /** `drive:<id>` or `user`: the key of its page token in the cursor. */
  key: string;
  corpus: Corpus;
}

/** One `changes.watch` channel, as kept in the subscription's `data`. */
interface StoredChannel {
  part: string;
  id: string;
  resourceId: string;
  expiresAt: number;
}

/**
 * Push through `changes.watch`: one web_hook channel per part, each on its change feed from a fresh
 * start page token, with the source's webhook secret as the channel token. The subscription's id
 * is the first channel's, its expiry the earliest of them, and `data.channels` lists every channel
 * (id and resourceId, which `channels.stop` needs).
 *
 * Drive channels cannot be extended: renewing creates new channels, then stops the old ones, so
 * no notification falls between them (for a moment both deliver; the resync they ask for is
 * coalesced).
 */
export class DrivePush implements PushSubscriptionHandler {
  constructor(
    private readonly api: DriveApi,
    private readonly parts: readonly DrivePart[],
    private readonly context: { sourceId: string; channelHours: number; logger: Logger; now?: () => number },
  ) {}

  async create(params: {
    notificationUrl: string;
    clientState: string;
    signal: AbortSignal;
  }): Promise<PushSubscription> {
    const requested = (this.context.now ?? Date.now)() + this.context.channelHours * 3_600_000;
    const channels: StoredChannel[] = [];
    try {
      for (const part of this.parts) {
        const pageToken = await this.api.startPageToken(part.corpus, params.signal);
        const id = randomUUID();
        const channel = await this.api.watch(
          pageToken,
          part.corpus,
          { id, address: params.notificationUrl, token: params.clientState, expiration: requested },
          params.signal,
        );
        // Drive may grant less than asked (it caps the lifetime): its answer is what counts.
        const granted = Number(channel.expiration);
        channels.push({
          part: part.key,
          id,
          resourceId: channel.resourceId ?? "",
          expiresAt: Number.isFinite(granted) && granted > 0 ? granted : requested,
        });
      }
    } catch (error) {
      // Half a subscription would leave parts without push while the status says active.
      await this.stopAll(channels, params.signal);
      throw error;
    }
    const [first] = channels;
    if (!first)
      throw new ConnectorError("config", `source "${this.context.sourceId}": no drive or folder to watch`);
    return {
      id: first.id,
      expiresAt: new Date(Math.min(...channels.map((channel) => channel.expiresAt))),
      data: { channels: JSON.stringify(channels) },
    };
  }

  async renew(
    subscription: PushSubscription,
    params: { notificationUrl: string; clientState: string; signal: AbortSignal },
  ): Promise<PushSubscription> {
    const next = await this.create(params);
    await this.stopAll(channelsOf(subscription, this.context.sourceId), params.signal);
    return next;
  }

  async remove(subscription: PushSubscription, signal: AbortSignal): Promise<void> {
    for (const channel of channelsOf(subscription, this.context.sourceId))
      await this.api.stop(channel.id, channel.resourceId, signal);
  }

  /** Stops channels that are being replaced; a failure only means the old one runs until it expires. */
  private async stopAll(channels: readonly StoredChannel[], signal: AbortSignal): Promise<void> {
    for (const channel of channels) {
      try {
        await this.api.stop(channel.id, channel.resourceId, signal);
      } catch (error) {
        this.context.logger.warn(
          { channelId: channel.id, err: (error as Error).message },
          "drive: could not stop a replaced channel; it delivers until it expires",
        );
      }
    }
  }
}

function channelsOf(subscription: PushSubscription, sourceId: string): StoredChannel[] {
  const raw = subscription.data?.channels;
  let parsed: unknown;
  try {
    parsed = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (channel: Partial<StoredChannel> | null) =>
        typeof channel?.id === "string" && typeof channel.resourceId === "string",
    );
  if (!valid)
    throw new ConnectorError(
      "bad_response",
      `source "${sourceId}": the stored Drive subscription ${subscription.id} lists no channels (data.channels)`,
      { sourceId },
    );
  return parsed as StoredChannel[];
}
