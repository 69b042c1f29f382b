import { escape as escapeQuery } from "node:querystring";
import type { WebhookEvents, WebhookHandler, WebhookRequest } from "../contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../errors.js";
import {
  assertFreshTimestamp,
  hmacSha256Hex,
  requireSecret,
  safeEqual,
} from "../toolkit/webhooks/webhook-crypto.js";

const SIGNATURE = "x-contentful-signature";
const SIGNED_HEADERS = "x-contentful-signed-headers";
const TIMESTAMP = "x-contentful-timestamp";
const TOPIC = "x-contentful-topic";

export interface ContentfulWebhookOptions {
  /** Path Contentful signed; default: the path the request arrived on. */
  webhookPath: string | undefined;
  toleranceSeconds: number;
  /** Preview sources also react to saves of drafts; Delivery sources only to publication changes. */
  includeDrafts: boolean;
}

/**
 * The request path as Contentful's request verification canonicalises it: the query string is
 * percent-escaped as a whole, then the result goes through `encodeURI`.
 */
export function canonicalContentfulPath(path: string): string {
  const [pathname = "", search] = path.split("?");
  const escapedSearch = search ? escapeQuery(search) : "";
  return encodeURI(escapedSearch ? `${pathname}?${escapedSearch}` : pathname);
}

/**
 * The string Contentful signs: method, canonical path, the signed headers (lower-cased names sorted,
 * `name:value` joined by `;`) and the raw body, joined by newlines. HMAC-SHA256, hex.
 */
export function contentfulCanonicalRequest(
  method: string,
  path: string,
  signedHeaders: readonly (readonly [string, string])[],
  body: string,
): string {
  const headers = [...signedHeaders]
    .sort(([a], [b]) => (a > b ? 1 : a < b ? -1 : 0))
    .map(([name, value]) => `${name}:${value}`)
    .join(";");
  return [method.toUpperCase(), canonicalContentfulPath(path), headers, body].join("\n");
}

/**
 * Contentful webhooks: request verification (`x-contentful-signature` over the canonical request,
 * `x-contentful-timestamp` in milliseconds within the tolerance), then topics → ids.
 */
export function contentfulWebhook(options: ContentfulWebhookOptions): WebhookHandler {
  return {
    verify(request: WebhookRequest): void {
      const secret = requireSecret(request.secret);
      const signature = request.headers[SIGNATURE]?.trim();
      const signedList = request.headers[SIGNED_HEADERS];
      const timestamp = request.headers[TIMESTAMP]?.trim();
      if (!signature || !signedList || !timestamp) {
        throw new WebhookVerificationError(
          `Contentful webhook is missing ${[
            !signature && SIGNATURE,
            !signedList && SIGNED_HEADERS,
            !timestamp && TIMESTAMP,
          ]
            .filter(Boolean)
            .join(", ")} (is request verification enabled for this webhook?)`,
        );
      }
      const names = signedList.split(",").map((name) => name.trim().toLowerCase());
      // The timestamp only protects against replays if it is itself signed.
      if (!names.includes(TIMESTAMP) || !names.includes(SIGNED_HEADERS)) {
        throw new WebhookVerificationError(`${SIGNED_HEADERS} must cover ${TIMESTAMP} and ${SIGNED_HEADERS}`);
      }
      if (!/^\d+$/.test(timestamp))
        throw new WebhookVerificationError(`${TIMESTAMP} is not a number of milliseconds`);
      assertFreshTimestamp(Number(timestamp) / 1000, request.now, options.toleranceSeconds);

      const path = options.webhookPath ?? request.path;
      if (!path) {
        throw new WebhookVerificationError(
          "cannot verify a Contentful signature without the request path (set the source's webhookPath option)",
        );
      }
      const signed: (readonly [string, string])[] = [];
      for (const name of new Set(names)) {
        if (name === SIGNED_HEADERS) {
          // Contentful signs the list in its sorted form.
          signed.push([name, [...new Set(names)].sort().join(",")]);
          continue;
        }
        const value = request.headers[name];
        if (value === undefined)
          throw new WebhookVerificationError(`signed header ${name} is missing from the request`);
        signed.push([name, value.trim()]);
      }
      const canonical = contentfulCanonicalRequest(
        request.method ?? "POST",
        path,
        signed,
        request.rawBody.toString("utf8"),
      );
      if (!safeEqual(hmacSha256Hex(secret, canonical), signature.toLowerCase())) {
        throw new WebhookVerificationError("Contentful webhook signature does not match");
      }
    },

    /**
     * `verify` insists that the signed headers cover the timestamp, so a signature names one delivery:
     * Contentful signs each retry anew with a new timestamp.
     */
    deliveryId(request: WebhookRequest): string | undefined {
      const signature = request.headers[SIGNATURE]?.trim();
      const timestamp = request.headers[TIMESTAMP]?.trim();
      return signature && timestamp ? `${timestamp}:${signature.toLowerCase()}` : undefined;
    },

    parse(request: WebhookRequest): WebhookEvents {
      const topic = request.headers[TOPIC];
      const match = topic
        ? /^ContentManagement\.(Entry|Asset|ContentType)\.([a-z_]+)$/.exec(topic.trim())
        : null;
      if (!topic || !match) {
        throw new WebhookPayloadError(
          `Contentful webhook has an unexpected ${TOPIC}: ${topic ?? "(missing)"}`,
        );
      }
      const [, entity, action] = match;
      // Asset and content type changes do not name the entries they affect; the next sync picks them up.
      if (entity !== "Entry") return { changed: [], deleted: [] };
      let payload: { sys?: { id?: unknown } };
      try {
        payload = JSON.parse(request.rawBody.toString("utf8")) as typeof payload;
      } catch {
        throw new WebhookPayloadError("Contentful webhook body is not JSON");
      }
      const id = payload?.sys?.id;
      if (typeof id !== "string" || id.length === 0) {
        throw new WebhookPayloadError("Contentful webhook body has no sys.id");
      }
      return classify(action ?? "", id, options.includeDrafts);
    },
  };
}

/**
 * What an entry topic means for this source. Published content (Delivery) changes on publish and
 * disappears on unpublish, archive and delete; drafts (Preview) change on every save and only
 * disappear on archive and delete. Ids marked changed are fetched; a fetch that finds nothing deletes.
 */
function classify(action: string, id: string, includeDrafts: boolean): WebhookEvents {
  const none: WebhookEvents = { changed: [], deleted: [] };
  switch (action) {
    case "publish":
      return { changed: [id], deleted: [] };
    case "unpublish":
      return includeDrafts ? { changed: [id], deleted: [] } : { changed: [], deleted: [id] };
    case "archive":
    case "delete":
      return { changed: [], deleted: [id] };
    case "create":
    case "save":
    case "auto_save":
    case "unarchive":
      return includeDrafts ? { changed: [id], deleted: [] } : none;
    default:
      return none;
  }
}
