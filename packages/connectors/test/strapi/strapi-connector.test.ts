import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SourceEvent } from "../../src/contract.js";
import { isConnectorError } from "../../src/errors.js";
import { strapiConnector } from "../../src/strapi/strapi-connector.js";
import { collect, deletedIds, documentIds, lastCursor, silentContext } from "../wordpress/collect.js";
import { StrapiFixture } from "./strapi-fixture.js";

const blocks = [
  { type: "heading", level: 2, children: [{ type: "text", text: "Setup" }] },
  {
    type: "paragraph",
    children: [
      { type: "text", text: "Run " },
      { type: "text", text: "it", bold: true },
    ],
  },
];

describe.each(["v4", "v5"] as const)("Strapi %s connector", (version) => {
  let fixture: StrapiFixture;
  let baseUrl: string;

  beforeEach(async () => {
    fixture = new StrapiFixture(version);
    baseUrl = await fixture.start();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await fixture.close();
  });

  function connect(
    options: Record<string, unknown> = {},
    env: Record<string, string> = { STRAPI_TOKEN: "strapi-token" },
  ) {
    const parsed = strapiConnector.optionsSchema.parse({
      baseUrl,
      version,
      apiTokenEnv: "STRAPI_TOKEN",
      contentTypes: [
        {
          pluralApiId: "articles",
          singularApiId: "article",
          bodyField: "body",
          urlTemplate: "https://help.example.com/articles/{slug}",
          labelFields: ["tags"],
        },
      ],
      ...options,
    });
    return strapiConnector.create(parsed, { sourceId: "cms", logger: pino({ level: "silent" }), env });
  }
  const idOf = (entry: { id: number; documentId: string }) =>
    version === "v4" ? `articles:${entry.id}` : `articles:${entry.documentId}`;
  const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

  it("lists published entries page by page with Markdown and blocks bodies, URL and labels", async () => {
    const markdown = fixture.add(
      "articles",
      { title: "Install", slug: "install", body: "# Install\n\nRun it.", tags: ["setup"] },
      { updatedAt: at(1) },
    );
    const blocky = fixture.add(
      "articles",
      { title: "Setup", slug: "setup", body: blocks },
      { updatedAt: at(2) },
    );
    const more = [3, 4, 5].map((second) =>
      fixture.add(
        "articles",
        { title: `T${second}`, slug: `t${second}`, body: "x" },
        { updatedAt: at(second) },
      ),
    );
    const draft = fixture.add(
      "articles",
      { title: "Draft", slug: "draft", body: "wip" },
      { updatedAt: at(6), published: false },
    );

    const events = await collect(connect({ pageSize: 2 }).listAll(silentContext()));
    expect(documentIds(events)).toEqual([markdown, blocky, ...more].map(idOf).sort());
    const listRequests = fixture.requests.filter((request) => request.path === "/api/articles");
    expect(listRequests.map((request) => request.query.get("pagination[page]"))).toEqual(["1", "2", "3"]);
    expect(listRequests[0]!.query.get(version === "v4" ? "publicationState" : "status")).toBe(
      version === "v4" ? "live" : "published",
    );
    expect(listRequests[0]!.authorization).toBe("Bearer strapi-token");

    const byId = new Map(
      events.flatMap((event) =>
        event.kind === "document" ? [[event.document.externalId, event.document]] : [],
      ),
    );
    const first = await byId.get(idOf(markdown))!.load();
    expect(first).toMatchObject({
      title: "Install",
      url: "https://help.example.com/articles/install",
      body: { kind: "markdown", markdown: "# Install\n\nRun it." },
      metadata: { type: "article", status: "published", labels: ["setup"], path: "install" },
    });
    expect((await byId.get(idOf(blocky))!.load()).body).toEqual({
      kind: "html",
      html: "<h2>Setup</h2>\n<p>Run <strong>it</strong></p>",
    });

    const withDrafts = await collect(connect({ includeDrafts: true }).listAll(silentContext()));
    expect(documentIds(withDrafts)).toContain(idOf(draft));
    const draftDoc = withDrafts.find(
      (event) => event.kind === "document" && event.document.externalId === idOf(draft),
    );
    expect(draftDoc?.kind === "document" && draftDoc.document.metadata.status).toBe("draft");
  });

  it("with includeDrafts, says published only of documents that have a published version", async () => {
    const live = fixture.add("articles", { title: "Live", body: "l" }, { updatedAt: at(1) });
    const pending = fixture.add("articles", { title: "Install", body: "old" }, { updatedAt: at(2) });
    // Saved but not published yet: v5 serves it as the draft version, v4 has no such thing.
    pending.draft = { fields: { title: "Install v2", body: "new" }, updatedAt: at(8) };
    const never = fixture.add(
      "articles",
      { title: "Never", body: "n" },
      { updatedAt: at(3), published: false },
    );
    const withdrawn = fixture.add("articles", { title: "Withdrawn", body: "w" }, { updatedAt: at(4) });
    withdrawn.publishedAt = null;
    const expected = {
      [idOf(live)]: "published",
      [idOf(pending)]: "published",
      [idOf(never)]: "draft",
      [idOf(withdrawn)]: "draft",
    };
    const statuses = async (events: SourceEvent[]) =>
      Object.fromEntries(
        await Promise.all(
          events.flatMap((event) =>
            event.kind === "document"
              ? [event.document.load().then((doc) => [doc.externalId, doc.metadata.status])]
              : [],
          ),
        ),
      );
    const connector = connect({ includeDrafts: true, pageSize: 2 });

    const full = await collect(connector.listAll(silentContext()));
    expect(await statuses(full)).toEqual(expected);
    const cursor = JSON.stringify({ v: 1, since: { articles: at(0) } });
    expect(await statuses(await collect(connector.listChanges!(cursor, silentContext())))).toEqual(expected);
    expect(
      await statuses(await collect(connector.fetchByIds(Object.keys(expected), silentContext()))),
    ).toEqual(expected);

    // Drafts mode syncs the latest draft: v5's draft version of a published document with pending edits.
    const pendingDoc = full.find(
      (event) => event.kind === "document" && event.document.externalId === idOf(pending),
    );
    expect(pendingDoc?.kind === "document" && (await pendingDoc.document.load()).title).toBe(
      version === "v5" ? "Install v2" : "Install",
    );

    // Publishing changes the version even when the draft itself did not change.
    const before = new Map(
      full.flatMap((event) =>
        event.kind === "document" ? [[event.document.externalId, event.document.version]] : [],
      ),
    );
    withdrawn.publishedAt = at(4);
    const again = await collect(connector.listAll(silentContext()));
    expect(await statuses(again)).toEqual({ ...expected, [idOf(withdrawn)]: "published" });
    const changed = again.flatMap((event) =>
      event.kind === "document" && event.document.version !== before.get(event.document.externalId)
        ? [event.document.externalId]
        : [],
    );
    expect(changed).toEqual([idOf(withdrawn)]);
  });

  it("lists changes after the cursor in updatedAt order, across pages of equal timestamps", async () => {
    const old = fixture.add("articles", { title: "Old", body: "a" }, { updatedAt: at(1) });
    const tied = [1, 2, 3, 4, 5].map((n) =>
      fixture.add("articles", { title: `Tied ${n}`, body: "b" }, { updatedAt: at(30) }),
    );
    const later = fixture.add("articles", { title: "Later", body: "c" }, { updatedAt: at(40) });
    const cursor = JSON.stringify({ v: 1, since: { articles: at(10) } });

    const events = await collect(
      connect({ pageSize: 2, overlapSeconds: 0 }).listChanges!(cursor, silentContext()),
    );
    expect(documentIds(events)).toEqual([...tied, later].map(idOf).sort());
    expect(documentIds(events)).not.toContain(idOf(old));
    const filters = fixture.requests.map((request) => request.query.get("filters[updatedAt][$gte]"));
    expect(filters[0]).toBe(at(10));
    expect(fixture.requests[0]!.query.get("sort[0]")).toBe("updatedAt:asc");
    expect(JSON.parse(lastCursor(events))).toEqual({ v: 1, since: { articles: at(40) } });

    const again = await collect(
      connect({ overlapSeconds: 5 }).listChanges!(lastCursor(events), silentContext()),
    );
    expect(documentIds(again)).toEqual([idOf(later)]);
  });

  it("follows the server's page count when its maxLimit is below the requested page size", async () => {
    fixture.maxLimit = 2;
    const entries = [1, 2, 3, 4, 5].map((second) =>
      fixture.add("articles", { title: `E${second}`, body: "e" }, { updatedAt: at(second) }),
    );
    const expected = entries.map(idOf).sort();
    expect(documentIds(await collect(connect().listAll(silentContext())))).toEqual(expected);
    const cursor = JSON.stringify({ v: 1, since: { articles: at(0) } });
    expect(
      documentIds(await collect(connect({ overlapSeconds: 0 }).listChanges!(cursor, silentContext()))),
    ).toEqual(expected);
  });

  it("starts incremental listings from the full listing's cursor and sees later edits", async () => {
    const entry = fixture.add(
      "articles",
      { title: "A", body: "a" },
      { updatedAt: "2020-01-01T00:00:00.000Z" },
    );
    const full = await collect(connect().listAll(silentContext()));
    const since = Date.parse(JSON.parse(lastCursor(full)).since.articles);
    expect(Math.abs(since - Date.now())).toBeLessThan(60_000);
    expect(
      documentIds(
        await collect(connect({ overlapSeconds: 0 }).listChanges!(lastCursor(full), silentContext())),
      ),
    ).toEqual([]);
    entry.updatedAt = new Date(since + 5_000).toISOString();
    entry.fields.title = "A2";
    const changes = await collect(
      connect({ overlapSeconds: 0 }).listChanges!(lastCursor(full), silentContext()),
    );
    expect(documentIds(changes)).toEqual([idOf(entry)]);
  });

  it("fetches by id: found, deleted, unpublished and malformed ids", async () => {
    const kept = fixture.add("articles", { title: "Kept", body: "k" }, { updatedAt: at(1) });
    const removed = fixture.add("articles", { title: "Removed", body: "r" }, { updatedAt: at(2) });
    const unpublished = fixture.add(
      "articles",
      { title: "Hidden", body: "h" },
      { updatedAt: at(3), published: false },
    );
    fixture.remove("articles", removed.id);
    const events = await collect(
      connect().fetchByIds(
        [idOf(kept), idOf(removed), idOf(unpublished), "articles:not an id", "pages:1"],
        silentContext(),
      ),
    );
    expect(
      events.map((event) => [
        event.kind,
        event.kind === "document" ? event.document.externalId : "externalId" in event ? event.externalId : "",
      ]),
    ).toEqual([
      ["document", idOf(kept)],
      // Strapi keeps no trash: a 404 is not proof of deletion, only a full listing decides.
      ["missing", idOf(removed)],
      ["missing", idOf(unpublished)],
      ["failed", "articles:not an id"],
      ["deleted", "pages:1"],
    ]);
  });

  it("refuses a wrong token with an auth error naming the env var and yields nothing", async () => {
    fixture.add("articles", { title: "A", body: "a" }, { updatedAt: at(1) });
    const seen: SourceEvent[] = [];
    const error = await (async () => {
      for await (const event of connect({}, { STRAPI_TOKEN: "wrong" }).listAll(silentContext()))
        seen.push(event);
    })().catch((caught: unknown) => caught);
    expect(seen).toEqual([]);
    expect(isConnectorError(error) && [error.kind, error.credentialEnv, error.status]).toEqual([
      "auth",
      "STRAPI_TOKEN",
      401,
    ]);
    expect((error as Error).message).toMatch(/source "cms".*STRAPI_TOKEN/);
    expect(() => connect({}, {})).toThrow(/env var STRAPI_TOKEN \(options.apiTokenEnv\) is not set/);
  });

  it("waits out a 429 for as long as Retry-After says", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    fixture.add("articles", { title: "A", body: "a" }, { updatedAt: at(1) });
    fixture.rateLimitNext = { path: "/api/articles", retryAfterSeconds: 7 };
    let settled = false;
    const listing = collect(connect().listAll(silentContext())).finally(() => {
      settled = true;
    });
    const yieldToIo = async (rounds = 50) => {
      for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    await vi.waitFor(() => expect(fixture.requests).toHaveLength(1), { interval: 1 });
    await yieldToIo();
    await vi.advanceTimersByTimeAsync(6_900);
    await yieldToIo();
    expect(fixture.requests).toHaveLength(1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    const events = await listing;
    expect(fixture.requests).toHaveLength(2);
    expect(documentIds(events)).toHaveLength(1);
  });

  it("does not call a listing complete when entries vanish between pages", async () => {
    const entries = [1, 2, 3, 4].map((second) =>
      fixture.add("articles", { title: `E${second}`, body: "e" }, { updatedAt: at(second) }),
    );
    fixture.afterRequest = (request) => {
      if (request.query.get("pagination[page]") === "1") fixture.remove("articles", entries[0]!.id);
    };
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of connect({ pageSize: 2 }).listAll(silentContext())) {
        if (event.kind === "document") seen.push(event.document.externalId);
      }
    })().catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("unavailable");
    expect(seen).not.toContain(idOf(entries[2]!));
  });

  it("keeps locales apart", async () => {
    const en = fixture.add("articles", { title: "Hello", body: "en" }, { updatedAt: at(1), locale: "en" });
    const fr = fixture.add("articles", { title: "Bonjour", body: "fr" }, { updatedAt: at(2), locale: "fr" });
    const events = await collect(connect({ locales: ["en", "fr"] }).listAll(silentContext()));
    const expected =
      version === "v4"
        ? [idOf(en), idOf(fr)]
        : [`articles:${en.documentId}:en`, `articles:${fr.documentId}:fr`];
    expect(documentIds(events)).toEqual(expected.sort());
    expect(Object.keys(JSON.parse(lastCursor(events)).since)).toEqual(["articles@en", "articles@fr"]);
    const fetched = await collect(
      connect({ locales: ["en", "fr"] }).fetchByIds(
        [expected.find((id) => id.includes(version === "v4" ? String(fr.id) : "fr"))!],
        silentContext(),
      ),
    );
    expect(fetched[0]?.kind === "document" && (await fetched[0].document.load()).title).toBe("Bonjour");
  });
});

describe("Strapi v5 drafts: looking up published versions", () => {
  let fixture: StrapiFixture;
  let baseUrl: string;
  beforeEach(async () => {
    fixture = new StrapiFixture("v5");
    baseUrl = await fixture.start();
  });
  afterEach(async () => {
    await fixture.close();
  });
  const connect = (options: Record<string, unknown> = {}) =>
    strapiConnector.create(
      strapiConnector.optionsSchema.parse({
        baseUrl,
        apiTokenEnv: "T",
        contentTypes: [{ pluralApiId: "articles", singularApiId: "article" }],
        ...options,
      }),
      { sourceId: "cms", logger: pino({ level: "silent" }), env: { T: "strapi-token" } },
    );
  const lookups = () =>
    fixture.requests.filter(
      (request) => request.path === "/api/articles" && request.query.get("status") === "published",
    );

  it("asks status=published for documentIds only, page by page, before a full listing of drafts", async () => {
    const entries = [1, 2, 3, 4, 5].map((n) =>
      fixture.add(
        "articles",
        { title: `A${n}` },
        { updatedAt: `2026-01-01T00:00:0${n}.000Z`, published: n !== 3 },
      ),
    );
    const events = await collect(connect({ includeDrafts: true, pageSize: 2 }).listAll(silentContext()));
    expect(documentIds(events)).toHaveLength(5);
    expect(lookups().map((request) => request.query.get("pagination[page]"))).toEqual(["1", "2"]);
    for (const request of lookups()) {
      expect(request.query.get("fields[0]")).toBe("documentId");
      expect([...request.query.keys()].some((key) => key.startsWith("filters"))).toBe(false);
    }
    const draftListing = fixture.requests.findIndex((request) => request.query.get("status") === "draft");
    expect(draftListing).toBeGreaterThan(fixture.requests.indexOf(lookups().at(-1)!));
    const drafts = events.flatMap((event) =>
      event.kind === "document" && event.document.metadata.status === "draft"
        ? [event.document.externalId]
        : [],
    );
    expect(drafts).toEqual([`articles:${entries[2]!.documentId}`]);
  });

  it("looks up only the documents of each page of changes, in chunks of 20 ids", async () => {
    const entries = Array.from({ length: 25 }, (_, n) =>
      fixture.add(
        "articles",
        { title: `A${n}` },
        { updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), published: n % 2 === 0 },
      ),
    );
    const events = await collect(
      connect({ includeDrafts: true, overlapSeconds: 0 }).listChanges!(
        JSON.stringify({ v: 1, since: { articles: "2025-12-31T00:00:00.000Z" } }),
        silentContext(),
      ),
    );
    const asked = lookups().map((request) =>
      [...request.query.entries()]
        .filter(([key]) => key.startsWith("filters[documentId][$in]"))
        .map(([, id]) => id),
    );
    expect(asked.map((ids) => ids.length)).toEqual([20, 5]);
    expect(asked.flat()).toEqual(entries.map((entry) => entry.documentId));
    const published = events.flatMap((event) =>
      event.kind === "document" && event.document.metadata.status === "published"
        ? [event.document.externalId]
        : [],
    );
    expect(published.sort()).toEqual(
      entries
        .filter((_, n) => n % 2 === 0)
        .map((entry) => `articles:${entry.documentId}`)
        .sort(),
    );
  });

  it("asks nothing more without includeDrafts: published versions say so themselves", async () => {
    fixture.add("articles", { title: "A" }, { updatedAt: "2026-01-01T00:00:01.000Z" });
    await collect(connect().listAll(silentContext()));
    expect(fixture.requests).toHaveLength(1);
  });
});

describe("Strapi v4 incremental with a token", () => {
  it("previews changes so unpublished entries become deletions", async () => {
    const fixture = new StrapiFixture("v4");
    const baseUrl = await fixture.start();
    try {
      const published = fixture.add(
        "articles",
        { title: "P", body: "p" },
        { updatedAt: "2026-01-01T00:00:10.000Z" },
      );
      const unpublished = fixture.add(
        "articles",
        { title: "U", body: "u" },
        { updatedAt: "2026-01-01T00:00:11.000Z", published: false },
      );
      const connector = strapiConnector.create(
        strapiConnector.optionsSchema.parse({
          baseUrl,
          version: "v4",
          apiTokenEnv: "T",
          contentTypes: [{ pluralApiId: "articles", singularApiId: "article" }],
        }),
        { sourceId: "cms", logger: pino({ level: "silent" }), env: { T: "strapi-token" } },
      );
      const events = await collect(
        connector.listChanges!(
          JSON.stringify({ v: 1, since: { articles: "2026-01-01T00:00:00.000Z" } }),
          silentContext(),
        ),
      );
      expect(documentIds(events)).toEqual([`articles:${published.id}`]);
      expect(deletedIds(events)).toEqual([`articles:${unpublished.id}`]);
      expect(fixture.requests[0]!.query.get("publicationState")).toBe("preview");
    } finally {
      await fixture.close();
    }
  });
});
