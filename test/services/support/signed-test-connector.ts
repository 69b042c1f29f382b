import {
  type Connector,
  type ConnectorDefinition,
  type ListedDocument,
  type SourceEvent,
  WebhookPayloadError,
  WebhookVerificationError,
  assertFreshTimestamp,
  hmacSha256Hex,
  requireSecret,
  safeEqual,
} from "@content-sync/connectors";
import { z } from "zod";

/**
 * A test-only connector with webhooks (the filesystem connector has none). Documents live in memory;
 * webhooks carry `x-signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` and a JSON body
 * `{ "changed": [...], "deleted": [...] }`. A `validationToken` query parameter is a handshake.
 */
export class SignedTestSource {
  readonly documents = new Map<string, { title: string; body: string; version: number }>();

  put(externalId: string, title: string, body: string): void {
    const version = (this.documents.get(externalId)?.version ?? 0) + 1;
    this.documents.set(externalId, { title, body, version });
  }

  private listed(externalId: string): ListedDocument | undefined {
    const document = this.documents.get(externalId);
    if (!document) return undefined;
    // Reads the live document at load time: a load after a later edit sees the later content.
    return {
      externalId,
      version: String(document.version),
      metadata: {},
      load: async () => {
        const current = this.documents.get(externalId) ?? document;
        return {
          externalId,
          version: String(current.version),
          title: current.title,
          url: `https://signed.example.test/${externalId}`,
          metadata: {},
          body: { kind: "html", html: `<p>${current.body}</p>` },
        };
      },
    };
  }

  definition(): ConnectorDefinition<{ name: string }> {
    const source = this;
    return {
      type: "signed-test",
      optionsSchema: z.strictObject({ name: z.string() }),
      defaultRate: { perSecond: 100 },
      create(): Connector {
        return {
          async *listAll(): AsyncIterable<SourceEvent> {
            for (const externalId of source.documents.keys()) {
              const document = source.listed(externalId);
              if (document) yield { kind: "document", document };
            }
          },
          async *fetchByIds(ids): AsyncIterable<SourceEvent> {
            for (const externalId of ids) {
              const document = source.listed(externalId);
              yield document ? { kind: "document", document } : { kind: "deleted", externalId };
            }
          },
          webhook: {
            handshake(request) {
              const token = request.query.validationToken;
              return token ? { status: 200, body: token, contentType: "text/plain" } : undefined;
            },
            verify(request) {
              const secret = requireSecret(request.secret);
              const header = request.headers["x-signature"] ?? "";
              const parts = Object.fromEntries(
                header.split(",").map((part) => part.split("=") as [string, string]),
              );
              assertFreshTimestamp(Number(parts.t), request.now, 300);
              const expected = hmacSha256Hex(secret, `${parts.t}.${request.rawBody.toString("utf8")}`);
              if (!parts.v1 || !safeEqual(parts.v1, expected))
                throw new WebhookVerificationError("signature mismatch");
            },
            parse(request) {
              let body: { changed?: unknown; deleted?: unknown };
              try {
                body = JSON.parse(request.rawBody.toString("utf8"));
              } catch {
                throw new WebhookPayloadError("body is not JSON");
              }
              const ids = z.array(z.string().min(1));
              return { changed: ids.parse(body.changed ?? []), deleted: ids.parse(body.deleted ?? []) };
            },
          },
        };
      },
    };
  }
}

export function signWebhook(secret: string, body: string, atMs = Date.now()): string {
  const t = Math.floor(atMs / 1000);
  return `t=${t},v1=${hmacSha256Hex(secret, `${t}.${body}`)}`;
}
