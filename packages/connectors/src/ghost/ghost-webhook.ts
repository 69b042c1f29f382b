import type { WebhookEvents, WebhookHandler, WebhookRequest } from "../contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../errors.js";
import {
  assertFreshTimestamp,
  hmacSha256Hex,
  requireSecret,
  safeEqual,
} from "../toolkit/webhooks/webhook-crypto.js";
import type { GhostResource } from "./ghost-options.js";

const SIGNATURE = "x-ghost-signature";

/** `sha256=<hex>, t=<milliseconds>` as Ghost sends it. */
const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64}),\s*t=(\d+)$/i;

export interface GhostWebhookOptions {
  toleranceSeconds: number;
  resources: readonly GhostResource[];
}

/**
 * Ghost webhooks (`post.*`, `page.*`). `X-Ghost-Signature` is HMAC-SHA256 (hex) with the webhook's
 * secret over the raw body immediately followed by the timestamp `t` (milliseconds since the epoch).
 */
export function ghostWebhook(options: GhostWebhookOptions): WebhookHandler {
  return {
    verify(request: WebhookRequest): void {
      const secret = requireSecret(request.secret);
      const header = request.headers[SIGNATURE]?.trim();
      if (!header)
        throw new WebhookVerificationError(
          `Ghost webhook has no ${SIGNATURE} (does the webhook have a secret?)`,
        );
      const match = SIGNATURE_FORMAT.exec(header);
      if (!match?.[1] || !match[2]) {
        throw new WebhookVerificationError(`${SIGNATURE} is not in the form "sha256=<hex>, t=<timestamp>"`);
      }
      const [, signature, timestamp] = match;
      assertFreshTimestamp(Number(timestamp) / 1000, request.now, options.toleranceSeconds);
      const expected = hmacSha256Hex(secret, Buffer.concat([request.rawBody, Buffer.from(timestamp)]));
      if (!safeEqual(expected, signature.toLowerCase())) {
        throw new WebhookVerificationError("Ghost webhook signature does not match");
      }
    },

    /** The signature covers the body and the timestamp `t`: a second delivery has a new one. */
    deliveryId(request: WebhookRequest): string | undefined {
      return request.headers[SIGNATURE]?.trim() || undefined;
    },

    /**
     * The body is `{ post: { current, previous } }` (or `page`). A deleted post arrives with an empty
     * `current` and the old post in `previous`; every other event names the post in `current`, and
     * fetching it decides whether it is still in scope (unpublished posts drop out there).
     */
    parse(request: WebhookRequest): WebhookEvents {
      let payload: Record<string, { current?: { id?: unknown }; previous?: { id?: unknown } } | undefined>;
      try {
        payload = JSON.parse(request.rawBody.toString("utf8")) as typeof payload;
      } catch {
        throw new WebhookPayloadError("Ghost webhook body is not JSON");
      }
      const key = (["post", "page"] as const).find((name) => typeof payload?.[name] === "object");
      if (!key) throw new WebhookPayloadError('Ghost webhook body has neither "post" nor "page"');
      if (!options.resources.includes(key === "post" ? "posts" : "pages"))
        return { changed: [], deleted: [] };
      const event = payload[key];
      const current = event?.current?.id;
      const previous = event?.previous?.id;
      if (typeof current === "string" && current.length > 0) return { changed: [current], deleted: [] };
      if (typeof previous === "string" && previous.length > 0) return { changed: [], deleted: [previous] };
      throw new WebhookPayloadError(`Ghost webhook ${key} has no id in current or previous`);
    },
  };
}
