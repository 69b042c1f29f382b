import { z } from "zod";
import type { WebhookEvents, WebhookHandler, WebhookRequest } from "../contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../errors.js";
import { requireSecret, safeEqual } from "../toolkit/webhooks/webhook-crypto.js";
import { strapiExternalId } from "./strapi-entry.js";
import type { StrapiOptions } from "./strapi-options.js";

const payloadSchema = z.object({
  event: z.string().min(1),
  model: z.string().optional(),
  uid: z.string().optional(),
  entry: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Strapi webhooks (`entry.create|update|delete|publish|unpublish`, body `{event, model, uid, entry}`)
 * carry no signature: they are authenticated by a static header configured on the webhook, compared
 * in constant time with the source's secret (raw or as `Bearer <secret>`). Strapi sends no
 * timestamp, so there is no replay window to check.
 */
export function strapiWebhook(options: StrapiOptions): WebhookHandler {
  return {
    verify(request: WebhookRequest): void {
      const secret = requireSecret(request.secret);
      const value = request.headers[options.webhookHeader];
      if (value === undefined)
        throw new WebhookVerificationError(`header ${options.webhookHeader} is missing`);
      // Evaluate both comparisons so timing does not tell which form was close.
      const raw = safeEqual(value, secret);
      const bearer = safeEqual(value, `Bearer ${secret}`);
      if (!raw && !bearer)
        throw new WebhookVerificationError(`header ${options.webhookHeader} does not match the secret`);
    },

    parse(request: WebhookRequest): WebhookEvents {
      let json: unknown;
      try {
        json = JSON.parse(request.rawBody.toString("utf8"));
      } catch {
        throw new WebhookPayloadError("Strapi webhook body is not JSON");
      }
      const parsed = payloadSchema.safeParse(json);
      if (!parsed.success) {
        throw new WebhookPayloadError(
          `Strapi webhook body is not {event, model, entry}: ${z.prettifyError(parsed.error)}`,
        );
      }
      const { event, model, uid, entry } = parsed.data;
      const result: WebhookEvents = { changed: [], deleted: [] };
      // media.* and review-workflow events do not name a synced entry.
      if (!event.startsWith("entry.")) return result;
      const type = options.contentTypes.find(
        (candidate) =>
          candidate.singularApiId === model ||
          uid === `api::${candidate.singularApiId}.${candidate.singularApiId}`,
      );
      if (!type) return result;
      if (!entry) throw new WebhookPayloadError(`Strapi webhook ${event} for ${model ?? uid} has no entry`);
      const id = entry.id;
      const documentId = entry.documentId;
      if (options.version === "v4" ? typeof id !== "number" : typeof documentId !== "string") {
        throw new WebhookPayloadError(
          `Strapi webhook ${event} for ${type.singularApiId}: entry has no ${options.version === "v4" ? "numeric id" : "documentId"}`,
        );
      }
      const externalId = strapiExternalId(
        type.pluralApiId,
        {
          id: typeof id === "number" ? id : 0,
          ...(typeof documentId === "string" ? { documentId } : {}),
          ...(typeof entry.locale === "string" ? { locale: entry.locale } : {}),
        },
        options,
      );
      const removes = event === "entry.delete" || (event === "entry.unpublish" && !options.includeDrafts);
      (removes ? result.deleted : result.changed).push(externalId);
      return result;
    },
  };
}
