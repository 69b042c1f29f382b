import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confluenceConnector } from "../../packages/connectors/src/confluence/index.js";
import { ConfluenceFixture } from "../../packages/connectors/test/confluence/confluence-fixture.js";
import { CmsSyncHarness } from "../e2e-cms/support/cms-sync-harness.js";

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
