import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Connector, WebhookRequest } from "../../src/contract.js";
import { ConnectorError, WebhookPayloadError, WebhookVerificationError } from "../../src/errors.js";
import { googleDriveConnector } from "../../src/google-drive/index.js";
import { DriveFixture } from "./drive-fixture.js";

const SECRET = "drive-channel-token-5f2c9a";
const logger = pino({ level: "silent" });
const HANDBOOK = "0AHandbookDrive01";
const SALES = "0ASalesDrive00001";
const ADDRESS = "https://sync.acme.example/webhooks/drive-docs";

/** A notification as Drive posts it: an empty body, everything in X-Goog-* headers. */
function notification(
  state: string | undefined,
  options: { token?: string | null; number?: string; channel?: string; secret?: string | undefined } = {},
): WebhookRequest {
  const token = options.token === null ? undefined : (options.token ?? SECRET);
  return {
    headers: {
      "x-goog-channel-id": options.channel ?? "4ba78bf0-6a47-11e2-bcfd-0800200c9a66",
      ...(token === undefined ? {} : { "x-goog-channel-token": token }),
      ...(state === undefined ? {} : { "x-goog-resource-state": state }),
      "x-goog-message-number": options.number ?? "10",
      "x-goog-resource-id": "ret08u3rv24htgh289g",
      "x-goog-resource-uri": "https://www.googleapis.com/drive/v3/changes?pageToken=42",
      "x-goog-channel-expiration": "Fri, 04 Dec 2026 10:00:00 GMT",
    },
    rawBody: Buffer.alloc(0),
    query: {},
    secret: "secret" in options ? options.secret : SECRET,
    now: new Date(),
    method: "POST",
  };
}

const webhookOf = () => {
  const connector = googleDriveConnector.create(
    googleDriveConnector.optionsSchema.parse({ serviceAccountKeyEnv: "DRIVE_KEY", myDrive: true }),
    {
      sourceId: "drive-docs",
      logger,
      env: { DRIVE_KEY: JSON.stringify({ client_email: "a@b.c", private_key: "k" }) },
    },
  );
  if (!connector.webhook) throw new Error("no webhook handler");
  return connector.webhook;
};

describe("google-drive webhook", () => {
  it("accepts the channel's sync message and queues nothing", () => {
    const webhook = webhookOf();
    const request = notification("sync", { number: "1" });
    expect(() => webhook.verify(request)).not.toThrow();
    expect(webhook.parse(request)).toEqual({ changed: [], deleted: [] });
  });

  it("turns a change message into one incremental run (Drive names no files)", () => {
    const webhook = webhookOf();
    for (const state of ["change", "update", "remove"]) {
      const request = notification(state);
      webhook.verify(request);
      expect(webhook.parse(request)).toEqual({ changed: [], deleted: [], resync: true });
    }
  });

  it("refuses a wrong or missing channel token, and any notification while no secret is configured", () => {
    const webhook = webhookOf();
    expect(() => webhook.verify(notification("change", { token: "guessed" }))).toThrow(
      new WebhookVerificationError("x-goog-channel-token does not match this source's webhook secret"),
    );
    expect(() => webhook.verify(notification("change", { token: null }))).toThrow(
      new WebhookVerificationError("Drive notification has no x-goog-channel-token header"),
    );
    expect(() => webhook.verify(notification("change", { secret: undefined }))).toThrow(
      WebhookVerificationError,
    );
  });

  it("names each delivery by channel and message number, so a replayed message is recognised", () => {
    const webhook = webhookOf();
    const first = notification("change", { number: "11" });
    const replay = notification("change", { number: "11" });
    const next = notification("change", { number: "12" });
    const otherChannel = notification("change", {
      number: "11",
      channel: "8e3a1c52-0b7d-4f1e-9c0a-2d6b5e4f3a21",
    });
    expect(webhook.deliveryId?.(first)).toBe("4ba78bf0-6a47-11e2-bcfd-0800200c9a66:11");
    expect(webhook.deliveryId?.(replay)).toBe(webhook.deliveryId?.(first));
    expect(webhook.deliveryId?.(next)).not.toBe(webhook.deliveryId?.(first));
    expect(webhook.deliveryId?.(otherChannel)).not.toBe(webhook.deliveryId?.(first));
    expect(webhook.deliveryId?.(notification("change", { number: "" }))).toBeUndefined();
  });

  it("rejects a verified notification without a resource state", () => {
    const webhook = webhookOf();
    const request = notification(undefined);
    webhook.verify(request);
    expect(() => webhook.parse(request)).toThrow(
      new WebhookPayloadError("Drive notification has no x-goog-resource-state header"),
    );
  });
});

describe("google-drive push channels (changes.watch)", () => {
  let drive: DriveFixture;
  let connector: Connector;
  const signal = new AbortController().signal;
  const params = () => ({ notificationUrl: ADDRESS, clientState: SECRET, signal });

  beforeEach(async () => {
    drive = await DriveFixture.start();
    drive.addDrive(HANDBOOK);
    const folder = drive.addFolder("Support");
    connector = googleDriveConnector.create(
      googleDriveConnector.optionsSchema.parse({
        serviceAccountKeyEnv: "DRIVE_KEY",
        baseUrl: drive.url,
        tokenUrl: drive.tokenUrl,
        drives: [HANDBOOK],
        folders: [folder],
        channelHours: 12,
      }),
      { sourceId: "drive-docs", logger, env: { DRIVE_KEY: drive.serviceAccountKey } },
    );
  });
  afterEach(async () => {
    await drive.close();
  });

  const push = () => {
    if (!connector.push) throw new Error("no push handler");
    return connector.push;
  };

  it("creates one web_hook channel per part, on a fresh start page token, with the secret as channel token", async () => {
    const before = Date.now();
    const subscription = await push().create(params());
    expect(
      [...drive.channels.values()].map((channel) => [channel.driveId, channel.address, channel.token]),
    ).toEqual([
      [HANDBOOK, ADDRESS, SECRET],
      [undefined, ADDRESS, SECRET],
    ]);
    const watches = drive.api.requestsTo("/drive/v3/changes/watch");
    expect(watches.map((request) => request.query.get("pageToken"))).toEqual([
      drive.startPageToken,
      drive.startPageToken,
    ]);
    expect(JSON.parse(watches[0]?.body ?? "{}")).toMatchObject({
      type: "web_hook",
      address: ADDRESS,
      token: SECRET,
    });
    const channels = JSON.parse(subscription.data?.channels ?? "[]") as {
      id: string;
      resourceId: string;
      part: string;
    }[];
    expect(channels.map((channel) => channel.part)).toEqual([`drive:${HANDBOOK}`, "user"]);
    expect(channels.map((channel) => channel.id)).toEqual([...drive.channels.keys()]);
    expect(subscription.id).toBe(channels[0]?.id);
    const expiresAt = new Date(subscription.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 12 * 3_600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 12 * 3_600_000);
  });

  it("renews by creating new channels and then stopping the old ones", async () => {
    const old = await push().create(params());
    const oldIds = new Set(drive.channels.keys());
    const renewed = await push().renew(JSON.parse(JSON.stringify(old)), params());
    expect(renewed.id).not.toBe(old.id);
    expect(drive.channels.size).toBe(2);
    for (const id of drive.channels.keys()) expect(oldIds.has(id)).toBe(false);
    const stops = drive.api.requestsTo("/drive/v3/channels/stop").map((request) => JSON.parse(request.body));
    expect(stops).toEqual(
      JSON.parse(old.data?.channels ?? "[]").map((c: { id: string; resourceId: string }) => ({
        id: c.id,
        resourceId: c.resourceId,
      })),
    );
  });

  it("removes every channel with channels.stop", async () => {
    const subscription = await push().create(params());
    await push().remove(subscription, signal);
    expect(drive.channels.size).toBe(0);
    expect(drive.api.requestsTo("/drive/v3/channels/stop")).toHaveLength(2);
  });

  it("stops what it created when a later part cannot be watched, and says why", async () => {
    drive.addDrive(SALES);
    drive.refuse(SALES);
    const twoDrives = googleDriveConnector.create(
      googleDriveConnector.optionsSchema.parse({
        serviceAccountKeyEnv: "DRIVE_KEY",
        baseUrl: drive.url,
        tokenUrl: drive.tokenUrl,
        drives: [HANDBOOK, SALES],
      }),
      { sourceId: "drive-docs", logger, env: { DRIVE_KEY: drive.serviceAccountKey } },
    );
    const error = await twoDrives.push?.create(params()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).kind).toBe("auth");
    // The first drive's channel was created, then stopped: no half subscription keeps delivering.
    expect(drive.api.requestsTo("/drive/v3/changes/watch")).toHaveLength(1);
    expect(drive.api.requestsTo("/drive/v3/channels/stop")).toHaveLength(1);
    expect(drive.channels.size).toBe(0);
  });

  it("refuses a stored subscription that lists no channels", async () => {
    await expect(push().remove({ id: "x", expiresAt: new Date() }, signal)).rejects.toThrow(
      'source "drive-docs": the stored Drive subscription x lists no channels (data.channels)',
    );
  });
});
