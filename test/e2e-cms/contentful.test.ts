import { createHmac } from "node:crypto";
import { contentfulConnector } from "@content-sync/connectors";
import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ContentfulFixture,
  type FixtureEntry,
} from "../../packages/connectors/test/contentful/contentful-fixture.js";
import { CmsSyncHarness } from "./support/cms-sync-harness.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

const DELIVERY_TOKEN = "contentful-e2e-delivery-token";
const PREVIEW_TOKEN = "contentful-e2e-preview-token";
const SPACE = "e2espace";
const WEBHOOK_SECRET = "contentful-e2e-signing-secret-0123456789abcdef0123456789abcdef";

/**
 * Headers of a webhook signed as Contentful's request verification documents it: HMAC-SHA256 (hex)
 * over method, path, the signed headers as sorted `name:value` joined by `;`, and the raw body, joined
 * by newlines. Written out here, independently of the connector's code.
 */
function contentfulSignedHeaders(secret: string, topic: string, path: string, rawBody: string) {
  const timestamp = String(Date.now());
  const signedNames = "x-contentful-signed-headers,x-contentful-timestamp,x-contentful-topic";
  const canonical = [
    "POST",
    path,
    `x-contentful-signed-headers:${signedNames};x-contentful-timestamp:${timestamp};x-contentful-topic:${topic}`,
    rawBody,
  ].join("\n");
  return {
    "content-type": "application/vnd.contentful.management.v1+json",
    "x-contentful-topic": topic,
    "x-contentful-timestamp": timestamp,
    "x-contentful-signed-headers": signedNames,
    "x-contentful-signature": createHmac("sha256", secret).update(canonical).digest("hex"),
  };
}

/** A Rich Text document as the Delivery API serves it (all-locale field values wrap it). */
const richText = (heading: string, text: string, bold: string) => ({
  nodeType: "document",
  data: {},
  content: [
    { nodeType: "heading-2", data: {}, content: [{ nodeType: "text", value: heading, marks: [], data: {} }] },
    {
      nodeType: "paragraph",
      data: {},
      content: [
        { nodeType: "text", value: text, marks: [], data: {} },
        { nodeType: "text", value: bold, marks: [{ type: "bold" }], data: {} },
      ],
    },
  ],
});

const article = (
  id: string,
  title: string,
  body: unknown,
  extra: Partial<FixtureEntry> = {},
): FixtureEntry => ({
  id,
  contentType: "article",
  fields: { title: { "en-US": title }, slug: { "en-US": id }, body: { "en-US": body } },
  ...extra,
});

const ARTICLES = [
  article(
    "getting-started",
    "Getting started",
    richText("Welcome", "Create a workspace, then ", "invite your team"),
  ),
  article("api-keys", "API keys", "# API keys\n\nKeys are shown **once**."),
  article("webhooks", "Webhooks", "Webhooks retry for 24 hours."),
  article("sso", "Single sign-on", "SAML and OIDC are supported."),
];
const DRAFT = article("audit-log", "Audit log", "Coming next quarter.", { status: "draft" });

describe("Contentful → sync engine → Intercom sandbox, end to end", () => {
  let delivery: ContentfulFixture;
  let preview: ContentfulFixture;
  let h: CmsSyncHarness;
  let env: Record<string, string>;
  let help: SourceConfig;

  function contentfulSource(id: string, options: string): SourceConfig {
    return h.source(
      `
      id: ${id}
      type: contentful
      contentImportSource: { url: "https://help.example.com/${id}" }
      webhook: { secretEnv: CF_E2E_WEBHOOK_SECRET }
      options:
        spaceId: ${SPACE}
        urlTemplate: "https://help.example.com/articles/{slug}"
        ${options}
      `,
      env,
    );
  }

  beforeAll(async () => {
    delivery = new ContentfulFixture({ api: "delivery", spaceId: SPACE, token: DELIVERY_TOKEN });
    preview = new ContentfulFixture({ api: "preview", spaceId: SPACE, token: PREVIEW_TOKEN });
    // The same space seen through both APIs: the draft exists only for the Preview API.
    for (const fixture of [delivery, preview]) {
      for (const entry of [...ARTICLES, DRAFT]) fixture.upsertEntry(structuredClone(entry));
    }
    env = {
      CF_E2E_DELIVERY_URL: await delivery.start(),
      CF_E2E_PREVIEW_URL: await preview.start(),
      CF_E2E_TOKEN: DELIVERY_TOKEN,
      CF_E2E_PREVIEW_TOKEN: PREVIEW_TOKEN,
      CF_E2E_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    h = await CmsSyncHarness.start(contentfulConnector);
    help = contentfulSource(
      "contentful-help",
      `accessTokenEnv: CF_E2E_TOKEN
        baseUrl: \${CF_E2E_DELIVERY_URL}`,
    );
  });

  afterAll(async () => {
    await h?.close();
    await delivery?.stop();
    await preview?.stop();
  });

  it("first full sync (initial Sync API) creates exactly one page per published entry", async () => {
    const summary = await h.run(help, env, "full");
    expect(summary).toMatchObject({
      mode: "full",
      created: 4,
      updated: 0,
      deleted: 0,
      failed: 0,
      listingComplete: true,
    });
    expect(await h.writes()).toEqual({
      upserts: 4,
      deletes: 0,
      upsertsSucceeded: 4,
      deletesSucceeded: 0,
      sourcesCreated: 1,
    });
    const pages = await h.pages(help);
    expect(pages.map((page) => page.external_id)).toEqual(["api-keys", "getting-started", "sso", "webhooks"]);
    const started = await h.page(help, "getting-started");
    expect(started).toMatchObject({
      title: "Getting started",
      url: "https://help.example.com/articles/getting-started",
      ai_agent_availability: true,
      ai_copilot_availability: true,
    });
    expect(started.html).toContain("<h2>Welcome</h2>");
    // The official Rich Text renderer writes bold marks as <b>.
    expect(started.html).toContain("<p>Create a workspace, then <b>invite your team</b></p>");
    expect((await h.page(help, "api-keys")).html).toContain("<strong>once</strong>");
  });

  it("second run with nothing changed writes nothing, incremental (sync token) or full", async () => {
    await h.resetStats();
    expect(await h.run(help, env, "incremental")).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(await h.run(help, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 4,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0, sourcesCreated: 0 });
  });

  it("a republished entry becomes exactly one update on the next incremental run", async () => {
    const before = await h.page(help, "webhooks");
    delivery.tick(60);
    delivery.upsertEntry(article("webhooks", "Webhooks and retries", "Webhooks retry for 72 hours."));
    await h.resetStats();
    const summary = await h.run(help, env, "incremental");
    expect(summary).toMatchObject({ mode: "incremental", created: 0, updated: 1, deleted: 0, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
    const after = await h.page(help, "webhooks");
    expect(after).toMatchObject({ id: before.id, title: "Webhooks and retries" });
    expect(after.html).toContain("72 hours");
  });

  it("a DeletedEntry tombstone from the sync delta is exactly one DELETE; so is an unpublished entry", async () => {
    delivery.tick(60);
    delivery.deleteEntry("sso");
    await h.resetStats();
    expect(await h.run(help, env, "incremental")).toMatchObject({ deleted: 1, created: 0, updated: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });

    delivery.unpublishEntry("api-keys");
    await h.resetStats();
    expect(await h.run(help, env, "incremental")).toMatchObject({ deleted: 1, created: 0, updated: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
    expect((await h.pages(help)).map((page) => page.external_id)).toEqual(["getting-started", "webhooks"]);
  });

  it("drafts are synced only by a source that reads the Preview API", async () => {
    const drafts = contentfulSource(
      "contentful-preview",
      `includeDrafts: true
        previewAccessTokenEnv: CF_E2E_PREVIEW_TOKEN
        baseUrl: \${CF_E2E_PREVIEW_URL}`,
    );
    await h.resetStats();
    expect(await h.run(drafts, env, "full")).toMatchObject({ created: 5, updated: 0, deleted: 0, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 5, deletes: 0, sourcesCreated: 1 });
    expect((await h.pages(drafts)).map((page) => page.external_id)).toEqual([
      "api-keys",
      "audit-log",
      "getting-started",
      "sso",
      "webhooks",
    ]);
    expect(await h.page(drafts, "audit-log")).toMatchObject({
      title: "Audit log",
      url: "https://help.example.com/articles/audit-log",
    });
    expect((await h.pages(help)).map((page) => page.external_id)).not.toContain("audit-log");
  });

  it("a wrong Delivery token fails the run naming its env var, and deletes nothing", async () => {
    await h.expectRefusedCredential(help, env, "CF_E2E_TOKEN", "not-the-delivery-token");
  });

  it("signed Entry.publish and Entry.delete webhooks reindex one entry each; a tampered body writes nothing", async () => {
    const receiver = new WebhookReceiver({
      connector: h.connector(help, env),
      secret: env[help.webhook?.secretEnv ?? ""],
      reindex: (externalIds, deleted) => h.syncDocuments(help, env, externalIds, deleted),
    });
    const endpoint = await receiver.start();
    const path = new URL(endpoint).pathname;
    const entryBody = (id: string) => JSON.stringify({ sys: { id, type: "Entry", revision: 3 }, fields: {} });
    const send = (topic: string, rawBody: string, signedBody = rawBody) =>
      fetch(endpoint, {
        method: "POST",
        headers: contentfulSignedHeaders(WEBHOOK_SECRET, topic, path, signedBody),
        body: rawBody,
      });
    try {
      delivery.tick(60);
      delivery.upsertEntry(
        article(
          "getting-started",
          "Getting started",
          richText("Welcome", "Create a workspace, then ", "add a source"),
        ),
      );
      await h.resetStats();
      const tampered = await send(
        "ContentManagement.Entry.publish",
        entryBody("webhooks"),
        entryBody("getting-started"),
      );
      expect(tampered.status).toBe(401);
      const [refused] = await receiver.handled(1);
      expect(refused).toMatchObject({
        status: 401,
        error: expect.stringContaining("signature does not match"),
      });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });

      expect((await send("ContentManagement.Entry.publish", entryBody("getting-started"))).status).toBe(202);
      const [, published] = await receiver.handled(2);
      expect(published?.events).toEqual({ changed: ["getting-started"], deleted: [] });
      expect(published?.summary).toMatchObject({
        mode: "documents",
        updated: 1,
        created: 0,
        deleted: 0,
        failed: 0,
      });
      expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
      expect((await h.page(help, "getting-started")).html).toContain("<b>add a source</b>");

      delivery.deleteEntry("webhooks");
      await h.resetStats();
      expect((await send("ContentManagement.Entry.delete", entryBody("webhooks"))).status).toBe(202);
      const [, , deleted] = await receiver.handled(3);
      expect(deleted?.events).toEqual({ changed: [], deleted: ["webhooks"] });
      expect(deleted?.summary).toMatchObject({ deleted: 1, updated: 0, created: 0 });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
      expect((await h.pages(help)).map((page) => page.external_id)).toEqual(["getting-started"]);
    } finally {
      await receiver.close();
    }
  });
});
