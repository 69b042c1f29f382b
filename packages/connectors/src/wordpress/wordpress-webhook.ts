import { z } from "zod";
import type { WebhookEvents, WebhookHandler, WebhookRequest } from "../contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../errors.js";
import {
  assertFreshTimestamp,
  hmacSha256Hex,
  requireSecret,
  safeEqual,
} from "../toolkit/webhooks/webhook-crypto.js";
import { wordpressExternalId } from "./wordpress-document.js";

export const WORDPRESS_SIGNATURE_HEADER = "x-content-sync-signature";
export const WORDPRESS_TIMESTAMP_HEADER = "x-content-sync-timestamp";

/** Actions that mean the post no longer belongs in the Content Library. */
const REMOVING_ACTIONS = new Set(["trashed", "deleted"]);
/** Actions after which the post is fetched again (its status decides whether it stays). */
const CHANGING_ACTIONS = new Set(["created", "updated", "published", "unpublished", "untrashed"]);

const eventSchema = z.object({
  action: z.string(),
  post_type: z.string().min(1),
  id: z.number().int().positive(),
});
const payloadSchema = z.union([
  eventSchema,
  z.array(eventSchema),
  z.object({ events: z.array(eventSchema) }),
]);

/**
 * The signature of the generic WordPress webhook: `sha256=` + hex HMAC-SHA256 over
 * `<timestamp>.<raw body>`, keyed with the source's webhook secret.
 */
export function signWordPressWebhook(secret: string, timestamp: number, rawBody: Buffer | string): string {
  const payload = Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(rawBody)]);
  return `sha256=${hmacSha256Hex(secret, payload)}`;
}

/**
 * Webhook of the `content-sync-webhook.php` must-use plugin (test/wordpress/): a POST whose JSON body
 * is `{"action":"updated"|"trashed"|"deleted"|…,"post_type":"post","id":123}`, a list of those, or
 * `{"events":[…]}`, signed as {@link signWordPressWebhook} describes. Posts of types the source does
 * not sync are ignored.
 */
export function wordpressWebhook(postTypes: readonly string[], toleranceSeconds: number): WebhookHandler {
  return {
    verify(request: WebhookRequest): void {
      const secret = requireSecret(request.secret);
      const signature = request.headers[WORDPRESS_SIGNATURE_HEADER];
      const timestampHeader = request.headers[WORDPRESS_TIMESTAMP_HEADER];
      if (!signature) throw new WebhookVerificationError(`header ${WORDPRESS_SIGNATURE_HEADER} is missing`);
      if (!timestampHeader || !/^\d+$/.test(timestampHeader)) {
        throw new WebhookVerificationError(
          `header ${WORDPRESS_TIMESTAMP_HEADER} is missing or not unix seconds`,
        );
      }
      const timestamp = Number(timestampHeader);
      assertFreshTimestamp(timestamp, request.now, toleranceSeconds);
      if (!safeEqual(signature, signWordPressWebhook(secret, timestamp, request.rawBody))) {
        throw new WebhookVerificationError(`header ${WORDPRESS_SIGNATURE_HEADER} does not match the body`);
      }
    },

    /** The signature covers `<timestamp>.<body>`: the plugin signs every delivery with a new timestamp. */
    deliveryId(request: WebhookRequest): string | undefined {
      const signature = request.headers[WORDPRESS_SIGNATURE_HEADER]?.trim();
      const timestamp = request.headers[WORDPRESS_TIMESTAMP_HEADER]?.trim();
      return signature && timestamp ? `${timestamp}:${signature}` : undefined;
    },

    parse(request: WebhookRequest): WebhookEvents {
      let json: unknown;
      try {
        json = JSON.parse(request.rawBody.toString("utf8"));
      } catch {
        throw new WebhookPayloadError("WordPress webhook body is not JSON");
      }
      const parsed = payloadSchema.safeParse(json);
      if (!parsed.success) {
        throw new WebhookPayloadError(
          `WordPress webhook body is not {action, post_type, id}: ${z.prettifyError(parsed.error)}`,
        );
      }
      const events = Array.isArray(parsed.data)
        ? parsed.data
        : "events" in parsed.data
          ? parsed.data.events
          : [parsed.data];
      const result: WebhookEvents = { changed: [], deleted: [] };
      for (const event of events) {
        if (!REMOVING_ACTIONS.has(event.action) && !CHANGING_ACTIONS.has(event.action)) {
          throw new WebhookPayloadError(
            `WordPress webhook action "${event.action}" is not one this source knows`,
          );
        }
        if (!postTypes.includes(event.post_type)) continue;
        const externalId = wordpressExternalId({ type: event.post_type, id: event.id });
        const list = REMOVING_ACTIONS.has(event.action) ? result.deleted : result.changed;
        if (!list.includes(externalId)) list.push(externalId);
      }
      return result;
    },
  };
}
