import { createHmac } from "node:crypto";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { WebhookHandler, WebhookRequest } from "../../src/contract.js";
import { isWebhookPayloadError, isWebhookVerificationError } from "../../src/errors.js";
import { ghostAdminToken, parseGhostAdminKey } from "../../src/ghost/ghost-admin-token.js";
import { ghostConnector } from "../../src/ghost/ghost-connector.js";

const SECRET = "webhook-secret-from-ghost";
const NOW = new Date("2026-02-01T08:00:00.000Z");

function handler(options: Record<string, unknown> = {}): WebhookHandler {
  const connector = ghostConnector.create(
    ghostConnector.optionsSchema.parse({
      apiUrl: "https://blog.example.com",
      contentApiKeyEnv: "K",
      ...options,
    }),
    { sourceId: "blog", logger: pino({ level: "silent" }), env: { K: "content-key" } },
  );
  if (!connector.webhook) throw new Error("ghost connector has no webhook handler");
  return connector.webhook;
}

/** Signs like Ghost: HMAC-SHA256 hex of the raw body followed by the millisecond timestamp. */
function signed(body: unknown, { timestamp = NOW.getTime(), secret = SECRET } = {}): WebhookRequest {
  const rawBody = JSON.stringify(body);
  const signature = createHmac("sha256", secret).update(`${rawBody}${timestamp}`).digest("hex");
  return {
    headers: {
      "x-ghost-signature": `sha256=${signature}, t=${timestamp}`,
      "content-type": "application/json",
    },
    rawBody: Buffer.from(rawBody),
    query: {},
    secret: SECRET,
    now: NOW,
  };
}

const rejects = (request: WebhookRequest, pattern: RegExp) => {
  let caught: unknown;
  try {
    handler().verify(request);
  } catch (error) {
    caught = error;
  }
  expect(isWebhookVerificationError(caught)).toBe(true);
  expect((caught as Error).message).toMatch(pattern);
};

describe("ghost webhooks", () => {
  it("accepts a signed post.published and names the post as changed", () => {
    const request = signed({ post: { current: { id: "p1", status: "published" }, previous: {} } });
    const webhook = handler();
    expect(() => webhook.verify(request)).not.toThrow();
    expect(webhook.parse(request)).toEqual({ changed: ["p1"], deleted: [] });
  });

  it("reads post.deleted and page.deleted from the previous state", () => {
    const webhook = handler();
    expect(webhook.parse(signed({ post: { current: {}, previous: { id: "p2" } } }))).toEqual({
      changed: [],
      deleted: ["p2"],
    });
    expect(webhook.parse(signed({ page: { current: {}, previous: { id: "g1" } } }))).toEqual({
      changed: [],
      deleted: ["g1"],
    });
  });

  it("ignores pages when the source syncs posts only", () => {
    expect(handler({ resources: ["posts"] }).parse(signed({ page: { current: { id: "g1" } } }))).toEqual({
      changed: [],
      deleted: [],
    });
  });

  it("rejects a bad signature, a tampered body and another secret", () => {
    const good = signed({ post: { current: { id: "p1" } } });
    rejects(
      { ...good, headers: { "x-ghost-signature": `sha256=${"0".repeat(64)}, t=${NOW.getTime()}` } },
      /does not match/,
    );
    rejects(
      { ...good, rawBody: Buffer.from(JSON.stringify({ post: { current: { id: "p9" } } })) },
      /does not match/,
    );
    rejects(signed({ post: { current: { id: "p1" } } }, { secret: "other" }), /does not match/);
  });

  it("rejects a timestamp outside the tolerance, since t is signed with the body", () => {
    rejects(signed({ post: { current: { id: "p1" } } }, { timestamp: NOW.getTime() - 301_000 }), /301s away/);
  });

  it("rejects a missing secret, a missing header and a malformed header", () => {
    const good = signed({ post: { current: { id: "p1" } } });
    rejects({ ...good, secret: undefined }, /no webhook secret/);
    rejects({ ...good, headers: {} }, /no x-ghost-signature/);
    rejects({ ...good, headers: { "x-ghost-signature": "abc" } }, /not in the form/);
  });

  it("rejects bodies that name no post or page", () => {
    const webhook = handler();
    let caught: unknown;
    try {
      webhook.parse(signed({ member: { current: { id: "m1" } } }));
    } catch (error) {
      caught = error;
    }
    expect(isWebhookPayloadError(caught)).toBe(true);
  });
});

describe("ghost admin token", () => {
  it("is an HS256 JWT with kid, audience /admin/ and a five-minute expiry, signed with the hex-decoded secret", () => {
    const secretHex = "00ff".repeat(16);
    const key = parseGhostAdminKey(`6489a1b2c3d4e5f601234567:${secretHex}`);
    if (!key) throw new Error("key did not parse");
    const token = ghostAdminToken(key, new Date("2026-02-01T08:00:00.000Z"));
    const [head = "", payload = "", signature] = token.split(".");
    expect(JSON.parse(Buffer.from(head, "base64url").toString())).toEqual({
      alg: "HS256",
      typ: "JWT",
      kid: "6489a1b2c3d4e5f601234567",
    });
    expect(JSON.parse(Buffer.from(payload, "base64url").toString())).toEqual({
      iat: 1769932800,
      exp: 1769933100,
      aud: "/admin/",
    });
    const expected = createHmac("sha256", Buffer.from(secretHex, "hex"))
      .update(`${head}.${payload}`)
      .digest("base64url");
    expect(signature).toBe(expected);
    expect(parseGhostAdminKey("short:abc")).toBeUndefined();
  });
});
