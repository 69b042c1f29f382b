import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediawikiConnector } from "../../packages/connectors/src/mediawiki/index.js";
import { FixtureServer } from "../../packages/connectors/src/testing/fixture-server.js";
import { FixtureWiki } from "../../packages/connectors/test/mediawiki/mediawiki-fixture.js";
import { CmsSyncHarness } from "../e2e-cms/support/cms-sync-harness.js";

const BOT = "Sync@content-sync";
const PASSWORD = "bot-password-e2e-0123456789abcdef";

describe("MediaWiki (private, bot password) → sync engine → Intercom sandbox, end to end", () => {
  let server: FixtureServer;
  let wiki: FixtureWiki;
  let h: CmsSyncHarness;
  let env: Record<string, string>;
  let source: SourceConfig;
  let clock = Date.now() - 3_600_000;
  let rcid = 0;
  const stamp = () => new Date(clock).toISOString().replace(/\.\d{3}Z$/, "Z");
  /** The wiki's clock moves on; `curtimestamp` answers follow it. */
  const tick = (seconds: number) => {
    clock += seconds * 1000;
    wiki.now = stamp();
  };
  const change = (
    entry: { type: "edit" | "new" | "log"; pageid: number; title: string } & Record<string, unknown>,
  ) => {
    rcid += 1;
    wiki.changes.push({ ns: 0, rcid, timestamp: stamp(), ...entry });
  };

  beforeAll(async () => {
    server = await FixtureServer.start();
    wiki = new FixtureWiki(server);
    wiki.session = { user: BOT, password: PASSWORD };
    wiki.now = stamp();
    const page = (pageid: number, title: string, extra: Record<string, unknown> = {}) =>
      wiki.add({
        pageid,
        ns: 0,
        title,
        revid: pageid * 10,
        timestamp: stamp(),
        html: `<div class="mw-parser-output"><p>${title} text.</p></div>`,
        ...extra,
      });
    page(1, "Onboarding", { categories: ["How to"] });
    page(2, "VPN setup");
    page(3, "Expense policy");
    page(4, "Salaries", { categories: ["Internal"] });
    page(5, "Old VPN", { redirect: true });
    wiki.add({ pageid: 6, ns: 1, title: "Talk:Onboarding", revid: 60, timestamp: stamp() });
    tick(600);
    env = { WIKI_E2E_API: `${server.url}/w/api.php`, WIKI_E2E_BOT_PASSWORD: PASSWORD };
    h = await CmsSyncHarness.start(mediawikiConnector);
    source = h.source(
      `
      id: company-wiki
      type: mediawiki
      contentImportSource: { url: "https://wiki.example.com" }
      options:
        apiUrl: \${WIKI_E2E_API}
        namespaces: [0]
        excludeCategories: [Internal]
        login: { username: "${BOT}", passwordEnv: WIKI_E2E_BOT_PASSWORD }
        pageSize: 2
      `,
      env,
    );
  });

  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  it("first full sync creates one page per article in scope (redirects, talk pages, excluded categories left out)", async () => {
    const summary = await h.run(source, env, "full");
    expect(summary).toMatchObject({
      mode: "full",
      created: 3,
      updated: 0,
      deleted: 0,
      failed: 0,
      listingComplete: true,
    });
    expect(await h.writes()).toMatchObject({ upserts: 3, deletes: 0, upsertsSucceeded: 3 });
    expect((await h.pages(source)).map((p) => p.external_id)).toEqual(["1", "2", "3"]);
    const onboarding = await h.page(source, "1");
    expect(onboarding).toMatchObject({ title: "Onboarding", url: "http://wiki.example.com/wiki/Onboarding" });
    expect(onboarding.html).toContain("Onboarding text.");
    expect(wiki.logins).toBe(1);
  });

  it("a second run with nothing changed writes nothing, incremental or full", async () => {
    tick(60);
    await h.resetStats();
    expect(await h.run(source, env, "incremental")).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(await h.run(source, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 3,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });

  it("an edit is exactly one update on the next incremental run", async () => {
    tick(60);
    const vpn = wiki.pages.get(2);
    if (!vpn) throw new Error("fixture page 2 missing");
    Object.assign(vpn, {
      revid: 21,
      timestamp: stamp(),
      html: '<div class="mw-parser-output"><p>Use WireGuard.</p></div>',
    });
    change({ type: "edit", pageid: 2, title: "VPN setup" });
    tick(60);
    await h.resetStats();
    expect(await h.run(source, env, "incremental")).toMatchObject({
      created: 0,
      updated: 1,
      deleted: 0,
      failed: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
    expect((await h.page(source, "2")).html).toContain("WireGuard");
  });

  it("a move is one update with the new title and URL; a new page is one create", async () => {
    tick(60);
    const policy = wiki.pages.get(3);
    if (!policy) throw new Error("fixture page 3 missing");
    Object.assign(policy, { title: "Travel and expense policy", revid: 31, timestamp: stamp() });
    change({
      type: "log",
      pageid: 3,
      title: "Expense policy",
      logtype: "move",
      logaction: "move",
      logparams: { target_ns: 0, target_title: "Travel and expense policy" },
    });
    wiki.add({ pageid: 7, ns: 0, title: "Holidays", revid: 70, timestamp: stamp() });
    change({ type: "new", pageid: 7, title: "Holidays" });
    tick(60);
    await h.resetStats();
    expect(await h.run(source, env, "incremental")).toMatchObject({
      created: 1,
      updated: 1,
      deleted: 0,
      failed: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 2, upsertsSucceeded: 2, deletes: 0 });
    expect(await h.page(source, "3")).toMatchObject({
      title: "Travel and expense policy",
      url: expect.stringMatching(/\/wiki\/Travel_and_expense_policy$/),
    });
  });

  it("a deletion in the delete log is exactly one DELETE; the next run writes nothing", async () => {
    tick(60);
    wiki.pages.delete(1);
    change({ type: "log", pageid: 1, title: "Onboarding", logtype: "delete", logaction: "delete" });
    tick(60);
    await h.resetStats();
    expect(await h.run(source, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 1 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
    expect((await h.pages(source)).map((p) => p.external_id)).toEqual(["2", "3", "7"]);
    tick(60);
    await h.resetStats();
    expect(await h.run(source, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(await h.run(source, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 3,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });

  it("a refused bot password fails the run naming its env var, never its value, and deletes nothing", async () => {
    const wrong = { ...env, WIKI_E2E_BOT_PASSWORD: "not-the-bot-password" };
    const before = await h.pages(source);
    await h.resetStats();
    for (const mode of ["full", "incremental"] as const) {
      const summary = await h.run(source, wrong, mode);
      expect(summary).toMatchObject({ listingComplete: false, created: 0, updated: 0, deleted: 0 });
      expect(summary.listingError).toContain("WIKI_E2E_BOT_PASSWORD");
      expect(summary.listingError).not.toContain("not-the-bot-password");
    }
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
    expect(await h.pages(source)).toEqual(before);
  });
});
