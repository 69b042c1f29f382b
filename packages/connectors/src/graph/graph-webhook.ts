import type { WebhookEvents, WebhookHandler, WebhookRequest } from "../contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../errors.js";
import { requireSecret, safeEqual } from "../toolkit/webhooks/webhook-crypto.js";

interface ChangeNotification {
  clientState?: unknown;
  subscriptionId?: unknown;
}

/** The notifications of a POST: Graph sends `{ "value": [changeNotification, …] }`. */
function notificationsOf(request: WebhookRequest): ChangeNotification[] {
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    throw new WebhookPayloadError("Graph change notification body is not JSON");
  }
  const value = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value) || value.length === 0)
    throw new WebhookPayloadError('Graph change notification body has no "value" array of notifications');
  return value.map((item, index) => {
    if (item === null || typeof item !== "object")
      throw new WebhookPayloadError(`Graph change notification value[${index}] is not an object`);
    return item as ChangeNotification;
  });
}

/**
 * Microsoft Graph change notifications for the drives' push subscriptions.
 *
 * - Handshake: creating (and renewing) a subscription, Graph POSTs `?validationToken=…` and wants
 *   the token back, decoded, as `text/plain` within 10 seconds.
 * - Verification: Graph signs nothing for basic notifications; each carries the `clientState` given
 *   at creation (the source's webhook secret), compared in constant time. The secret sits inside
 *   the body, so a body that is not a notification collection cannot be checked: a payload error.
 * - Parsing: drive notifications name the subscription, never the items that changed, so each
 *   delivery asks for one incremental run (the delta feed finds the changes).
 *
 * No `deliveryId`: nothing in a notification is signed, and two genuine deliveries for two changes in
 * a row carry identical bytes (same subscription, resource, clientState). Treating the second as a
 * replay could drop a change; a real replay costs one coalesced incremental run that finds nothing.
 */
export function graphWebhook(): WebhookHandler {
  return {
    handshake(request: WebhookRequest) {
      const token = request.query.validationToken;
      if (token === undefined) return undefined;
      return { status: 200, body: token, contentType: "text/plain" };
    },

    verify(request: WebhookRequest): void {
      const secret = requireSecret(request.secret);
      notificationsOf(request).forEach((notification, index) => {
        const state = notification.clientState;
        if (typeof state !== "string" || state === "")
          throw new WebhookVerificationError(`Graph change notification value[${index}] has no clientState`);
        if (!safeEqual(state, secret))
          throw new WebhookVerificationError(
            `Graph change notification value[${index}] has a clientState that does not match the webhook secret`,
          );
      });
    },

    parse(request: WebhookRequest): WebhookEvents {
      notificationsOf(request);
      return { changed: [], deleted: [], resync: true };
    },
  };
}
