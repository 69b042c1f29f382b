import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { WebhookRequest } from "../../src/contract.js";
import { isWebhookPayloadError, isWebhookVerificationError } from "../../src/errors.js";
import { strapiConnector } from "../../src/strapi/strapi-connector.js";

function webhookOf(version: "v4" | "v5", options: Record<string, unknown> = {}) {
  const parsed = strapiConnector.optionsSchema.parse({
    baseUrl: "http://127.0.0.1:1",
    version,
    contentTypes: [{ pluralApiId: "articles", singularApiId: "article" }],
    ...options,
  });
  return strapiConnector.create(parsed, { sourceId: "cms", logger: pino({ level: "silent" }), env: {} })
    .webhook!;
}

const request = (
  body: unknown,
  headers: Record<string, string> = { authorization: "Bearer s3cret" },
): WebhookRequest => ({
  headers,
  rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  query: {},
  secret: "s3cret",
  now: new Date(),
});

const entry = (event: string, fields: Record<string, unknown>, model = "article") => ({
  event,
  createdAt: "2026-01-01T00:00:00.000Z",
  model,
  uid: `api::${model}.${model}`,
  entry: { createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z", ...fields },
});

describe("Strapi webhooks", () => {
  it("accepts the configured header with the secret raw or as a bearer token", () => {
    const webhook = webhookOf("v4");
    expect(() => webhook.verify(request({}))).not.toThrow();
    expect(() => webhook.verify(request({}, { authorization: "s3cret" }))).not.toThrow();
    const custom = webhookOf("v4", { webhookHeader: "X-Webhook-Secret" });
    expect(() => custom.verify(request({}, { "x-webhook-secret": "s3cret" }))).not.toThrow();
  });

  it("rejects a missing header, a wrong secret and a source without a secret", () => {
    const webhook = webhookOf("v5");
    const rejections = [
      () => webhook.verify(request({}, {})),
      () => webhook.verify(request({}, { authorization: "Bearer s3cref" })),
      () => webhook.verify({ ...request({}), secret: undefined }),
    ];
    for (const attempt of rejections) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(isWebhookVerificationError(caught)).toBe(true);
    }
  });

  it("turns v4 entry events into changed and deleted ids", () => {
    const webhook = webhookOf("v4");
    expect(webhook.parse(request(entry("entry.update", { id: 7, title: "x" })))).toEqual({
      changed: ["articles:7"],
      deleted: [],
    });
    expect(webhook.parse(request(entry("entry.publish", { id: 7 })))).toEqual({
      changed: ["articles:7"],
      deleted: [],
    });
    expect(webhook.parse(request(entry("entry.delete", { id: 7 })))).toEqual({
      changed: [],
      deleted: ["articles:7"],
    });
    expect(webhook.parse(request(entry("entry.unpublish", { id: 7 })))).toEqual({
      changed: [],
      deleted: ["articles:7"],
    });
    expect(
      webhookOf("v4", { includeDrafts: true }).parse(request(entry("entry.unpublish", { id: 7 }))),
    ).toEqual({
      changed: ["articles:7"],
      deleted: [],
    });
    expect(webhook.parse(request(entry("entry.update", { id: 3 }, "category")))).toEqual({
      changed: [],
      deleted: [],
    });
    expect(webhook.parse(request({ event: "media.create", media: { id: 1 } }))).toEqual({
      changed: [],
      deleted: [],
    });
  });

  it("uses v5 documentIds, with the locale when the source syncs locales", () => {
    expect(
      webhookOf("v5").parse(
        request(entry("entry.create", { id: 12, documentId: "abc123def456ghi789jkl012", locale: "fr" })),
      ),
    ).toEqual({
      changed: ["articles:abc123def456ghi789jkl012"],
      deleted: [],
    });
    expect(
      webhookOf("v5", { locales: ["en", "fr"] }).parse(
        request(entry("entry.delete", { id: 12, documentId: "abc123def456ghi789jkl012", locale: "fr" })),
      ),
    ).toEqual({ changed: [], deleted: ["articles:abc123def456ghi789jkl012:fr"] });
  });

  it("names what is wrong with a body it cannot use", () => {
    const webhook = webhookOf("v5");
    const attempts: [unknown, RegExp][] = [
      ["{not json", /not JSON/],
      [{ model: "article" }, /event/],
      [entry("entry.update", { id: 12 }), /no documentId/],
      [{ event: "entry.update", model: "article" }, /has no entry/],
    ];
    for (const [body, message] of attempts) {
      let caught: unknown;
      try {
        webhook.parse(request(body));
      } catch (error) {
        caught = error;
      }
      expect(isWebhookPayloadError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
  });
});
