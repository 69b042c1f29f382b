import { strapiConnector } from "@content-sync/connectors";
import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureEntry, StrapiFixture } from "../../packages/connectors/test/strapi/strapi-fixture.js";
import { CmsSyncHarness } from "./support/cms-sync-harness.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

const API_TOKEN = "strapi-e2e-token";
const WEBHOOK_SECRET = "strapi-e2e-webhook-secret";
const setupBlocks = [
  { type: "heading", level: 2, children: [{ type: "text", text: "Setup" }] },
  {
    type: "paragraph",
    children: [
      { type: "text", text: "Run the " },
      { type: "text", text: "installer", bold: true },
    ],
  },
];

describe.each(["v4", "v5"] as const)("Strapi %s → sync engine → Intercom sandbox, end to end", (version) => {
  let fixture: StrapiFixture;
  let h: CmsSyncHarness;
  let env: Record<string, string>;
  let articles: SourceConfig;
  const entries: Record<"install" | "setup" | "billing" | "refunds" | "roadmap", FixtureEntry> = {} as never;
  /** Strapi stamps `updatedAt` with its clock: edits made during the test are newer than any cursor. */
  const now = () => new Date().toISOString();
  const idOf = (entry: FixtureEntry) =>
    version === "v4" ? `articles:${entry.id}` : `articles:${entry.documentId}`;
  const edit = (entry: FixtureEntry, fields: Record<string, unknown>) => {
    Object.assign(entry.fields, fields);
    entry.updatedAt = now();
    if (entry.publishedAt !== null) entry.publishedAt = entry.updatedAt;
  };

  function articlesSource(id: string, extraOptions = "", extraSource = ""): SourceConfig {
    return h.source(
      `
      id: ${id}
      type: strapi
      contentImportSource: { url: "https://help.example.com/${id}" }
      webhook: { secretEnv: STRAPI_E2E_WEBHOOK_SECRET }
      options:
        baseUrl: \${STRAPI_E2E_URL}
        version: ${version}
        apiTokenEnv: STRAPI_E2E_TOKEN
        contentTypes:
          - pluralApiId: articles
            singularApiId: article
            bodyField: body
            urlTemplate: "https://help.example.com/articles/{slug}"
            labelFields: [tags]
        ${extraOptions}
      ${extraSource}
      `,
      env,
    );
  }

  beforeAll(async () => {
    fixture = new StrapiFixture(version);
    fixture.token = API_TOKEN;
    const baseUrl = await fixture.start();
    const published = () => ({ updatedAt: now() });
    entries.install = fixture.add(
      "articles",
      {
        title: "Install the app",
        slug: "install",
        body: "# Install\n\nDownload the **installer**.",
        tags: ["setup"],
      },
      published(),
    );
    entries.setup = fixture.add(
      "articles",
      { title: "First setup", slug: "setup", body: setupBlocks },
      published(),
    );
    entries.billing = fixture.add(
      "articles",
      { title: "Billing", slug: "billing", body: "Invoices are sent monthly." },
      published(),
    );
    entries.refunds = fixture.add(
      "articles",
      { title: "Refunds", slug: "refunds", body: "Refunds take 5 days." },
      published(),
    );
    entries.roadmap = fixture.add(
      "articles",
      { title: "Roadmap", slug: "roadmap", body: "Coming soon." },
      { updatedAt: now(), published: false },
    );
    h = await CmsSyncHarness.start(strapiConnector);
    env = { STRAPI_E2E_URL: baseUrl, STRAPI_E2E_TOKEN: API_TOKEN, STRAPI_E2E_WEBHOOK_SECRET: WEBHOOK_SECRET };
    articles = articlesSource("strapi-articles");
  });

  afterAll(async () => {
    await h?.close();
    await fixture?.close();
  });

  it("first full sync creates exactly one page per published entry, Markdown and blocks rendered", async () => {
    const summary = await h.run(articles, env, "full");
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
    const pages = await h.pages(articles);
    expect(pages.map((page) => page.external_id)).toEqual(
      [entries.install, entries.setup, entries.billing, entries.refunds].map(idOf).sort(),
    );
    const install = await h.page(articles, idOf(entries.install));
    expect(install).toMatchObject({
      title: "Install the app",
      url: "https://help.example.com/articles/install",
      ai_agent_availability: true,
      ai_copilot_availability: true,
    });
    expect(install.html).toContain("<strong>installer</strong>");
    const setup = await h.page(articles, idOf(entries.setup));
    expect(setup.html).toContain("<h2>Setup</h2>");
    expect(setup.html).toContain("<strong>installer</strong>");
    expect(pages.map((page) => page.external_id)).not.toContain(idOf(entries.roadmap));
  });

  it("second run with nothing changed writes nothing, incremental or full", async () => {
    await h.resetStats();
    expect(await h.run(articles, env, "incremental")).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(await h.run(articles, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 4,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0, sourcesCreated: 0 });
  });

  it("an edited entry becomes exactly one update on the next incremental run", async () => {
    const before = await h.page(articles, idOf(entries.billing));
    edit(entries.billing, {
      title: "Billing and invoices",
      body: "Invoices are sent on the 1st of each month.",
    });
    await h.resetStats();
    const summary = await h.run(articles, env, "incremental");
    expect(summary).toMatchObject({ mode: "incremental", created: 0, updated: 1, deleted: 0, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
    const after = await h.page(articles, idOf(entries.billing));
    expect(after).toMatchObject({ id: before.id, title: "Billing and invoices" });
    expect(after.html).toContain("1st of each month");
  });

  it("a deleted entry (Strapi keeps no tombstone) is removed by the next full run: exactly one DELETE", async () => {
    fixture.remove("articles", entries.refunds.id);
    await h.resetStats();
    expect(await h.run(articles, env, "incremental")).toMatchObject({ deleted: 0, created: 0, updated: 0 });
    const full = await h.run(articles, env, "full");
    expect(full).toMatchObject({ mode: "full", deleted: 1, created: 0, updated: 0, unchanged: 3 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
    expect((await h.pages(articles)).map((page) => page.external_id)).toEqual(
      [entries.install, entries.setup, entries.billing].map(idOf).sort(),
    );
  });

  it("drafts are synced only by a source configured with includeDrafts, and only unpublished ones count as drafts", async () => {
    const previews = articlesSource(
      "strapi-previews",
      "includeDrafts: true",
      `rules:
        availability:
          - match: { status: draft }
            aiAgent: false`,
    );
    await h.resetStats();
    expect(await h.run(previews, env, "full")).toMatchObject({
      created: 4,
      updated: 0,
      deleted: 0,
      failed: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 4, deletes: 0, sourcesCreated: 1 });
    expect((await h.pages(previews)).map((page) => page.external_id)).toEqual(
      [entries.install, entries.setup, entries.billing, entries.roadmap].map(idOf).sort(),
    );
    expect(await h.page(previews, idOf(entries.roadmap))).toMatchObject({
      title: "Roadmap",
      url: "https://help.example.com/articles/roadmap",
      ai_agent_availability: false,
      ai_copilot_availability: true,
    });
    // v5 lists every document as its draft version: the published ones must still not match the rule.
    for (const entry of [entries.install, entries.setup, entries.billing]) {
      expect(await h.page(previews, idOf(entry))).toMatchObject({
        ai_agent_availability: true,
        ai_copilot_availability: true,
      });
    }
    expect((await h.pages(articles)).map((page) => page.external_id)).not.toContain(idOf(entries.roadmap));
  });

  it("a wrong API token fails the run naming its env var, and deletes nothing", async () => {
    await h.expectRefusedCredential(articles, env, "STRAPI_E2E_TOKEN", "not-the-token");
  });

  it("entry.* webhooks with the configured secret header reindex one entry; a wrong header writes nothing", async () => {
    const receiver = new WebhookReceiver({
      connector: h.connector(articles, env),
      secret: env[articles.webhook?.secretEnv ?? ""],
      reindex: (externalIds, deleted) => h.syncDocuments(articles, env, externalIds, deleted),
    });
    const endpoint = await receiver.start();
    const send = (authorization: string, event: string, entry: FixtureEntry) =>
      fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: JSON.stringify({
          event,
          model: "article",
          uid: "api::article.article",
          entry: { id: entry.id, documentId: entry.documentId, locale: entry.locale, ...entry.fields },
        }),
      });
    try {
      edit(entries.install, { body: "# Install\n\nDownload the installer from the *Downloads* page." });
      await h.resetStats();
      expect((await send("Bearer wrong-secret", "entry.update", entries.install)).status).toBe(401);
      const [refused] = await receiver.handled(1);
      expect(refused).toMatchObject({ status: 401, error: expect.stringContaining("authorization") });
      expect(refused?.summary).toBeUndefined();
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });

      expect((await send(`Bearer ${WEBHOOK_SECRET}`, "entry.update", entries.install)).status).toBe(202);
      const [, updated] = await receiver.handled(2);
      expect(updated?.events).toEqual({ changed: [idOf(entries.install)], deleted: [] });
      expect(updated?.summary).toMatchObject({
        mode: "documents",
        updated: 1,
        created: 0,
        deleted: 0,
        failed: 0,
      });
      expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
      expect((await h.page(articles, idOf(entries.install))).html).toContain("<em>Downloads</em>");

      fixture.remove("articles", entries.setup.id);
      await h.resetStats();
      expect((await send(WEBHOOK_SECRET, "entry.delete", entries.setup)).status).toBe(202);
      const [, , deleted] = await receiver.handled(3);
      expect(deleted?.events).toEqual({ changed: [], deleted: [idOf(entries.setup)] });
      expect(deleted?.summary).toMatchObject({ deleted: 1, updated: 0, created: 0 });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
      expect((await h.pages(articles)).map((page) => page.external_id)).toEqual(
        [entries.install, entries.billing].map(idOf).sort(),
      );
    } finally {
      await receiver.close();
    }
  });
});
