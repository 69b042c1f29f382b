import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SourceEvent } from "../../src/contract.js";
import { mediawikiConnector } from "../../src/mediawiki/index.js";
import { FixtureServer } from "../../src/testing/fixture-server.js";
import { FixtureWiki } from "./mediawiki-fixture.js";

const logger = pino({ level: "silent" });
const ctx = () => ({ signal: new AbortController().signal, logger });

async function collect(events: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const out: SourceEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
const docIds = (events: SourceEvent[]) =>
  events.flatMap((e) => (e.kind === "document" ? [e.document.externalId] : []));

describe("mediawiki connector", () => {
  let server: FixtureServer;
  let wiki: FixtureWiki;
  beforeEach(async () => {
    server = await FixtureServer.start();
    wiki = new FixtureWiki(server);
  });
  afterEach(async () => {
    await server.close();
  });

  const connector = (options: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
    mediawikiConnector.create(
      mediawikiConnector.optionsSchema.parse({ apiUrl: `${server.url}/w/api.php`, pageSize: 2, ...options }),
      { sourceId: "wiki", logger, env },
    );

  const seed = () => {
    for (let i = 1; i <= 5; i++) {
      wiki.add({ pageid: i, ns: 0, title: `Page ${i}`, revid: 100 + i, timestamp: "2026-11-30T10:00:00Z" });
    }
    wiki.add({
      pageid: 6,
      ns: 0,
      title: "Old name",
      revid: 106,
      timestamp: "2026-11-30T10:00:00Z",
      redirect: true,
    });
    wiki.add({ pageid: 7, ns: 4, title: "Project:Help", revid: 107, timestamp: "2026-11-30T10:00:00Z" });
    wiki.add({
      pageid: 8,
      ns: 0,
      title: "Secret plan",
      revid: 108,
      timestamp: "2026-11-30T10:00:00Z",
      categories: ["Internal"],
    });
  };

  it("lists every non-redirect page of the namespaces across continue batches, with metadata and HTML", async () => {
    seed();
    wiki.pages.get(1)!.categories = ["How to"];
    wiki.pages.get(1)!.html =
      '<div class="mw-parser-output"><h2>Intro<span class="mw-editsection">[edit]</span></h2><p><a href="/wiki/Page_2">next</a></p></div>';
    const events = await collect(connector({ namespaces: [0, 4] }).listAll(ctx()));
    expect(docIds(events)).toEqual(["1", "2", "3", "4", "5", "8", "7"]);
    const allpages = server.requests.filter((r) => r.query.get("list") === "allpages");
    // ns 0: 6 non-redirect pages by 2 → 3 batches; ns 4: 1 batch.
    expect(allpages).toHaveLength(4);
    expect(allpages.every((r) => r.query.get("apfilterredir") === "nonredirects")).toBe(true);
    expect(allpages.every((r) => r.query.get("maxlag") === "5")).toBe(true);
    // siteinfo gives a protocol-relative server: it takes the scheme of api.php.
    const first = events[0];
    if (first?.kind !== "document") throw new Error("expected a document");
    expect(first.document.version).toBe("101");
    expect(first.document.metadata).toMatchObject({
      path: "Page 1",
      labels: ["How to"],
      space: "0",
      author: "Alice",
    });
    const loaded = await first.document.load();
    expect(loaded.title).toBe("Page 1");
    expect(loaded.url).toBe("http://wiki.example.com/wiki/Page_1");
    expect(loaded.body).toEqual({
      kind: "html",
      html: '<h2>Intro</h2><p><a href="http://wiki.example.com/wiki/Page_2">next</a></p>',
    });
    const parse = server.requests.find((r) => r.query.get("action") === "parse");
    expect(parse?.query.get("pageid")).toBe("1");
    expect(parse?.query.get("disableeditsection")).toBe("1");
    const last = events.at(-1);
    expect(last).toEqual({
      kind: "cursor",
      cursor: JSON.stringify({ v: 1, since: wiki.now, seenRcIds: [] }),
    });
  });

  it("applies category include and exclude", async () => {
    seed();
    expect(docIds(await collect(connector({ excludeCategories: ["Internal"] }).listAll(ctx())))).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
    ]);
    expect(docIds(await collect(connector({ includeCategories: ["Internal"] }).listAll(ctx())))).toEqual([
      "8",
    ]);
  });

  it("reads recent changes oldest first from the cursor minus the overlap, with delete, move and restore", async () => {
    seed();
    wiki.now = "2026-12-01T13:00:00Z";
    wiki.pages.get(2)!.revid = 202;
    wiki.pages.get(3)!.title = "Page three";
    wiki.pages.delete(4);
    wiki.add({ pageid: 9, ns: 0, title: "New page", revid: 209, timestamp: "2026-12-01T12:10:00Z" });
    wiki.changes.push(
      { rcid: 1, type: "edit", ns: 0, title: "Page 1", pageid: 1, timestamp: "2026-12-01T11:00:00Z" },
      { rcid: 2, type: "edit", ns: 0, title: "Page 2", pageid: 2, timestamp: "2026-12-01T11:58:00Z" },
      {
        rcid: 3,
        type: "log",
        ns: 0,
        title: "Page 3",
        pageid: 3,
        timestamp: "2026-12-01T12:05:00Z",
        logtype: "move",
        logaction: "move",
        logparams: { target_ns: 0, target_title: "Page three" },
      },
      {
        rcid: 4,
        type: "log",
        ns: 0,
        title: "Page 4",
        pageid: 4,
        timestamp: "2026-12-01T12:06:00Z",
        logtype: "delete",
        logaction: "delete",
      },
      { rcid: 5, type: "new", ns: 0, title: "New page", pageid: 9, timestamp: "2026-12-01T12:10:00Z" },
      {
        rcid: 6,
        type: "log",
        ns: 0,
        title: "Page 5",
        pageid: 5,
        timestamp: "2026-12-01T12:11:00Z",
        logtype: "delete",
        logaction: "delete",
      },
      {
        rcid: 7,
        type: "log",
        ns: 0,
        title: "Page 5",
        pageid: 5,
        timestamp: "2026-12-01T12:12:00Z",
        logtype: "delete",
        logaction: "restore",
      },
    );
    const cursor = JSON.stringify({ v: 1, since: "2026-12-01T12:00:00Z", seenRcIds: [] });
    const events = await collect(connector({ overlapSeconds: 300 }).listChanges!(cursor, ctx()));
    const rc = server.requests.filter((r) => r.query.get("list") === "recentchanges");
    expect(rc[0]?.query.get("rcstart")).toBe("2026-12-01T11:55:00Z");
    expect(rc[0]?.query.get("rcdir")).toBe("newer");
    expect(rc[0]?.query.get("rctype")).toBe("edit|new|log");
    expect(rc[0]?.query.get("rcprop")).toBe("title|ids|timestamp|loginfo");
    expect(rc).toHaveLength(3);
    expect(
      events.map((e) =>
        e.kind === "document"
          ? `doc:${e.document.externalId}`
          : e.kind === "deleted"
            ? `del:${e.externalId}`
            : e.kind,
      ),
    ).toEqual(["doc:2", "doc:3", "del:4", "doc:9", "doc:5", "cursor"]);
    const moved = events[1];
    if (moved?.kind !== "document") throw new Error("expected a document");
    expect((await moved.document.load()).url).toBe("http://wiki.example.com/wiki/Page_three");
    expect(events.at(-1)).toEqual({
      kind: "cursor",
      cursor: JSON.stringify({ v: 1, since: "2026-12-01T13:00:00Z", seenRcIds: [] }),
    });
  });

  it("rejects a corrupt cursor and expires one older than rcMaxAgeDays before yielding", async () => {
    await expect(collect(connector().listChanges!("nope", ctx()))).rejects.toMatchObject({ kind: "config" });
    const old = JSON.stringify({ v: 1, since: "2020-01-01T00:00:00Z", seenRcIds: [] });
    await expect(collect(connector().listChanges!(old, ctx()))).rejects.toMatchObject({
      kind: "cursor_expired",
    });
    expect(server.requests).toHaveLength(0);
  });

  it("fetches by ids: missing for ids the wiki does not return, deleted for pages out of scope", async () => {
    seed();
    const events = await collect(connector().fetchByIds(["2", "404", "7", "abc"], ctx()));
    expect(
      events.map((e) => [
        e.kind,
        e.kind === "document" ? e.document.externalId : "externalId" in e ? e.externalId : "",
      ]),
    ).toEqual([
      ["document", "2"],
      ["missing", "404"],
      ["deleted", "7"],
      ["missing", "abc"],
    ]);
  });

  it("waits out a 429 with Retry-After and then succeeds", async () => {
    seed();
    server.failNext(1, { status: 429, headers: { "retry-after": "0" }, json: { error: "slow down" } });
    const events = await collect(connector().listAll(ctx()));
    expect(docIds(events)).toHaveLength(6);
    expect(server.requests[0]?.query.get("list")).toBe("allpages");
    expect(server.requests[1]?.query.get("list")).toBe("allpages");
  });

  it("logs in with a bot password, logs in again once when the session expires", async () => {
    seed();
    wiki.session = { user: "Sync@content-sync", password: "pw-secret" };
    const c = connector(
      { login: { username: "Sync@content-sync", passwordEnv: "WIKI_BOT" } },
      { WIKI_BOT: "pw-secret" },
    );
    expect(docIds(await collect(c.listAll(ctx())))).toHaveLength(6);
    expect(wiki.logins).toBe(1);
    wiki.session.cookie = "expired-on-the-server";
    expect(docIds(await collect(c.fetchByIds(["1"], ctx())))).toEqual(["1"]);
    expect(wiki.logins).toBe(2);
    const loginPost = server.requests.find((r) => r.method === "POST");
    expect(new URLSearchParams(loginPost?.body).get("lgtoken")).toBe("tok+\\");
  });

  it("fails a private wiki as auth naming the env var, without yielding anything", async () => {
    seed();
    wiki.session = { user: "Sync@content-sync", password: "right" };
    const anonymous = connector();
    await expect(collect(anonymous.listAll(ctx()))).rejects.toMatchObject({
      kind: "auth",
      message: expect.stringContaining("readapidenied"),
    });
    const wrong = connector(
      { login: { username: "Sync@content-sync", passwordEnv: "WIKI_BOT" } },
      { WIKI_BOT: "wrong" },
    );
    const events: SourceEvent[] = [];
    const failure = await (async () => {
      try {
        for await (const event of wrong.listAll(ctx())) events.push(event);
      } catch (error) {
        return error as Error & { kind?: string };
      }
      return undefined;
    })();
    expect(events).toEqual([]);
    expect(failure?.kind).toBe("auth");
    expect(failure?.message).toMatch(/source "wiki".*WIKI_BOT/);
    expect(failure?.message).not.toContain("wrong");
  });

  it("rejects bad options with clear messages", () => {
    const parse = (options: unknown) => mediawikiConnector.optionsSchema.safeParse(options);
    expect(parse({ apiUrl: "http://wiki.example.com/wiki/Main_Page" }).error?.issues[0]?.message).toMatch(
      /api\.php/,
    );
    expect(
      parse({ apiUrl: "https://w.example/w/api.php", includeCategories: ["A"], excludeCategories: ["A"] })
        .error?.issues[0]?.message,
    ).toMatch(/both included and excluded: A/);
    expect(() => connector({ login: { username: "A@b", passwordEnv: "UNSET_ENV" } })).toThrow(/UNSET_ENV/);
  });
});
