import {
  type ConnectorDefinition,
  filesystemConnector,
  hmacSha256Hex,
  requireSecret,
  safeEqual,
  WebhookPayloadError,
  WebhookVerificationError,
} from "@content-sync/connectors";
import { z } from "zod";

/**
 * Bench-only (never in the product's registry): the filesystem connector with webhooks, so the
 * freshness bench can drive the real `serve` from another process. A webhook is signed with
 * `x-signature: <hex HMAC-SHA256 of the raw body>` and says `{ "changed": ["path.md", …] }`; the
 * documents are read from the folder when the job runs.
 */
export const webhookFilesConnector: ConnectorDefinition<{ root: string; urlTemplate: string }> = {
  type: "bench-webhook-files",
  optionsSchema: z.strictObject({ root: z.string(), urlTemplate: z.string() }),
  defaultRate: { perSecond: 1_000 },
  create(options, init) {
    const files = filesystemConnector.create(options, init);
    return {
      listAll: (ctx) => files.listAll(ctx),
      fetchByIds: (ids, ctx) => files.fetchByIds(ids, ctx),
      webhook: {
        verify(request) {
          const expected = hmacSha256Hex(requireSecret(request.secret), request.rawBody.toString("utf8"));
          if (!safeEqual(request.headers["x-signature"] ?? "", expected)) {
            throw new WebhookVerificationError("signature mismatch");
          }
        },
        parse(request) {
          try {
            const body = JSON.parse(request.rawBody.toString("utf8")) as { changed?: unknown };
            return { changed: z.array(z.string().min(1)).parse(body.changed ?? []), deleted: [] };
          } catch {
            throw new WebhookPayloadError('body must be JSON { "changed": [...] }');
          }
        },
      },
    };
  },
};

export const signBenchWebhook = (secret: string, body: string): string => hmacSha256Hex(secret, body);
