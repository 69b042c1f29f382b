import type { WebhookEvents, WebhookHandler, WebhookRequest } from "../contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../errors.js";
import { hmacSha256Hex, requireSecret, safeEqual } from "../toolkit/webhooks/webhook-crypto.js";

const SIGNATURE = "x-hub-signature";
const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/i;

interface WebhookContent {
  id?: unknown;
  container?: { id?: unknown };
}

/** Which content object of a Data Center webhook body names the document, by event prefix. */
const SUBJECTS: Readonly<Record<string, "page" | "blog">> = { page: "page", blog: "blog" };

/**
 * Confluence Data Center webhooks (Administration → Webhooks, 7.13+): `X-Hub-Signature: sha256=<hex>`,
 * HMAC-SHA256 of the raw body with the webhook's secret. Bodies look like
 * `{ "event": "page_updated", "page": { "id": 123, … } }` (`blog_*` carry `blog`, `attachment_*` carry
 * `attachment` with its `container`, `comment_*` carry `comment` with its `container`).
 */
export function confluenceWebhook(options: {
  attachments: boolean;
  includeComments: boolean;
}): WebhookHandler {
  return {
    verify(request: WebhookRequest): void {
      const secret = requireSecret(request.secret);
      const header = request.headers[SIGNATURE]?.trim();
      if (!header)
        throw new WebhookVerificationError(`Confluence webhook has no ${SIGNATURE} (does it have a secret?)`);
      const match = SIGNATURE_FORMAT.exec(header);
      if (!match?.[1]) throw new WebhookVerificationError(`${SIGNATURE} is not in the form "sha256=<hex>"`);
      if (!safeEqual(hmacSha256Hex(secret, request.rawBody), match[1].toLowerCase())) {
        throw new WebhookVerificationError("Confluence webhook signature does not match");
      }
    },

    /**
     * `*_trashed` and `*_removed` are the product's word that the content is gone; every other page or
     * blog event (created, updated, moved, restored, labels…) names content to fetch again, which
     * decides whether it is still in scope. Comment and attachment events reindex their container.
     */
    parse(request: WebhookRequest): WebhookEvents {
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(request.rawBody.toString("utf8")) as Record<string, unknown>;
      } catch {
        throw new WebhookPayloadError("Confluence webhook body is not JSON");
      }
      const event = payload?.event;
      if (typeof event !== "string") throw new WebhookPayloadError('Confluence webhook body has no "event"');
      const [prefix = "", ...rest] = event.split("_");
      const action = rest.join("_");
      const idOf = (value: unknown) =>
        typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))
          ? String(value)
          : undefined;
      const subject = SUBJECTS[prefix];
      if (subject) {
        const id = idOf((payload[subject] as WebhookContent | undefined)?.id);
        if (!id) throw new WebhookPayloadError(`Confluence ${event} webhook has no ${subject}.id`);
        if (action === "trashed" || action === "removed") return { changed: [], deleted: [id] };
        return { changed: [id], deleted: [] };
      }
      if (prefix === "comment" && options.includeComments) {
        const id = idOf((payload.comment as WebhookContent | undefined)?.container?.id);
        return id ? { changed: [id], deleted: [] } : { changed: [], deleted: [], resync: true };
      }
      if (prefix === "attachment" && options.attachments) {
        const attachment = payload.attachment as WebhookContent | undefined;
        const id = idOf(attachment?.id);
        const container = idOf(attachment?.container?.id);
        if (id && (action === "trashed" || action === "removed"))
          return { changed: [], deleted: [`attachment:${id}`] };
        if (id) return { changed: [`attachment:${id}`, ...(container ? [container] : [])], deleted: [] };
      }
      return { changed: [], deleted: [] };
    },
  };
}
