import { createHmac } from "node:crypto";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { WebhookRequest } from "../../src/contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../../src/errors.js";
import { notionConnector } from "../../src/notion/index.js";

const SECRET = "secret_notion_verification_token_1234";
const PAGE = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

const webhook = () => {
  const created = notionConnector.create(notionConnector.optionsSchema.parse({ tokenEnv: "NOTION_TOKEN" }), {
    sourceId: "notion-wiki",
    logger: pino({ level: "silent" }),
    env: { NOTION_TOKEN: "ntn_token" },
  });
  if (!created.webhook) throw new Error("no webhook handler");
  return created.webhook;
};

/** An event as Notion sends it: `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. */
function request(
  body: unknown,
  options: { signWith?: string; signature?: string | null; secret?: string | undefined } = {},
): WebhookRequest {
  const rawBody = Buffer.from(JSON.stringify(body));
  const signature =
    options.signature === null
      ? undefined
      : (options.signature ??
        `sha256=${createHmac("sha256", options.signWith ?? SECRET)
          .update(rawBody)
          .digest("hex")}`);
  return {
    headers: {
      "content-type": "application/json",
      ...(signature ? { "x-notion-signature": signature } : {}),
    },
    rawBody,
    query: {},
    secret: "secret" in options ? options.secret : SECRET,
    now: new Date(),
  };
}

const event = (type: string, entity: Record<string, unknown> = { id: PAGE, type: "page" }) => ({
  id: "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
  timestamp: "2026-03-02T09:00:00.000Z",
  workspace_id: "ws",
  workspace_name: "Acme",
  subscription_id: "sub",
  integration_id: "int",
  type,
  authors: [{ id: "u1", type: "person" }],
  accessible_by: [{ id: "u1", type: "person" }],
  attempt_number: 1,
  api_version: "2025-09-03",
  entity,
  data: { parent: { id: "p", type: "page" } },
});

describe("notion webhooks", () => {
  it("accepts correctly signed page events: changed for content, properties, moves and restores; deleted for page.deleted", () => {
    const handler = webhook();
    for (const type of [
      "page.created",
      "page.content_updated",
      "page.properties_updated",
      "page.moved",
      "page.undeleted",
    ]) {
      const signed = request(event(type));
      expect(handler.handshake?.(signed)).toBeUndefined();
      expect(() => handler.verify(signed)).not.toThrow();
      expect(handler.parse(signed)).toEqual({ changed: [PAGE], deleted: [] });
    }
    expect(handler.parse(request(event("page.deleted")))).toEqual({ changed: [], deleted: [PAGE] });
    const undashed = request(event("page.content_updated", { id: PAGE.replace(/-/g, ""), type: "page" }));
    expect(handler.parse(undashed)).toEqual({ changed: [PAGE], deleted: [] });
  });

  it("asks for an incremental run on database and data source events and ignores comments and locks", () => {
    const handler = webhook();
    const database = { id: "db", type: "database" };
    expect(handler.parse(request(event("database.schema_updated", database)))).toEqual({
      changed: [],
      deleted: [],
      resync: true,
    });
    expect(handler.parse(request(event("data_source.content_updated", database)))).toEqual({
      changed: [],
      deleted: [],
      resync: true,
    });
    expect(handler.parse(request(event("comment.created", { id: "c", type: "comment" })))).toEqual({
      changed: [],
      deleted: [],
    });
    expect(handler.parse(request(event("page.locked")))).toEqual({ changed: [], deleted: [] });
    expect(() => handler.parse(request(event("page.created", {})))).toThrow(WebhookPayloadError);
    expect(() => handler.parse({ ...request({}), rawBody: Buffer.from("not json") })).toThrow(
      WebhookPayloadError,
    );
  });

  it("rejects a wrong signature, a missing or malformed header, and any event while the source has no secret", () => {
    const handler = webhook();
    const body = event("page.created");
    expect(() => handler.verify(request(body, { signWith: "another-token" }))).toThrow(/does not match/);
    expect(() => handler.verify(request(body, { signature: null }))).toThrow(/no x-notion-signature/);
    expect(() => handler.verify(request(body, { signature: "md5=abc" }))).toThrow(/sha256=<hex>/);
    expect(() => handler.verify(request(body, { secret: undefined }))).toThrow(WebhookVerificationError);
    // A body altered after signing fails too.
    const signed = request(body);
    expect(() =>
      handler.verify({ ...signed, rawBody: Buffer.from(`${signed.rawBody.toString()} `) }),
    ).toThrow(/does not match/);
  });

  it("answers the one-time verification request only while no secret is set, handing the token to the admin", () => {
    const handler = webhook();
    const verification = request({ verification_token: SECRET }, { signature: null, secret: undefined });
    const answer = handler.handshake?.(verification);
    expect(answer).toMatchObject({
      status: 200,
      adminNotice: { secret: SECRET, message: expect.stringContaining("webhook.secretEnv") },
    });
    // The token is never echoed to the sender.
    expect(answer?.body).not.toContain(SECRET);

    // Once the secret is configured, an unsigned verification body is no handshake and fails verification.
    const again = request({ verification_token: "secret_someone_elses" }, { signature: null });
    expect(handler.handshake?.(again)).toBeUndefined();
    expect(() => handler.verify(again)).toThrow(WebhookVerificationError);
    // Without a secret, anything that is not a verification body is no handshake either.
    expect(
      handler.handshake?.(request(event("page.created"), { signature: null, secret: undefined })),
    ).toBeUndefined();
  });

  it("names a delivery by the event id in its signed body, for the intake's replay guard", () => {
    const handler = webhook();
    const delivered = request(event("page.content_updated"));
    expect(handler.deliveryId?.(delivered)).toBe("event:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b");
    const other = request({ ...event("page.content_updated"), id: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" });
    expect(handler.deliveryId?.(other)).not.toBe(handler.deliveryId?.(delivered));
    expect(handler.deliveryId?.(request({ type: "page.created" }))).toBeUndefined();
  });
});
