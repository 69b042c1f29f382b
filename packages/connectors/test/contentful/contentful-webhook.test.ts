import { createHmac } from "node:crypto";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { contentfulConnector } from "../../src/contentful/contentful-connector.js";
import type { WebhookHandler, WebhookRequest } from "../../src/contract.js";
import { isWebhookPayloadError, isWebhookVerificationError } from "../../src/errors.js";

const SECRET = "a".repeat(64);
const NOW = new Date("2026-03-01T12:00:00.000Z");

function handler(options: Record<string, unknown> = {}): WebhookHandler {
  const connector = contentfulConnector.create(
    contentfulConnector.optionsSchema.parse({
      spaceId: "space1",
      accessTokenEnv: "CF_TOKEN",
      previewAccessTokenEnv: "CF_PREVIEW",
      ...options,
    }),
    { sourceId: "help", logger: pino({ level: "silent" }), env: { CF_TOKEN: "t", CF_PREVIEW: "p" } },
  );
  if (!connector.webhook) throw new Error("contentful connector has no webhook handler");
  return connector.webhook;
}

/**
 * Signs like Contentful's request verification, written out from its documentation rather than
 * through the connector's code: method, path, `name:value` of the signed headers sorted and joined
 * with `;`, then the body, joined with newlines; HMAC-SHA256 hex with the signing secret.
 */
function signedRequest(
  topic: string,
  body: unknown,
  { timestamp = NOW.getTime(), secret = SECRET, path = "/webhooks/help" } = {},
): WebhookRequest {
  const rawBody = JSON.stringify(body);
  const canonical = [
    "POST",
    path,
    `content-type:application/vnd.contentful.management.v1+json;x-contentful-signed-headers:content-type,x-contentful-signed-headers,x-contentful-timestamp;x-contentful-timestamp:${timestamp}`,
    rawBody,
  ].join("\n");
  return {
    method: "POST",
    path,
    headers: {
      "content-type": "application/vnd.contentful.management.v1+json",
      "x-contentful-topic": topic,
      "x-contentful-timestamp": String(timestamp),
      "x-contentful-signed-headers": "content-type,x-contentful-signed-headers,x-contentful-timestamp",
      "x-contentful-signature": createHmac("sha256", secret).update(canonical).digest("hex"),
    },
    rawBody: Buffer.from(rawBody),
    query: {},
    secret: SECRET,
    now: NOW,
  };
}

const entry = (id: string) => ({
  sys: { type: "Entry", id, contentType: { sys: { type: "Link", id: "article" } } },
});

describe("contentful webhooks", () => {
  it("accepts a correctly signed request and maps publish/unpublish/archive/delete", () => {
    const webhook = handler();
    const cases: [string, { changed: string[]; deleted: string[] }][] = [
      ["ContentManagement.Entry.publish", { changed: ["e1"], deleted: [] }],
      ["ContentManagement.Entry.unpublish", { changed: [], deleted: ["e1"] }],
      ["ContentManagement.Entry.archive", { changed: [], deleted: ["e1"] }],
      ["ContentManagement.Entry.delete", { changed: [], deleted: ["e1"] }],
      // Drafts are invisible to the Delivery API: a save changes nothing for this source.
      ["ContentManagement.Entry.save", { changed: [], deleted: [] }],
      ["ContentManagement.Asset.publish", { changed: [], deleted: [] }],
    ];
    for (const [topic, expected] of cases) {
      const request = signedRequest(topic, entry("e1"));
      expect(() => webhook.verify(request)).not.toThrow();
      expect(webhook.parse(request)).toEqual(expected);
    }
  });

  it("treats saves and unpublishes as changes for draft (Preview) sources", () => {
    const webhook = handler({ includeDrafts: true });
    expect(webhook.parse(signedRequest("ContentManagement.Entry.auto_save", entry("e2")))).toEqual({
      changed: ["e2"],
      deleted: [],
    });
    expect(webhook.parse(signedRequest("ContentManagement.Entry.unpublish", entry("e2")))).toEqual({
      changed: ["e2"],
      deleted: [],
    });
  });

  it("signs the path with its query string escaped as Contentful canonicalises it", () => {
    const webhook = handler();
    // querystring.escape("token=a b") is "token%3Da%20b"; encodeURI then escapes each "%" again.
    const request = signedRequest("ContentManagement.Entry.publish", entry("e1"), {
      path: "/webhooks/help?token%253Da%2520b",
    });
    request.path = "/webhooks/help?token=a b";
    expect(() => webhook.verify(request)).not.toThrow();
  });

  const rejects = (request: WebhookRequest, pattern: RegExp, options: Record<string, unknown> = {}) => {
    let caught: unknown;
    try {
      handler(options).verify(request);
    } catch (error) {
      caught = error;
    }
    expect(isWebhookVerificationError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(pattern);
  };

  it("rejects a bad signature, a tampered body, another path and another secret", () => {
    const good = signedRequest("ContentManagement.Entry.publish", entry("e1"));
    rejects(
      { ...good, headers: { ...good.headers, "x-contentful-signature": "0".repeat(64) } },
      /does not match/,
    );
    rejects({ ...good, rawBody: Buffer.from(JSON.stringify(entry("e2"))) }, /does not match/);
    rejects({ ...good, path: "/webhooks/other" }, /does not match/);
    rejects(
      signedRequest("ContentManagement.Entry.publish", entry("e1"), { secret: "b".repeat(64) }),
      /does not match/,
    );
  });

  it("rejects stale and future timestamps beyond the tolerance", () => {
    rejects(
      signedRequest("ContentManagement.Entry.publish", entry("e1"), { timestamp: NOW.getTime() - 31_000 }),
      /31s away/,
    );
    rejects(
      signedRequest("ContentManagement.Entry.publish", entry("e1"), { timestamp: NOW.getTime() + 60_000 }),
      /60s away/,
    );
    const wider = signedRequest("ContentManagement.Entry.publish", entry("e1"), {
      timestamp: NOW.getTime() - 100_000,
    });
    expect(() => handler({ webhookToleranceSeconds: 300 }).verify(wider)).not.toThrow();
  });

  it("rejects a missing secret, missing signature headers and an unsigned timestamp", () => {
    const good = signedRequest("ContentManagement.Entry.publish", entry("e1"));
    rejects({ ...good, secret: undefined }, /no webhook secret/);
    const { "x-contentful-signature": _signature, ...unsigned } = good.headers;
    rejects({ ...good, headers: unsigned }, /missing x-contentful-signature/);
    rejects(
      { ...good, headers: { ...good.headers, "x-contentful-signed-headers": "content-type" } },
      /must cover x-contentful-timestamp/,
    );
    rejects({ ...good, path: undefined }, /without the request path/);
  });

  it("uses the configured webhookPath when a proxy rewrote the path", () => {
    const request = signedRequest("ContentManagement.Entry.publish", entry("e1"), {
      path: "/public/hooks/cf",
    });
    request.path = "/webhooks/help";
    expect(() => handler({ webhookPath: "/public/hooks/cf" }).verify(request)).not.toThrow();
  });

  it("rejects payloads it cannot understand after verification", () => {
    const webhook = handler();
    const noTopic = signedRequest("Something.Else", entry("e1"));
    expect(isWebhookPayloadError(catchError(() => webhook.parse(noTopic)))).toBe(true);
    const noId = signedRequest("ContentManagement.Entry.publish", { sys: {} });
    expect(catchError(() => webhook.parse(noId))).toMatchObject({ message: /no sys.id/ });
  });

  it("names each signed delivery for the replay guard: a retry is signed with a new timestamp", () => {
    const webhook = handler();
    const body = entry("replayed-entry");
    const first = signedRequest("ContentManagement.Entry.publish", body);
    const again = signedRequest("ContentManagement.Entry.publish", body);
    const retried = signedRequest("ContentManagement.Entry.publish", body, {
      timestamp: NOW.getTime() + 5_000,
    });
    expect(webhook.deliveryId?.(first)).toBeDefined();
    expect(webhook.deliveryId?.(again)).toBe(webhook.deliveryId?.(first));
    expect(webhook.deliveryId?.(retried)).not.toBe(webhook.deliveryId?.(first));
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
