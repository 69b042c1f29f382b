import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Connector, PushSubscription, WebhookRequest } from "../../src/contract.js";
import { WebhookPayloadError, WebhookVerificationError } from "../../src/errors.js";
import { graphConnector, graphWebhook } from "../../src/graph/index.js";
import { GraphFixture } from "./graph-fixture.js";

const SECRET = "Qx8Q~graph.client.secret~webhooks";
const CLIENT_STATE = "f3b1c2d4-client-state-secret-5e6f";
const NOTIFICATION_URL = "https://sync.example.com/webhooks/sharepoint-docs";
const logger = pino({ level: "silent" });

const request = (body: unknown, overrides: Partial<WebhookRequest> = {}): WebhookRequest => ({
  headers: { "content-type": "application/json" },
  rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  query: {},
  secret: CLIENT_STATE,
  now: new Date("2026-11-02T10:00:00Z"),
  method: "POST",
  path: "/webhooks/sharepoint-docs",
  ...overrides,
});

const notification = (clientState: string | undefined, driveId = "b!drive") => ({
  subscriptionId: "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
  subscriptionExpirationDateTime: "2026-11-05T10:00:00Z",
  changeType: "updated",
  resource: `drives/${driveId}/root`,
  tenantId: "2e1a4b9c-0d3f-4e5a-8b7c-6d9e0f1a2b3c",
  ...(clientState === undefined ? {} : { clientState }),
});

describe("sharepoint webhook (Graph change notifications)", () => {
  const handler = graphWebhook();

  it("answers the validation handshake with the decoded token as text/plain", () => {
    // The intake hands over the query decoded, as the HTTP server parsed it.
    const token = "Validation: Testing client application reachability for subscription Request-Id: 3f2c";
    const answer = handler.handshake?.(request("", { query: { validationToken: token } }));
    expect(answer).toEqual({ status: 200, body: token, contentType: "text/plain" });
    expect(handler.handshake?.(request({ value: [notification(CLIENT_STATE)] }))).toBeUndefined();
  });

  it("accepts notifications whose clientState is the webhook secret, and asks for one incremental run", () => {
    const body = { value: [notification(CLIENT_STATE), notification(CLIENT_STATE, "b!other")] };
    expect(() => handler.verify(request(body))).not.toThrow();
    expect(handler.parse(request(body))).toEqual({ changed: [], deleted: [], resync: true });
    // No signature covers a delivery id or timestamp: the replay guard has nothing to go on.
    expect(handler.deliveryId).toBeUndefined();
  });

  it("refuses a wrong or missing clientState, also when only one notification of the batch has it wrong", () => {
    expect(() => handler.verify(request({ value: [notification("guessed")] }))).toThrow(
      WebhookVerificationError,
    );
    expect(() => handler.verify(request({ value: [notification(undefined)] }))).toThrow(/has no clientState/);
    expect(() => handler.verify(request({ value: [notification(CLIENT_STATE), notification("x")] }))).toThrow(
      /value\[1\] has a clientState that does not match/,
    );
    expect(() =>
      handler.verify(request({ value: [notification(CLIENT_STATE)] }, { secret: undefined })),
    ).toThrow(WebhookVerificationError);
  });

  it("a body that is not a notification collection is a payload error", () => {
    expect(() => handler.verify(request("not json {"))).toThrow(WebhookPayloadError);
    expect(() => handler.parse(request("not json {"))).toThrow(/not JSON/);
    expect(() => handler.verify(request({ value: [] }))).toThrow(WebhookPayloadError);
    expect(() => handler.verify(request({ value: ["x"] }))).toThrow(/value\[0\] is not an object/);
  });
});

describe("sharepoint push subscriptions against the Graph fixture", () => {
  let fixture: GraphFixture;
  let connector: Connector;
  let hr: string;
  let legal: string;
  const signal = new AbortController().signal;
  const params = { notificationUrl: NOTIFICATION_URL, clientState: CLIENT_STATE, signal };

  const create = (options: Record<string, unknown>) =>
    graphConnector.create(
      graphConnector.optionsSchema.parse({
        tenantId: GraphFixture.tenant,
        clientId: GraphFixture.clientId,
        clientSecretEnv: "GRAPH_CLIENT_SECRET",
        baseUrl: fixture.baseUrl,
        tokenUrl: fixture.tokenUrl,
        ...options,
      }),
      { sourceId: "sharepoint-docs", logger, env: { GRAPH_CLIENT_SECRET: SECRET } },
    );

  const pushOf = (target: Connector) => {
    if (!target.push) throw new Error("no push handler");
    return target.push;
  };

  beforeEach(async () => {
    fixture = await GraphFixture.start(SECRET);
    hr = fixture.addDrive("Documents", { site: "hr" });
    legal = fixture.addDrive("Contracts", { site: "hr" });
    connector = create({ sites: ["hr"], subscriptionDays: 2 });
  });

  afterEach(async () => {
    await fixture.close();
  });

  it("creates one subscription per drive, with the client state, and returns the earliest expiry", async () => {
    const subscription = await pushOf(connector).create(params);
    expect(fixture.subscriptions.size).toBe(2);
    const stored = [...fixture.subscriptions.values()];
    expect(stored.map((entry) => entry.resource).sort()).toEqual(
      [`/drives/${hr}/root`, `/drives/${legal}/root`].sort(),
    );
    for (const entry of stored) {
      expect(entry).toMatchObject({
        changeType: "updated",
        clientState: CLIENT_STATE,
        notificationUrl: NOTIFICATION_URL,
      });
    }
    expect(subscription.data).toEqual({
      [`drive:${hr}`]: stored.find((entry) => entry.resource === `/drives/${hr}/root`)?.id,
      [`drive:${legal}`]: stored.find((entry) => entry.resource === `/drives/${legal}/root`)?.id,
    });
    const earliest = Math.min(...stored.map((entry) => Date.parse(entry.expirationDateTime ?? "")));
    expect(subscription.expiresAt.getTime()).toBe(earliest);
    // subscriptionDays: 2 asks for an expiry two days out (well inside Graph's drive item maximum).
    expect(earliest - Date.now()).toBeGreaterThan(86_400_000);
  });

  it("renews each drive's subscription with PATCH, and recreates one Graph no longer knows", async () => {
    const first = await pushOf(connector).create(params);
    const hrId = first.data?.[`drive:${hr}`] ?? "";
    const legalId = first.data?.[`drive:${legal}`] ?? "";
    fixture.subscriptions.delete(legalId);
    // As the manager stores it: JSON, so the expiry comes back as a string.
    const stored = JSON.parse(JSON.stringify(first)) as PushSubscription;
    const renewed = await pushOf(connector).renew(stored, params);
    const patches = fixture.api.requests.filter((entry) => entry.method === "PATCH");
    expect(patches.map((entry) => entry.path).sort()).toEqual(
      [`/v1.0/subscriptions/${hrId}`, `/v1.0/subscriptions/${legalId}`].sort(),
    );
    expect(renewed.data?.[`drive:${hr}`]).toBe(hrId);
    const replacement = renewed.data?.[`drive:${legal}`];
    expect(replacement).not.toBe(legalId);
    expect(fixture.subscriptions.has(replacement ?? "")).toBe(true);
    expect(fixture.subscriptions.size).toBe(2);
  });

  it("a drive that left the source loses its subscription on renewal; remove deletes them all", async () => {
    const first = await pushOf(connector).create(params);
    const narrowed = create({ sites: ["hr"], libraries: ["Documents"] });
    const renewed = await pushOf(narrowed).renew(first, params);
    expect(Object.keys(renewed.data ?? {})).toEqual([`drive:${hr}`]);
    expect(fixture.subscriptions.has(first.data?.[`drive:${legal}`] ?? "")).toBe(false);
    await pushOf(narrowed).remove(renewed, signal);
    expect(fixture.subscriptions.size).toBe(0);
    // Removing again: Graph answers 404, which is what was wanted.
    await expect(pushOf(narrowed).remove(renewed, signal)).resolves.toBeUndefined();
  });

  it("a refused creation undoes the subscriptions this pass made", async () => {
    fixture.refuseSubscriptions.add(legal);
    const refused = await pushOf(connector)
      .create(params)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ kind: "auth", status: 403 });
    const posts = fixture.api.requests.filter(
      (entry) => entry.method === "POST" && entry.path === "/v1.0/subscriptions",
    );
    const deletes = fixture.api.requests.filter((entry) => entry.method === "DELETE");
    expect(posts).toHaveLength(2);
    expect(deletes).toHaveLength(1);
    expect(fixture.subscriptions.size).toBe(0);
    const plain = await pushOf(connector)
      .create({ ...params, notificationUrl: "http://plain-http.example.com/hook" })
      .catch((error: unknown) => error);
    expect((plain as Error).message).toContain("NotificationUrl must be https");
  });
});
