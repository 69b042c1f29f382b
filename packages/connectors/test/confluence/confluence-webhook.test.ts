import { createHmac } from "node:crypto";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { WebhookRequest } from "../../src/contract.js";
import { confluenceConnector } from "../../src/confluence/index.js";
import { WebhookPayloadError, WebhookVerificationError } from "../../src/errors.js";

const SECRET = "dc-webhook-secret";

const connector = (options: Record<string, unknown> = {}) => {
  const created = confluenceConnector.create(
    confluenceConnector.optionsSchema.parse({
      deployment: "datacenter",
      baseUrl: "https://wiki.example.com/confluence",
      auth: { type: "bearer", tokenEnv: "CONFLUENCE_PAT" },
      ...options,
    }),
    { sourceId: "dc-wiki", logger: pino({ level: "silent" }), env: { CONFLUENCE_PAT: "pat" } },
  );
  if (!created.webhook) throw new Error("no webhook handler");
  return created.webhook;
};

/** A Data Center webhook request: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. */
function request(
  body: unknown,
  options: { secret?: string; signature?: string; configured?: string } = {},
): WebhookRequest {
  const rawBody = Buffer.from(JSON.stringify(body));
  const signature =
    options.signature ??
    `sha256=${createHmac("sha256", options.secret ?? SECRET)
      .update(rawBody)
      .digest("hex")}`;
  return {
    headers: { "content-type": "application/json", "x-hub-signature": signature },
    rawBody,
    query: {},
    secret: "configured" in options ? options.configured : SECRET,
    now: new Date(),
  };
}

describe("confluence Data Center webhooks", () => {
  it("accepts a correctly signed page_updated and names the page", () => {
    const webhook = connector();
    const signed = request({
      timestamp: 1767340800000,
      event: "page_updated",
      page: { id: 393217, title: "Runbook", spaceKey: "OPS" },
    });
    expect(() => webhook.verify(signed)).not.toThrow();
    expect(webhook.parse(signed)).toEqual({ changed: ["393217"], deleted: [] });
  });

  it("rejects a wrong signature, a missing header, a malformed header and a source without secret", () => {
    const webhook = connector();
    const body = { event: "page_created", page: { id: 1 } };
    expect(() => webhook.verify(request(body, { secret: "not-the-secret" }))).toThrow(
      WebhookVerificationError,
    );
    expect(() => webhook.verify(request(body, { signature: "" }))).toThrow(/has no x-hub-signature/);
    expect(() => webhook.verify(request(body, { signature: "sha1=abc" }))).toThrow(/sha256=<hex>/);
    expect(() => webhook.verify(request(body, { configured: undefined }))).toThrow(/no webhook secret/);
    // A body altered after signing fails.
    const signed = request(body);
    expect(() =>
      webhook.verify({ ...signed, rawBody: Buffer.from(JSON.stringify({ ...body, page: { id: 2 } })) }),
    ).toThrow(/does not match/);
  });

  it("maps trashed and removed pages and blog posts to deletions, comments and attachments to their page when configured", () => {
    const plain = connector();
    expect(plain.parse(request({ event: "page_trashed", page: { id: 7 } }))).toEqual({
      changed: [],
      deleted: ["7"],
    });
    expect(plain.parse(request({ event: "blog_removed", blog: { id: "8" } }))).toEqual({
      changed: [],
      deleted: ["8"],
    });
    expect(plain.parse(request({ event: "blog_restored", blog: { id: 8 } }))).toEqual({
      changed: ["8"],
      deleted: [],
    });
    expect(
      plain.parse(request({ event: "comment_created", comment: { id: 3, container: { id: 7 } } })),
    ).toEqual({ changed: [], deleted: [] });
    expect(plain.parse(request({ event: "space_created", space: { key: "X" } }))).toEqual({
      changed: [],
      deleted: [],
    });

    const full = connector({ includeComments: true, attachments: true });
    expect(
      full.parse(request({ event: "comment_created", comment: { id: 3, container: { id: 7 } } })),
    ).toEqual({ changed: ["7"], deleted: [] });
    expect(
      full.parse(request({ event: "attachment_created", attachment: { id: 12, container: { id: 7 } } })),
    ).toEqual({
      changed: ["attachment:12", "7"],
      deleted: [],
    });
    expect(full.parse(request({ event: "attachment_trashed", attachment: { id: 12 } }))).toEqual({
      changed: [],
      deleted: ["attachment:12"],
    });
  });

  it("answers bodies it cannot read with WebhookPayloadError", () => {
    const webhook = connector();
    const notJson = { ...request({}), rawBody: Buffer.from("not json") };
    expect(() => webhook.parse(notJson)).toThrow(WebhookPayloadError);
    expect(() => webhook.parse(request({ page: { id: 1 } }))).toThrow(/no "event"/);
    expect(() => webhook.parse(request({ event: "page_updated", page: {} }))).toThrow(/no page.id/);
  });
});
