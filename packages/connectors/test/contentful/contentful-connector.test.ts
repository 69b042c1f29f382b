import { BLOCKS, INLINES } from "@contentful/rich-text-types";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { contentfulConnector } from "../../src/contentful/contentful-connector.js";
import type { Connector, FetchedDocument, SourceEvent } from "../../src/contract.js";
import { ConnectorError, isConnectorError } from "../../src/errors.js";
import { ContentfulFixture, type FixtureEntry } from "./contentful-fixture.js";

const TOKEN = "delivery-token-value";
const PREVIEW_TOKEN = "preview-token-value";
const logger = pino({ level: "silent" });

async function collect(iterable: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

async function documentsOf(events: SourceEvent[]): Promise<FetchedDocument[]> {
  const docs: FetchedDocument[] = [];
  for (const event of events) if (event.kind === "document") docs.push(await event.document.load());
  return docs;
}

const idsOf = (events: SourceEvent[], kind: "document" | "deleted") =>
  events
    .map((event) =>
      event.kind === "document" && kind === "document"
        ? event.document.externalId
        : event.kind === "deleted" && kind === "deleted"
          ? event.externalId
          : undefined,
    )
    .filter((id): id is string => id !== undefined)
    .sort();

const lastCursor = (events: SourceEvent[]): string => {
  const last = events.at(-1);
  if (last?.kind !== "cursor") throw new Error(`last event is ${last?.kind}, not a cursor`);
  return last.cursor;
};

const ctx = () => ({ signal: new AbortController().signal, logger });

function changes(connector: Connector, cursor: string): AsyncIterable<SourceEvent> {
  if (!connector.listChanges) throw new Error("connector has no change feed");
  return connector.listChanges(cursor, ctx());
}

const article = (id: string, title: string, extra: Partial<FixtureEntry> = {}): FixtureEntry => ({
  id,
  contentType: "article",
  fields: {
    title: { "en-US": title },
    slug: { "en-US": id },
    body: { "en-US": `# ${title}\n\nText of ${id}.` },
  },
  ...extra,
});

describe("contentful connector (Delivery API sync)", () => {
  let fixture: ContentfulFixture;
  let baseUrl: string;

  beforeEach(async () => {
    fixture = new ContentfulFixture({
      api: "delivery",
      spaceId: "space1",
      token: TOKEN,
      locales: [
        { code: "en-US", default: true, fallbackCode: null },
        { code: "de-DE", fallbackCode: "en-US" },
      ],
    });
    baseUrl = await fixture.start();
  });

  afterEach(async () => {
    vi.useRealTimers();
    await fixture.stop();
  });

  const create = (options: Record<string, unknown> = {}, env: Record<string, string> = { CF_TOKEN: TOKEN }) =>
    contentfulConnector.create(
      contentfulConnector.optionsSchema.parse({
        spaceId: "space1",
        accessTokenEnv: "CF_TOKEN",
        baseUrl,
        urlTemplate: "https://help.example.com/{locale}/{slug}",
        ...options,
      }),
      { sourceId: "help", logger, env },
    );

  it("pages through the initial sync and ends with a cursor", async () => {
    for (let i = 1; i <= 5; i++) fixture.upsertEntry(article(`a${i}`, `Article ${i}`));
    fixture.upsertAsset({
      id: "img",
      title: "Logo",
      url: "//images.example.net/logo.png",
      contentType: "image/png",
    });
    const connector = create({ pageSize: 2 });

    const events = await collect(connector.listAll(ctx()));

    expect(idsOf(events, "document")).toEqual(["a1", "a2", "a3", "a4", "a5"]);
    const syncRequests = fixture.requests.filter((request) => request.path.endsWith("/sync"));
    expect(syncRequests).toHaveLength(3);
    expect(syncRequests[0]?.query.get("initial")).toBe("true");
    expect(syncRequests[0]?.query.get("limit")).toBe("2");
    expect(syncRequests[1]?.query.get("sync_token")).toMatch(/^tok/);
    expect(syncRequests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(JSON.parse(lastCursor(events))).toMatchObject({
      mode: "sync",
      tokens: { "*": expect.any(String) },
    });

    const [first] = await documentsOf(events.slice(0, 1));
    expect(first).toMatchObject({
      externalId: "a1",
      title: "Article 1",
      url: "https://help.example.com/en-US/a1",
      body: { kind: "markdown", markdown: "# Article 1\n\nText of a1." },
      metadata: { type: "article", status: "published", space: "space1", path: "a1", labels: [] },
    });
    expect(first?.version).toMatch(/^1:/);
  });

  it("reads the configured locale and falls back along the space's fallback chain", async () => {
    fixture.upsertEntry({
      id: "both",
      contentType: "article",
      fields: { title: { "en-US": "Hello", "de-DE": "Hallo" }, slug: { "en-US": "hello" } },
    });
    fixture.upsertEntry({
      id: "english",
      contentType: "article",
      fields: { title: { "en-US": "Only English" } },
    });
    const connector = create({ locale: "de-DE" });

    const docs = await documentsOf(await collect(connector.listAll(ctx())));
    const byId = new Map(docs.map((doc) => [doc.externalId, doc]));

    expect(byId.get("both")?.title).toBe("Hallo");
    expect(byId.get("both")?.url).toBe("https://help.example.com/de-DE/hello");
    expect(byId.get("english")?.title).toBe("Only English");
    // No slug in any locale: no URL rather than a broken one.
    expect(byId.get("english")?.url).toBeUndefined();
  });

  it("rejects a locale the space does not have", async () => {
    fixture.upsertEntry(article("a1", "One"));
    const connector = create({ locale: "fr-FR" });
    await expect(collect(connector.listAll(ctx()))).rejects.toThrow(
      /locale "fr-FR" is not one of the space's locales/,
    );
  });

  it("turns delta syncs into changes and DeletedEntry tombstones (delete and unpublish)", async () => {
    for (const id of ["a1", "a2", "a3"]) fixture.upsertEntry(article(id, id));
    const connector = create({ pageSize: 2 });
    const full = await collect(connector.listAll(ctx()));

    fixture.upsertEntry(article("a1", "a1 edited"));
    fixture.deleteEntry("a2");
    fixture.unpublishEntry("a3");
    fixture.upsertEntry(article("a4", "new"));
    const delta = await collect(changes(connector, lastCursor(full)));

    expect(idsOf(delta, "document")).toEqual(["a1", "a4"]);
    expect(idsOf(delta, "deleted")).toEqual(["a2", "a3"]);
    const edited = (await documentsOf(delta)).find((doc) => doc.externalId === "a1");
    expect(edited?.title).toBe("a1 edited");
    expect(edited?.version).toMatch(/^2:/);
    // The page size set at the initial sync carries over into the token: four changes, two pages.
    const deltaRequests = fixture.requests.filter((request) => request.path.endsWith("/sync")).slice(-2);
    expect(deltaRequests.map((request) => request.query.get("initial"))).toEqual([null, null]);
    expect(deltaRequests[1]?.query.get("sync_token")).not.toBe(deltaRequests[0]?.query.get("sync_token"));

    // Nothing changed since: an empty delta that still moves the cursor.
    const quiet = await collect(changes(connector, lastCursor(delta)));
    expect(quiet.map((event) => event.kind)).toEqual(["cursor"]);
  });

  it("syncs each content type separately and follows a DeletedEntry sync, since filtered syncs carry no deletions", async () => {
    fixture.upsertEntry(article("a1", "Article"));
    fixture.upsertEntry({ id: "f1", contentType: "faq", fields: { title: { "en-US": "FAQ" } } });
    fixture.upsertEntry({ id: "p1", contentType: "person", fields: { title: { "en-US": "Ada" } } });
    const connector = create({ contentTypes: ["article", "faq"] });

    const full = await collect(connector.listAll(ctx()));
    expect(idsOf(full, "document")).toEqual(["a1", "f1"]);
    const initial = fixture.requests.filter((request) => request.query.get("initial") === "true");
    expect(initial.map((request) => [request.query.get("type"), request.query.get("content_type")])).toEqual([
      ["DeletedEntry", null],
      ["Entry", "article"],
      ["Entry", "faq"],
    ]);
    const cursor = JSON.parse(lastCursor(full));
    expect(Object.keys(cursor.tokens).sort()).toEqual(["article", "faq"]);
    expect(cursor.deletions).toEqual(expect.any(String));

    fixture.deleteEntry("a1");
    fixture.upsertEntry({ id: "f1", contentType: "faq", fields: { title: { "en-US": "FAQ v2" } } });
    fixture.upsertEntry({ id: "p1", contentType: "person", fields: { title: { "en-US": "Ada L." } } });
    const delta = await collect(changes(connector, lastCursor(full)));

    expect(idsOf(delta, "deleted")).toEqual(["a1"]);
    expect(idsOf(delta, "document")).toEqual(["f1"]);
    // A resume point after the deletion stream and after each content type.
    expect(delta.filter((event) => event.kind === "cursor")).toHaveLength(3);
  });

  it("refuses a cursor made for other content types", async () => {
    fixture.upsertEntry(article("a1", "Article"));
    const full = await collect(create().listAll(ctx()));
    const narrowed = create({ contentTypes: ["article"] });
    const error = await collect(changes(narrowed, lastCursor(full))).catch((e: unknown) => e);
    expect(isConnectorError(error) && error.kind).toBe("config");
    expect((error as Error).message).toMatch(
      /cursor covers content types \[\*\] but the source syncs \[article\]/,
    );
    await expect(collect(changes(narrowed, "not json"))).rejects.toThrow(
      /cursor is not JSON; run a full sync/,
    );
  });

  it("scopes by tags and deletes entries whose tag was removed", async () => {
    fixture.upsertEntry(article("pub", "Public", { tags: ["public"] }));
    fixture.upsertEntry(article("int", "Internal", { tags: ["internal"] }));
    const connector = create({ tags: ["public"] });

    const full = await collect(connector.listAll(ctx()));
    expect(idsOf(full, "document")).toEqual(["pub"]);
    const [doc] = await documentsOf(full);
    expect(doc?.metadata.labels).toEqual(["public"]);

    fixture.upsertEntry(article("pub", "Public", { tags: [] }));
    const delta = await collect(changes(connector, lastCursor(full)));
    expect(idsOf(delta, "deleted")).toEqual(["pub"]);
  });

  it("fetches by id: found → document, out of scope → deleted, not returned → missing (never proof)", async () => {
    fixture.upsertEntry(article("a1", "One"));
    fixture.upsertEntry({ id: "p1", contentType: "person", fields: { title: { "en-US": "Ada" } } });
    const connector = create({ contentTypes: ["article"] });

    const events = await collect(connector.fetchByIds(["a1", "gone", "p1"], ctx()));

    expect(events.map((event) => event.kind)).toEqual(["document", "missing", "deleted"]);
    const lookup = fixture.requests.find((request) => request.path.endsWith("/entries"));
    expect(lookup?.query.get("sys.id[in]")).toBe("a1,gone,p1");
    expect(lookup?.query.get("locale")).toBe("*");
    const [doc] = await documentsOf(events);
    expect(doc?.title).toBe("One");
  });

  it("renders Rich Text with embedded entries, assets and entry hyperlinks", async () => {
    fixture.upsertAsset({
      id: "shot",
      title: "Screenshot",
      url: "//images.example.net/shot.png",
      contentType: "image/png",
    });
    fixture.upsertAsset({
      id: "manual",
      title: "Manual",
      url: "//assets.example.net/manual.pdf",
      contentType: "application/pdf",
    });
    fixture.upsertEntry({
      id: "callout",
      contentType: "callout",
      fields: {
        title: { "en-US": "Heads up" },
        body: { "en-US": richText([paragraph(text("Back up first."))]) },
      },
    });
    fixture.upsertEntry(article("setup", "Setup guide"));
    fixture.upsertEntry({
      id: "rich",
      contentType: "article",
      fields: {
        title: { "en-US": "Rich" },
        slug: { "en-US": "rich" },
        body: {
          "en-US": richText([
            paragraph(
              text("See "),
              link(INLINES.ENTRY_HYPERLINK, "Entry", "setup", [text("the setup guide")]),
              text("."),
            ),
            embed(BLOCKS.EMBEDDED_ENTRY, "Entry", "callout"),
            embed(BLOCKS.EMBEDDED_ASSET, "Asset", "shot"),
            embed(BLOCKS.EMBEDDED_ASSET, "Asset", "manual"),
            embed(BLOCKS.EMBEDDED_ENTRY, "Entry", "missing"),
          ]),
        },
      },
    });
    // Webhook path: no sync items to reuse, so links are resolved from includes and by id.
    const connector = create({ contentTypes: ["article"] });
    const [event] = await collect(connector.fetchByIds(["rich"], ctx()));
    if (event?.kind !== "document") throw new Error("expected a document");
    const doc = await event.document.load();
    if (doc.body.kind !== "html") throw new Error("expected html");

    expect(doc.body.html).toContain(
      'See <a href="https://help.example.com/en-US/setup">the setup guide</a>.',
    );
    expect(doc.body.html).toContain(
      '<div data-contentful-entry="callout"><p><strong>Heads up</strong></p><p>Back up first.</p></div>',
    );
    expect(doc.body.html).toContain(
      '<figure><img src="https://images.example.net/shot.png" alt="Screenshot"></figure>',
    );
    expect(doc.body.html).toContain('<p><a href="https://assets.example.net/manual.pdf">Manual</a></p>');
    expect(doc.body.html).not.toContain("missing");

    // The same document through the sync renders identically.
    const listed = await documentsOf(await collect(create().listAll(ctx())));
    expect(listed.find((item) => item.externalId === "rich")?.body).toEqual(doc.body);
  });

  it("fills the author from a text field or a linked person entry", async () => {
    fixture.upsertEntry({ id: "ada", contentType: "person", fields: { name: { "en-US": "Ada Lovelace" } } });
    fixture.upsertEntry(
      article("linked", "Linked", {
        fields: {
          title: { "en-US": "Linked" },
          author: { "en-US": { sys: { type: "Link", linkType: "Entry", id: "ada" } } },
        },
      }),
    );
    fixture.upsertEntry(
      article("typed", "Typed", {
        fields: { title: { "en-US": "Typed" }, author: { "en-US": "Grace Hopper" } },
      }),
    );
    const connector = create({ authorField: "author", contentTypes: ["article"] });
    const events = await collect(connector.fetchByIds(["linked", "typed"], ctx()));
    const docs = await documentsOf(events);
    expect(docs.map((doc) => doc.metadata.author)).toEqual(["Ada Lovelace", "Grace Hopper"]);
  });

  it("fails with an auth error naming the env var, never the token", async () => {
    fixture.upsertEntry(article("a1", "One"));
    const connector = create({}, { CF_TOKEN: "wrong-secret-value" });
    const error = await collect(connector.listAll(ctx())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: "auth", status: 401, credentialEnv: "CF_TOKEN", sourceId: "help" });
    expect((error as Error).message).toContain("CF_TOKEN");
    expect((error as Error).message).not.toContain("wrong-secret-value");
  });

  it("names the missing env var at create time", () => {
    expect(() => create({}, {})).toThrow(
      /env var CF_TOKEN holding the Contentful Delivery API token is not set/,
    );
  });

  it("waits the X-Contentful-RateLimit-Reset seconds after a 429, then retries", async () => {
    fixture.upsertEntry(article("a1", "One"));
    const connector = create();
    await collect(connector.fetchByIds(["a1"], ctx())); // locales loaded before timers are faked
    fixture.rateLimitOnce = "/sync";
    fixture.rateLimitResetSeconds = 3;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });

    const listing = collect(connector.listAll(ctx()));
    const syncCalls = () => fixture.requests.filter((request) => request.path.endsWith("/sync")).length;
    await vi.waitFor(() => expect(syncCalls()).toBe(1), { interval: 5 });
    await vi.advanceTimersByTimeAsync(2_900);
    expect(syncCalls()).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    vi.useRealTimers();

    const events = await listing;
    expect(idsOf(events, "document")).toEqual(["a1"]);
    expect(syncCalls()).toBe(2);
  });

  it("rejects unknown options, a missing delivery token and drafts without a preview token", () => {
    expect(() => contentfulConnector.optionsSchema.parse({ spaceId: "s" })).toThrow(/accessTokenEnv/);
    expect(
      contentfulConnector.optionsSchema.parse({
        spaceId: "s",
        includeDrafts: true,
        previewAccessTokenEnv: "P",
      }),
    ).toMatchObject({ environment: "master", titleField: "title", bodyField: "body", pageSize: 100 });
    expect(() =>
      contentfulConnector.optionsSchema.parse({ spaceId: "s", accessTokenEnv: "T", extra: 1 }),
    ).toThrow(/extra/);
    expect(() =>
      contentfulConnector.optionsSchema.parse({ spaceId: "s", accessTokenEnv: "T", includeDrafts: true }),
    ).toThrow(/previewAccessTokenEnv/);
    expect(() =>
      contentfulConnector.optionsSchema.parse({ spaceId: "s", accessTokenEnv: "not a name" }),
    ).toThrow(/NAME of an environment variable/);
  });
});

describe("contentful connector (Preview API, drafts)", () => {
  let fixture: ContentfulFixture;
  let baseUrl: string;
  let connector: Connector;

  beforeEach(async () => {
    fixture = new ContentfulFixture({ api: "preview", spaceId: "space1", token: PREVIEW_TOKEN });
    baseUrl = await fixture.start();
    connector = contentfulConnector.create(
      contentfulConnector.optionsSchema.parse({
        spaceId: "space1",
        accessTokenEnv: "CF_TOKEN",
        previewAccessTokenEnv: "CF_PREVIEW_TOKEN",
        includeDrafts: true,
        baseUrl,
        pageSize: 2,
        overlapSeconds: 300,
      }),
      { sourceId: "help", logger, env: { CF_PREVIEW_TOKEN: PREVIEW_TOKEN } },
    );
  });

  afterEach(async () => {
    await fixture.stop();
  });

  it("lists drafts and published entries through the entries collection, never the Sync API", async () => {
    fixture.upsertEntry(article("p1", "Published"));
    fixture.upsertEntry(article("d1", "Draft", { status: "draft" }));
    fixture.upsertEntry(article("d2", "Draft 2", { status: "draft" }));

    const events = await collect(connector.listAll(ctx()));

    expect(idsOf(events, "document")).toEqual(["d1", "d2", "p1"]);
    expect(fixture.requests.some((request) => request.path.endsWith("/sync"))).toBe(false);
    const pages = fixture.requests.filter((request) => request.path.endsWith("/entries"));
    expect(pages.map((request) => request.query.get("skip"))).toEqual(["0", "2"]);
    const docs = await documentsOf(events);
    expect(docs.find((doc) => doc.externalId === "d1")?.metadata.status).toBe("draft");
    expect(docs.find((doc) => doc.externalId === "p1")?.metadata.status).toBe("published");
    expect(JSON.parse(lastCursor(events))).toEqual({
      v: 1,
      mode: "updated",
      since: "2026-01-10T10:00:00.000Z",
    });
  });

  it("queries one content type at a time, since content_type takes a single id", async () => {
    fixture.upsertEntry(article("a1", "Article"));
    fixture.upsertEntry({
      id: "f1",
      contentType: "faq",
      fields: { title: { "en-US": "FAQ" } },
      status: "draft",
    });
    fixture.upsertEntry({ id: "x1", contentType: "other", fields: { title: { "en-US": "Other" } } });
    const scoped = contentfulConnector.create(
      contentfulConnector.optionsSchema.parse({
        spaceId: "space1",
        previewAccessTokenEnv: "CF_PREVIEW_TOKEN",
        includeDrafts: true,
        baseUrl,
        contentTypes: ["article", "faq"],
      }),
      { sourceId: "help", logger, env: { CF_PREVIEW_TOKEN: PREVIEW_TOKEN } },
    );
    const events = await collect(scoped.listAll(ctx()));
    expect(idsOf(events, "document")).toEqual(["a1", "f1"]);
    const queried = fixture.requests
      .filter((request) => request.path.endsWith("/entries"))
      .map((request) => request.query.get("content_type"));
    expect(queried).toEqual(["article", "faq"]);
  });

  it("fails a listing whose pages shifted under a deletion instead of letting live entries be deleted", async () => {
    for (const id of ["e1", "e2", "e3", "e4", "e5"]) {
      fixture.upsertEntry(article(id, id));
      fixture.tick(1);
    }
    fixture.afterResponse = (path, query) => {
      if (path.endsWith("/entries") && query.get("skip") === "0") {
        fixture.afterResponse = undefined;
        fixture.deleteEntry("e1");
      }
    };
    const error = await collect(connector.listAll(ctx())).catch((e: unknown) => e);
    expect(isConnectorError(error) && error.kind).toBe("unavailable");
    expect((error as Error).message).toMatch(/changed while paging \(the total went from 5 to 4\)/);
  });

  it("re-reads an overlap window before the cursor so clock skew loses no edits", async () => {
    fixture.upsertEntry(article("old", "Old"));
    fixture.tick(3600);
    const full = await collect(connector.listAll(ctx()));
    const since = JSON.parse(lastCursor(full)).since as string;

    // An edit stamped two minutes before the cursor (the CMS clock lags) and one after it.
    fixture.now = new Date(new Date(since).getTime() - 120_000);
    fixture.upsertEntry(article("skewed", "Skewed"));
    fixture.now = new Date(new Date(since).getTime() + 60_000);
    fixture.upsertEntry(article("later", "Later"));

    const delta = await collect(changes(connector, lastCursor(full)));

    expect(idsOf(delta, "document")).toEqual(["later", "skewed"]);
    const request = fixture.requests.filter((item) => item.path.endsWith("/entries")).at(-1);
    expect(request?.query.get("sys.updatedAt[gte]")).toBe(
      new Date(new Date(since).getTime() - 300_000).toISOString(),
    );
    expect(request?.query.get("order")).toBe("-sys.updatedAt,sys.id");
    expect(JSON.parse(lastCursor(delta)).since).toBe(fixture.now.toISOString());
  });
});

type Node = { nodeType: string; data: Record<string, unknown>; content?: Node[]; value?: string; marks?: [] };

function richText(content: Node[]): Node {
  return { nodeType: BLOCKS.DOCUMENT, data: {}, content };
}
function paragraph(...content: Node[]): Node {
  return { nodeType: BLOCKS.PARAGRAPH, data: {}, content };
}
function text(value: string): Node {
  return { nodeType: "text", value, marks: [], data: {} };
}
function target(linkType: string, id: string) {
  return { target: { sys: { type: "Link", linkType, id } } };
}
function embed(nodeType: string, linkType: string, id: string): Node {
  return { nodeType, data: target(linkType, id), content: [] };
}
function link(nodeType: string, linkType: string, id: string, content: Node[]): Node {
  return { nodeType, data: target(linkType, id), content };
}
