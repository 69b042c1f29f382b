import type { WebhookEvents, WebhookHandler, WebhookRequest } from "../contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../errors.js";
import { hmacSha256Hex, requireSecret, safeEqual } from "../toolkit/webhooks/webhook-crypto.js";
import { normalizeNotionId } from "./notion-options.js";

const SIGNATURE = "x-notion-signature";
const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/i;

/** Page events that name a page to read again (which also settles whether it is still in scope). */
const CHANGED = new Set([
  "page.created",
  "page.content_updated",
  "page.properties_updated",
  "page.moved",
  "page.undeleted",
]);

/** What the handshake tells the admin; never logged. */
export const VERIFICATION_NOTICE =
  "Notion sent this webhook subscription's verification token. Paste it into the subscription's " +
  "Verify dialog in Notion, then store it in the env var named by this source's webhook.secretEnv " +
  "and restart: signed events are accepted from then on.";

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The one-time verification body `{ "verification_token": "secret_…" }`, else undefined. */
function verificationTokenOf(request: WebhookRequest): string | undefined {
  const body = parseJson(request.rawBody) as { verification_token?: unknown } | undefined;
  const token = body?.verification_token;
  return typeof token === "string" && token.length > 0 ? token : undefined;
}

/**
 * Notion webhooks (integration settings → Webhooks). When a subscription is created Notion posts one
 * unsigned `{ "verification_token": … }`; that token then signs every event as
 * `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. The handshake accepts the token
 * only while the source has no secret yet, and hands it to the admin (never to a log); once the
 * secret is set an unsigned verification body fails `verify` like any unsigned request.
 */
export function notionWebhook(): WebhookHandler {
  return {
    handshake(request: WebhookRequest) {
      if (request.secret !== undefined || request.headers[SIGNATURE] !== undefined) return undefined;
      const token = verificationTokenOf(request);
      if (token === undefined) return undefined;
      return {
        status: 200,
        body: JSON.stringify({ received: true }),
        contentType: "application/json",
        adminNotice: { message: VERIFICATION_NOTICE, secret: token },
      };
    },

    verify(request: WebhookRequest): void {
      const secret = requireSecret(request.secret);
      const header = request.headers[SIGNATURE]?.trim();
      if (!header) throw new WebhookVerificationError(`Notion webhook has no ${SIGNATURE} header`);
      const match = SIGNATURE_FORMAT.exec(header);
      if (!match?.[1]) throw new WebhookVerificationError(`${SIGNATURE} is not in the form "sha256=<hex>"`);
      if (!safeEqual(hmacSha256Hex(secret, request.rawBody), match[1].toLowerCase())) {
        throw new WebhookVerificationError("Notion webhook signature does not match");
      }
    },

    /**
     * Every Notion event carries its own `id` inside the signed body (retries add to `attempt_number`,
     * so a retry's bytes differ and get through): the same id with the same bytes again is a replay.
     */
    deliveryId(request: WebhookRequest): string | undefined {
      const payload = parseJson(request.rawBody) as { id?: unknown } | undefined;
      return typeof payload?.id === "string" && payload.id.length > 0 ? `event:${payload.id}` : undefined;
    },

    /**
     * `page.deleted` is Notion's own statement (the page went to the trash); other page events name
     * a page to read again. Database and data source events name no page (a schema change, rows
     * added in bulk): an incremental run settles them. Comments, file uploads and locks change no
     * synced content.
     */
    parse(request: WebhookRequest): WebhookEvents {
      const payload = parseJson(request.rawBody) as
        | { type?: unknown; entity?: { id?: unknown; type?: unknown } }
        | undefined;
      if (payload === undefined || typeof payload !== "object" || payload === null)
        throw new WebhookPayloadError("Notion webhook body is not JSON");
      const type = payload.type;
      if (typeof type !== "string") throw new WebhookPayloadError('Notion webhook body has no "type"');
      if (type.startsWith("database.") || type.startsWith("data_source."))
        return { changed: [], deleted: [], resync: true };
      if (!type.startsWith("page.")) return { changed: [], deleted: [] };
      const id = payload.entity?.id;
      if (typeof id !== "string" || id.length === 0)
        throw new WebhookPayloadError(`Notion ${type} webhook has no entity.id`);
      const pageId = normalizeNotionId(id);
      if (type === "page.deleted") return { changed: [], deleted: [pageId] };
      if (CHANGED.has(type)) return { changed: [pageId], deleted: [] };
      return { changed: [], deleted: [] };
    },
  };
}
