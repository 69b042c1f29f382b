import { createHmac } from "node:crypto";
import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confluenceConnector } from "../../packages/connectors/src/confluence/index.js";
import { ConfluenceFixture } from "../../packages/connectors/test/confluence/confluence-fixture.js";
import { CmsSyncHarness } from "../e2e-cms/support/cms-sync-harness.js";
import { WebhookReceiver } from "../e2e-cms/support/webhook-receiver.js";

const EMAIL = "sync-bot@example.com";
const TOKEN = "ATATT3xFfGF0-e2e-api-token";

describe("Confluence Cloud → sync engine → Intercom sandbox, end to end", () => {
  let fixture: ConfluenceFixture;
  let h: CmsSyncHarness;
  let env: Record<string, string>;
  let wiki: SourceConfig;
  const ids = { handbook: "", oncall: "", glossary: "", news: "", secret: "", draftish: "" };

  beforeAll(async () => {
    fixture = await ConfluenceFixture.start("cloud", { basic: [EMAIL, TOKEN] });
    fixture.addSpace("ENG");
    fixture.addSpace("OPS");
    ids.handbook = fixture.create({
      title: "Engineering handbook",
      space: "ENG",
      html: "<p>How we <strong>work</strong>.</p>",
    });
    ids.oncall = fixture.create({
      title: "On call",
      space: "ENG",
      parentId: ids.handbook,
      html: "<p>Page the on-call engineer.</p>",
    });
    ids.glossary = fixture.create({ title: "Glossary", space: "ENG", html: "<p>Terms.</p>", labels: ["kb"] });
    ids.news = fixture.create({
      type: "blogpost",
      title: "Release 2.0",
      space: "ENG",
      html: "<p>Shipped.</p>",
    });
    ids.secret = fixture.create({
      title: "Salaries",
      space: "ENG",
      restricted: true,
      html: "<p>Private.</p>",
    });
    ids.draftish = fixture.create({
      title: "Internal notes",
      space: "ENG",
      labels: ["internal"],
      html: "<p>Not for Fin.</p>",
    });
    fixture.tick(3600);
    env = { CONFLUENCE_E2E_URL: fixture.url, CONFLUENCE_E2E_EMAIL: EMAIL, CONFLUENCE_E2E_TOKEN: TOKEN };
    h = await CmsSyncHarness.start(confluenceConnector);
    wiki = h.source(
      `
      id: confluence-wiki
      type: confluence
      contentImportSource: { url: "https://acme.atlassian.net/wiki" }
      options:
        baseUrl: \${CONFLUENCE_E2E_URL}
        auth: { type: basic, usernameEnv: CONFLUENCE_E2E_EMAIL, passwordEnv: CONFLUENCE_E2E_TOKEN }
        spaces: [ENG, OPS]
        labels: { exclude: [internal] }
        pageSize: 2
      `,
      env,
    );
  });

  afterAll(async () => {
    await h?.close();
    await fixture?.close();
  });

  it("first full sync creates one page per page and blog post in scope (restricted and excluded labels left out)", async () => {
    const summary = await h.run(wiki, env, "full");
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
    expect((await h.pages(wiki)).map((page) => page.external_id)).toEqual(
      [ids.handbook, ids.oncall, ids.glossary, ids.news].sort(),
    );
    const oncall = await h.page(wiki, ids.oncall);
    expect(oncall).toMatchObject({
      title: "On call",
      url: `${fixture.base}/spaces/ENG/pages/${ids.oncall}/On%2Bcall`,
    });
    expect(oncall.html).toContain("Page the on-call engineer.");
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
      unchanged: 4,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0, sourcesCreated: 0 });
  });

  it("an edited page becomes exactly one update on the next incremental run", async () => {
    const before = await h.page(wiki, ids.glossary);
    fixture.tick(120);
    fixture.edit(ids.glossary, { title: "Glossary of terms", html: "<p>Terms and definitions.</p>" });
    await h.resetStats();
    expect(await h.run(wiki, env, "incremental")).toMatchObject({
      created: 0,
      updated: 1,
      deleted: 0,
      failed: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
    const after = await h.page(wiki, ids.glossary);
    expect(after).toMatchObject({ id: before.id, title: "Glossary of terms" });
    expect(after.html).toContain("definitions");
  });

  it("a page moved to another space is one update with its new URL; a new page is one create", async () => {
    fixture.tick(120);
    fixture.edit(ids.oncall, { space: "OPS", parentId: undefined });
    const runbook = fixture.create({ title: "Runbook", space: "OPS", html: "<p>Steps.</p>" });
    await h.resetStats();
    expect(await h.run(wiki, env, "incremental")).toMatchObject({
      created: 1,
      updated: 1,
      deleted: 0,
      failed: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 2, upsertsSucceeded: 2, deletes: 0 });
    expect((await h.page(wiki, ids.oncall)).url).toBe(
      `${fixture.base}/spaces/OPS/pages/${ids.oncall}/On%2Bcall`,
    );
    expect((await h.page(wiki, runbook)).title).toBe("Runbook");
  });

  it("a trashed page is deleted by the next incremental run (Confluence's trash confirms it): exactly one DELETE", async () => {
    fixture.tick(120);
    fixture.trash(ids.news);
    await h.resetStats();
    expect(await h.run(wiki, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 1 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
    expect((await h.pages(wiki)).map((page) => page.external_id)).not.toContain(ids.news);
    await h.resetStats();
    expect(await h.run(wiki, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });

  it("a purged page (no trash left) is removed only by the next complete listing", async () => {
    fixture.tick(120);
    fixture.purge(ids.glossary);
    await h.resetStats();
    expect(await h.run(wiki, env, "incremental")).toMatchObject({ deleted: 0, created: 0, updated: 0 });
    expect(await h.run(wiki, env, "full")).toMatchObject({
      mode: "full",
      deleted: 1,
      created: 0,
      unchanged: 3,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
  });

  it("a refused API token fails the run naming its env var, and deletes nothing", async () => {
    await h.expectRefusedCredential(wiki, env, "CONFLUENCE_E2E_TOKEN", "ATATT-wrong-token");
  });
});

describe("Confluence Data Center → sync engine → Intercom sandbox, with signed webhooks", () => {
  const PAT = "NjQ2MzE3OTk5-e2e-personal-access-token";
  const SECRET = "confluence-dc-webhook-secret";
  let fixture: ConfluenceFixture;
  let h: CmsSyncHarness;
  let env: Record<string, string>;
  let wiki: SourceConfig;

  beforeAll(async () => {
    fixture = await ConfluenceFixture.start("datacenter", { bearer: PAT });
    fixture.addSpace("DOC");
    env = { CONFLUENCE_DC_URL: fixture.url, CONFLUENCE_DC_PAT: PAT, CONFLUENCE_DC_SECRET: SECRET };
    h = await CmsSyncHarness.start(confluenceConnector);
    wiki = h.source(
      `
      id: confluence-dc
      type: confluence
      contentImportSource: { url: "https://wiki.example.com/confluence" }
      webhook: { secretEnv: CONFLUENCE_DC_SECRET }
      options:
        deployment: datacenter
        baseUrl: \${CONFLUENCE_DC_URL}
        auth: { type: bearer, tokenEnv: CONFLUENCE_DC_PAT }
        spaces: [DOC]
        pageSize: 2
      `,
      env,
    );
  });

  afterAll(async () => {
    await h?.close();
    await fixture?.close();
  });

  it("syncs, then reindexes one page per verified webhook and refuses a forged one", async () => {
    const root = fixture.create({ title: "Install guide", space: "DOC", html: "<p>Run the installer.</p>" });
    const faq = fixture.create({ title: "FAQ", space: "DOC", parentId: root, html: "<p>Questions.</p>" });
    fixture.create({ title: "Upgrade", space: "DOC", parentId: root, html: "<p>Back up first.</p>" });
    expect(await h.run(wiki, env, "full")).toMatchObject({ created: 3, updated: 0, deleted: 0, failed: 0 });
    expect(await h.run(wiki, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 0 });

    const receiver = new WebhookReceiver({
      connector: h.connector(wiki, env),
      secret: env[wiki.webhook?.secretEnv ?? ""],
      reindex: (externalIds, deleted) => h.syncDocuments(wiki, env, externalIds, deleted),
    });
    const endpoint = await receiver.start();
    const send = (body: unknown, secret = SECRET) => {
      const rawBody = JSON.stringify(body);
      const signature = createHmac("sha256", secret).update(rawBody).digest("hex");
      return fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature": `sha256=${signature}` },
        body: rawBody,
      });
    };
    try {
      fixture.tick(60);
      fixture.edit(root, { html: "<p>Run the installer as root.</p>" });
      const updated = {
        timestamp: Date.now(),
        event: "page_updated",
        page: { id: Number(root), spaceKey: "DOC" },
      };
      await h.resetStats();
      expect((await send(updated, "forged-secret")).status).toBe(401);
      expect((await receiver.handled(1))[0]).toMatchObject({
        status: 401,
        error: expect.stringContaining("does not match"),
      });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });

      expect((await send(updated)).status).toBe(202);
      const [, edit] = await receiver.handled(2);
      expect(edit?.events).toEqual({ changed: [root], deleted: [] });
      expect(edit?.summary).toMatchObject({ updated: 1, created: 0, deleted: 0, failed: 0 });
      expect((await h.page(wiki, root)).html).toContain("as root");

      fixture.trash(faq);
      await h.resetStats();
      expect(
        (await send({ timestamp: Date.now(), event: "page_trashed", page: { id: Number(faq) } })).status,
      ).toBe(202);
      const [, , trashed] = await receiver.handled(3);
      expect(trashed?.events).toEqual({ changed: [], deleted: [faq] });
      expect(trashed?.summary).toMatchObject({ deleted: 1, updated: 0, created: 0 });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
      expect((await h.pages(wiki)).map((page) => page.external_id)).not.toContain(faq);
    } finally {
      await receiver.close();
    }
  });
});
