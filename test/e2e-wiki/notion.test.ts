import { createHmac } from "node:crypto";
import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notionConnector } from "../../packages/connectors/src/notion/index.js";
import {
  block,
  NotionFixture,
  paragraph,
  text,
} from "../../packages/connectors/test/notion/notion-fixture.js";
import { CmsSyncHarness } from "../e2e-cms/support/cms-sync-harness.js";
import { WebhookReceiver } from "../e2e-cms/support/webhook-receiver.js";

const TOKEN = "ntn_e2e_integration_token_5150";
const SECRET = "secret_e2e_notion_verification_token";

describe("Notion → sync engine → Intercom sandbox, end to end", () => {
  let fixture: NotionFixture;
  let h: CmsSyncHarness;
  let env: Record<string, string>;
  let wiki: SourceConfig;
  const ids = { handbook: "", oncall: "", glossary: "", faqLogin: "", faqReset: "", elsewhere: "" };

  /** Edits from now on happen on the real clock, after the cursor of the run before them. */
  const editNow = () => {
    fixture.now = new Date(Date.now() + 60_000);
  };

  beforeAll(async () => {
    fixture = await NotionFixture.start(TOKEN);
    ids.handbook = fixture.addPage({
      title: "Engineering handbook",
      content: [
        block("heading_1", { rich_text: [text("How we work")], color: "default", is_toggleable: false }),
        paragraph(text("We ship "), text("small", { bold: true }), text(" changes.")),
      ],
    });
    ids.oncall = fixture.addPage({
      title: "On call",
      parent: { page: ids.handbook },
      content: [
        block("bulleted_list_item", { rich_text: [text("Page the on-call engineer.")], color: "default" }),
      ],
    });
    ids.glossary = fixture.addPage({
      title: "Glossary",
      parent: { page: ids.handbook },
      content: [paragraph(text("Terms."))],
    });
    const faq = fixture.addDatabase("FAQ");
    ids.faqLogin = fixture.addPage({
      title: "How do I log in?",
      parent: { dataSource: faq.dataSourceId },
      tags: ["auth"],
      content: [paragraph(text("Use SSO."))],
    });
    ids.faqReset = fixture.addPage({
      title: "How do I reset my password?",
      parent: { dataSource: faq.dataSourceId },
      content: [paragraph(text("Ask IT."))],
    });
    ids.elsewhere = fixture.addPage({ title: "Personal notes", content: [paragraph(text("Not for Fin."))] });
    fixture.tick(3600);
    env = { NOTION_E2E_URL: fixture.url, NOTION_E2E_TOKEN: TOKEN, NOTION_E2E_WEBHOOK_SECRET: SECRET };
    h = await CmsSyncHarness.start(notionConnector);
    wiki = h.source(
      `
      id: notion-wiki
      type: notion
      contentImportSource: { url: "https://www.notion.so/acme" }
      webhook: { secretEnv: NOTION_E2E_WEBHOOK_SECRET }
      options:
        tokenEnv: NOTION_E2E_TOKEN
        baseUrl: \${NOTION_E2E_URL}
        pages: [${ids.handbook.replace(/-/g, "")}]
        databases: [${faq.databaseId}]
        pageSize: 2
      `,
      env,
    );
  });

  afterAll(async () => {
    await h?.close();
    await fixture?.close();
  });

  it("first full sync creates one page per page and database row in scope (pages outside it left out)", async () => {
    const summary = await h.run(wiki, env, "full");
    expect(summary).toMatchObject({
      mode: "full",
      created: 5,
      updated: 0,
      deleted: 0,
      failed: 0,
      listingComplete: true,
    });
    expect(await h.writes()).toEqual({
      upserts: 5,
      deletes: 0,
      upsertsSucceeded: 5,
      deletesSucceeded: 0,
      sourcesCreated: 1,
    });
    expect((await h.pages(wiki)).map((page) => page.external_id)).toEqual(
      [ids.handbook, ids.oncall, ids.glossary, ids.faqLogin, ids.faqReset].sort(),
    );
    const oncall = await h.page(wiki, ids.oncall);
    expect(oncall).toMatchObject({
      title: "On call",
      url: `https://www.notion.so/On-call-${ids.oncall.replace(/-/g, "")}`,
    });
    expect(oncall.html).toContain("Page the on-call engineer.");
    expect((await h.page(wiki, ids.handbook)).html).toContain("<strong>small</strong>");
  });

  it("a second run with nothing changed writes nothing, incremental or full", async () => {
    await h.resetStats();
    expect(await h.run(wiki, env, "incremental")).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(await h.run(wiki, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 5,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0, sourcesCreated: 0 });
  });

  it("an edited page is one update and a new sub-page one create on the next incremental run; re-running writes nothing", async () => {
    editNow();
    fixture.edit(ids.glossary, {
      title: "Glossary of terms",
      content: [paragraph(text("Terms and definitions."))],
    });
    const runbook = fixture.addPage({
      title: "Runbook",
      parent: { page: ids.oncall },
      content: [paragraph(text("Steps."))],
    });
    await h.resetStats();
    expect(await h.run(wiki, env, "incremental")).toMatchObject({
      created: 1,
      updated: 1,
      deleted: 0,
      failed: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 2, upsertsSucceeded: 2, deletes: 0 });
    const glossary = await h.page(wiki, ids.glossary);
    expect(glossary.title).toBe("Glossary of terms");
    expect(glossary.html).toContain("definitions");
    expect((await h.page(wiki, runbook)).title).toBe("Runbook");
    // The fresh edits are still inside the overlap window: read again, hashed, and not written.
    await h.resetStats();
    expect(await h.run(wiki, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });

  it("an edited database row is one update; a page moved out of scope is deleted with its sub-page", async () => {
    editNow();
    fixture.edit(ids.faqReset, { content: [paragraph(text("Use the self-service portal."))] });
    fixture.edit(ids.oncall, { parent: "workspace" });
    await h.resetStats();
    // The runbook under "On call" left the scope with it (it is still inside the change window).
    expect(await h.run(wiki, env, "incremental")).toMatchObject({
      created: 0,
      updated: 1,
      deleted: 2,
      failed: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 1, deletes: 2, deletesSucceeded: 2 });
    expect((await h.page(wiki, ids.faqReset)).html).toContain("self-service portal");
    expect(await h.run(wiki, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 4,
    });
  });

  it("a trashed or purged page leaves search: the next complete listing deletes it, exactly once", async () => {
    editNow();
    fixture.trash(ids.faqLogin);
    fixture.purge(ids.glossary);
    await h.resetStats();
    expect(await h.run(wiki, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(await h.run(wiki, env, "full")).toMatchObject({
      mode: "full",
      created: 0,
      updated: 0,
      deleted: 2,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 2, deletesSucceeded: 2 });
    expect((await h.pages(wiki)).map((page) => page.external_id).sort()).toEqual(
      [ids.handbook, ids.faqReset].sort(),
    );
    await h.resetStats();
    expect(await h.run(wiki, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 2,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });

  it("reindexes one page per verified webhook, deletes on page.deleted, and refuses a forged one", async () => {
    const receiver = new WebhookReceiver({
      connector: h.connector(wiki, env),
      secret: env[wiki.webhook?.secretEnv ?? ""],
      reindex: (externalIds, deleted) => h.syncDocuments(wiki, env, externalIds, deleted),
    });
    const endpoint = await receiver.start();
    const send = (type: string, id: string, secret = SECRET) => {
      const rawBody = JSON.stringify({
        id: `evt-${type}`,
        timestamp: new Date().toISOString(),
        type,
        entity: { id, type: "page" },
        api_version: "2025-09-03",
        attempt_number: 1,
      });
      const signature = createHmac("sha256", secret).update(rawBody).digest("hex");
      return fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", "x-notion-signature": `sha256=${signature}` },
        body: rawBody,
      });
    };
    try {
      editNow();
      fixture.edit(ids.handbook, { content: [paragraph(text("We ship small changes, daily."))] });
      await h.resetStats();
      expect((await send("page.content_updated", ids.handbook, "forged-token")).status).toBe(401);
      expect((await receiver.handled(1))[0]).toMatchObject({
        status: 401,
        error: expect.stringContaining("does not match"),
      });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });

      expect((await send("page.content_updated", ids.handbook)).status).toBe(202);
      const [, edit] = await receiver.handled(2);
      expect(edit?.events).toEqual({ changed: [ids.handbook], deleted: [] });
      expect(edit?.summary).toMatchObject({ updated: 1, created: 0, deleted: 0, failed: 0 });
      expect((await h.page(wiki, ids.handbook)).html).toContain("daily");

      fixture.trash(ids.faqReset);
      await h.resetStats();
      expect((await send("page.deleted", ids.faqReset)).status).toBe(202);
      const [, , deleted] = await receiver.handled(3);
      expect(deleted?.events).toEqual({ changed: [], deleted: [ids.faqReset] });
      expect(deleted?.summary).toMatchObject({ deleted: 1, updated: 0, created: 0 });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
      expect((await h.pages(wiki)).map((page) => page.external_id)).toEqual([ids.handbook]);
    } finally {
      await receiver.close();
    }
  });

  it("a refused integration token fails the run naming its env var, and deletes nothing", async () => {
    await h.expectRefusedCredential(wiki, env, "NOTION_E2E_TOKEN", "ntn_wrong_token");
  });
});
