import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphConnector } from "../../packages/connectors/src/graph/index.js";
import { GraphFixture } from "../../packages/connectors/test/graph/graph-fixture.js";
import { buildSampleDocx } from "../../packages/connectors/test/transforms/sample-documents.js";
import { CmsSyncHarness } from "../e2e-cms/support/cms-sync-harness.js";

const SECRET = "Qx8Q~e2e.sharepoint.client.secret~42";
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

// The Graph fixture (token endpoint, delta feeds, 302 downloads, site pages) → the engine → the Intercom sandbox.
describe("SharePoint / OneDrive (Graph fixture) → sync engine → Intercom sandbox, end to end", () => {
  let fixture: GraphFixture;
  let h: CmsSyncHarness;
  let env: Record<string, string>;
  let docs: SourceConfig;
  let hr: string;
  let onedrive: string;
  const ids = { expenses: "", leave: "", welcome: "", broken: "", manual: "", faq: "", page: "", added: "" };
  const fileId = (drive: string, item: string) => `${drive}:${item}`;

  beforeAll(async () => {
    fixture = await GraphFixture.start(SECRET);
    hr = fixture.addDrive("Documents", { site: "hr" });
    ids.expenses = fixture.addFile(hr, "Policies/Expenses.docx", await buildSampleDocx(), DOCX);
    ids.leave = fixture.addFile(
      hr,
      "Policies/Leave.md",
      "# Leave\n\nEveryone gets 25 days.",
      "text/markdown",
    );
    ids.welcome = fixture.addFile(
      hr,
      "Handbook/Welcome.html",
      "<html><body><h1>Welcome</h1><p>Glad you are here.</p></body></html>",
      "text/html",
    );
    // Claims to be a Word document, is not one: the conversion fails, the file is reported.
    ids.broken = fixture.addFile(
      hr,
      "Policies/Broken.docx",
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]),
      DOCX,
    );
    ids.manual = fixture.addFile(
      hr,
      "Media/Training.pdf",
      new Uint8Array(200_000).fill(0x20),
      "application/pdf",
    );
    onedrive = fixture.addDrive("OneDrive", { user: "adele@contoso.com" });
    ids.faq = fixture.addFile(onedrive, "Notes/FAQ.txt", "Ask the help desk first.", "text/plain");
    ids.page = fixture.addSitePage("hr", {
      name: "Benefits.aspx",
      title: "Benefits",
      html: ["<h2>Health</h2>", "<p>Full cover from day one.</p>"],
    });
    env = { SP_E2E_GRAPH: fixture.baseUrl, SP_E2E_TOKEN_URL: fixture.tokenUrl, SP_E2E_SECRET: SECRET };
    h = await CmsSyncHarness.start(graphConnector);
    docs = h.source(
      `
      id: sharepoint-docs
      type: sharepoint
      contentImportSource: { url: "https://contoso.sharepoint.com/sites/hr" }
      options:
        tenantId: ${GraphFixture.tenant}
        clientId: ${GraphFixture.clientId}
        clientSecretEnv: SP_E2E_SECRET
        baseUrl: \${SP_E2E_GRAPH}
        tokenUrl: \${SP_E2E_TOKEN_URL}
        sites: [hr]
        users: [adele@contoso.com]
        sitePages: true
        pageSize: 2
        maxFileSize: 100000
      `,
      env,
    );
  });

  afterAll(async () => {
    await h?.close();
    await fixture?.close();
  });

  it("first full sync: one page per file and site page; the corrupt DOCX and the oversize PDF reported, not synced", async () => {
    const summary = await h.run(docs, env, "full");
    expect(summary).toMatchObject({
      mode: "full",
      created: 5,
      updated: 0,
      deleted: 0,
      failed: 2,
      listingComplete: true,
    });
    expect(summary.failures.map((failure) => failure.externalId).sort()).toEqual(
      [fileId(hr, ids.broken), fileId(hr, ids.manual)].sort(),
    );
    const oversize = summary.failures.find((failure) => failure.externalId === fileId(hr, ids.manual));
    expect(oversize?.reason).toContain("Documents/Media/Training.pdf is 200000 bytes");
    expect(await h.writes()).toMatchObject({
      upserts: 5,
      upsertsSucceeded: 5,
      deletes: 0,
      sourcesCreated: 1,
    });
    expect((await h.pages(docs)).map((page) => page.external_id).sort()).toEqual(
      [
        fileId(hr, ids.expenses),
        fileId(hr, ids.leave),
        fileId(hr, ids.welcome),
        fileId(onedrive, ids.faq),
        `sitepage:hr:${ids.page}`,
      ].sort(),
    );
    const expenses = await h.page(docs, fileId(hr, ids.expenses));
    expect(expenses).toMatchObject({
      title: "Expenses",
      url: "https://contoso.sharepoint.com/sites/hr/Documents/Policies/Expenses.docx",
    });
    expect(expenses.html).toContain("30 days");
    expect((await h.page(docs, `sitepage:hr:${ids.page}`)).html).toContain("Full cover from day one.");
    // Every body came from the download host, which refuses requests carrying the bearer token.
    expect(fixture.downloads.requests.length).toBeGreaterThanOrEqual(5);
    expect(fixture.downloads.requests.every((request) => request.headers.authorization === undefined)).toBe(
      true,
    );
  });

  it("a second run, full or incremental, writes nothing", async () => {
    await h.resetStats();
    expect(await h.run(docs, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 5,
    });
    expect(await h.run(docs, env, "incremental")).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 1, // the site page: pages have no change feed, so each run lists them (version unchanged)
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0, sourcesCreated: 0 });
  });

  it("incremental after an edit, a deletion, a rename, a new file and a site page edit: exact writes, then nothing", async () => {
    fixture.editFile(hr, ids.leave, "# Leave\n\nEveryone gets 30 days.");
    fixture.deleteItem(hr, ids.welcome);
    fixture.moveItem(onedrive, ids.faq, "Notes/Questions.txt");
    ids.added = fixture.addFile(
      hr,
      "Policies/Remote work.md",
      "# Remote work\n\nTwo days a week.",
      "text/markdown",
    );
    fixture.editSitePage("hr", ids.page, ["<h2>Health</h2>", "<p>Full cover, dental included.</p>"]);
    await h.resetStats();
    const summary = await h.run(docs, env, "incremental");
    expect(summary).toMatchObject({ mode: "incremental", created: 1, updated: 3, deleted: 1, failed: 0 });
    expect(await h.writes()).toMatchObject({
      upserts: 4,
      upsertsSucceeded: 4,
      deletes: 1,
      deletesSucceeded: 1,
    });
    expect((await h.page(docs, fileId(hr, ids.leave))).html).toContain("30 days");
    // The rename kept the external id: the same page, with the new title and URL.
    expect(await h.page(docs, fileId(onedrive, ids.faq))).toMatchObject({
      title: "Questions",
      url: "https://contoso.sharepoint.com/sites/personal/OneDrive/Notes/Questions.txt",
    });
    expect((await h.page(docs, `sitepage:hr:${ids.page}`)).html).toContain("dental included");
    expect((await h.pages(docs)).map((page) => page.external_id)).not.toContain(fileId(hr, ids.welcome));

    await h.resetStats();
    expect(await h.run(docs, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });

  it("an expired delta token (410) makes the incremental run list everything, writing nothing that did not change", async () => {
    fixture.expireTokens(hr);
    await h.resetStats();
    const summary = await h.run(docs, env, "incremental");
    // The whole listing in place of the feed: the five pages unchanged, the two bad files reported again.
    expect(summary).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 5,
      failed: 2,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
    await h.resetStats();
    expect(await h.run(docs, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });
});
