import type { WebhookEvents, WebhookHandler, WebhookRequest } from "../contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../errors.js";
import { requireSecret, safeEqual } from "../toolkit/webhooks/webhook-crypto.js";

const CHANNEL_ID = "x-goog-channel-id";
const CHANNEL_TOKEN = "x-goog-channel-token";
const RESOURCE_STATE = "x-goog-resource-state";
const MESSAGE_NUMBER = "x-goog-message-number";

/**
 * Drive push notifications of `changes.watch` channels: POSTs with an empty body whose headers say
 * which channel (`X-Goog-Channel-ID`), carry the token given when the channel was created
 * (`X-Goog-Channel-Token`, this source's webhook secret), and what happened
 * (`X-Goog-Resource-State`: `sync` once when the channel starts, `change` afterwards). They name no
 * files: a change asks for an incremental run, which reads the change feed.
 */
export function googleDriveWebhook(): WebhookHandler {
  return {
    verify(request: WebhookRequest): void {
      const secret = requireSecret(request.secret);
      const token = request.headers[CHANNEL_TOKEN];
      if (!token) throw new WebhookVerificationError(`Drive notification has no ${CHANNEL_TOKEN} header`);
      if (!safeEqual(token, secret))
        throw new WebhookVerificationError(`${CHANNEL_TOKEN} does not match this source's webhook secret`);
    },

    /** `sync` only confirms the channel (nothing changed yet); every other state is a change somewhere in the feed. */
    parse(request: WebhookRequest): WebhookEvents {
      const state = request.headers[RESOURCE_STATE]?.trim();
      if (!state) throw new WebhookPayloadError(`Drive notification has no ${RESOURCE_STATE} header`);
      if (state === "sync") return { changed: [], deleted: [] };
      return { changed: [], deleted: [], resync: true };
    },

    /**
     * Channel id plus `X-Goog-Message-Number`. Drive numbers every message of a channel, increasing
     * (not consecutive), so two genuine notifications never share the pair, while a captured
     * request sent again (or a delivery Drive retries) carries the same one and is dropped as a
     * replay. Without the number there is nothing unique to name.
     */
    deliveryId(request: WebhookRequest): string | undefined {
      const channel = request.headers[CHANNEL_ID]?.trim();
      const number = request.headers[MESSAGE_NUMBER]?.trim();
      if (!channel || !number || !/^\d+$/.test(number)) return undefined;
      return `${channel}:${number}`;
    },
  };
}
