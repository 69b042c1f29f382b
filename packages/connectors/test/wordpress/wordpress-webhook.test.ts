import { describe, expect, it } from "vitest";
import type { WebhookRequest } from "../../src/contract.js";
import { isWebhookPayloadError, isWebhookVerificationError } from "../../src/errors.js";
import { signWordPressWebhook, wordpressWebhook } from "../../src/wordpress/wordpress-webhook.js";

const now = new Date("2026-03-01T12:00:00Z");
const nowSeconds = now.getTime() / 1000;
const webhook = wordpressWebhook(["post", "page"], 300);

function signed(body: unknown, options: { timestamp?: number; secret?: string } = {}): WebhookRequest {
  const rawBody = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const timestamp = options.timestamp ?? nowSeconds;
  return {
    headers: {
      "x-content-sync-timestamp": String(timestamp),
      "x-content-sync-signature": signWordPressWebhook(options.secret ?? "hook", timestamp, rawBody),
    },
    rawBody,
    query: {},
    secret: "hook",
    now,
  };
}

function verificationFailure(request: WebhookRequest): string {
  try {
    webhook.verify(request);
  } catch (error) {
    expect(isWebhookVerificationError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error("verification passed");
}

describe("WordPress webhook", () => {
  it("verifies the HMAC over timestamp and raw body", () => {
    expect(() => webhook.verify(signed({ action: "updated", post_type: "post", id: 1 }))).not.toThrow();
  });

  it("rejects wrong secrets, tampered bodies, stale timestamps, missing headers and missing secrets", () => {
    const body = { action: "updated", post_type: "post", id: 1 };
    expect(verificationFailure(signed(body, { secret: "other" }))).toMatch(/does not match/);
    const tampered = signed(body);
    expect(
      verificationFailure({ ...tampered, rawBody: Buffer.from(JSON.stringify({ ...body, id: 2 })) }),
    ).toMatch(/does not match/);
    expect(verificationFailure(signed(body, { timestamp: nowSeconds - 301 }))).toMatch(/tolerance 300s/);
    expect(verificationFailure(signed(body, { timestamp: nowSeconds + 301 }))).toMatch(/tolerance 300s/);
    expect(
      verificationFailure({ ...signed(body), headers: { "x-content-sync-timestamp": String(nowSeconds) } }),
    ).toMatch(/x-content-sync-signature is missing/);
    const noTimestamp = signed(body);
    expect(
      verificationFailure({
        ...noTimestamp,
        headers: { "x-content-sync-signature": noTimestamp.headers["x-content-sync-signature"] },
      }),
    ).toMatch(/x-content-sync-timestamp/);
    expect(verificationFailure({ ...signed(body), secret: undefined })).toMatch(/no webhook secret/);
  });

  it("parses single events, lists and {events} into changed and deleted ids of synced types", () => {
    expect(webhook.parse(signed({ action: "updated", post_type: "post", id: 5 }))).toEqual({
      changed: ["post:5"],
      deleted: [],
    });
    expect(
      webhook.parse(
        signed([
          { action: "trashed", post_type: "post", id: 5 },
          { action: "deleted", post_type: "page", id: 6 },
          { action: "untrashed", post_type: "page", id: 7 },
          { action: "updated", post_type: "attachment", id: 8 },
        ]),
      ),
    ).toEqual({ changed: ["page:7"], deleted: ["post:5", "page:6"] });
    expect(webhook.parse(signed({ events: [{ action: "published", post_type: "page", id: 9 }] }))).toEqual({
      changed: ["page:9"],
      deleted: [],
    });
  });

  it("names what is wrong with a body it cannot use", () => {
    for (const [body, message] of [
      ["nope", /not JSON/],
      [{ action: "updated", post_type: "post" }, /id/],
      [{ action: "exploded", post_type: "post", id: 1 }, /action "exploded"/],
    ] as const) {
      let caught: unknown;
      try {
        webhook.parse(signed(body));
      } catch (error) {
        caught = error;
      }
      expect(isWebhookPayloadError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it("names each signed delivery for the replay guard: the same request twice, one id; a new timestamp, another", () => {
    const body = { action: "updated", post_type: "post", id: 7 };
    const first = signed(body);
    expect(webhook.deliveryId?.(first)).toBeDefined();
    expect(webhook.deliveryId?.(signed(body))).toBe(webhook.deliveryId?.(first));
    expect(webhook.deliveryId?.(signed(body, { timestamp: nowSeconds + 1 }))).not.toBe(
      webhook.deliveryId?.(first),
    );
  });
});
