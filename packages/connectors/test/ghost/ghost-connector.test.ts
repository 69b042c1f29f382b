import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Connector, FetchedDocument, SourceEvent } from "../../src/contract.js";
import { isConnectorError } from "../../src/errors.js";
import { ghostConnector } from "../../src/ghost/ghost-connector.js";
import { GhostFixture } from "./ghost-fixture.js";

const CONTENT_KEY = "22444f78447824223cefc48062";
const ADMIN_ID = "6489a1b2c3d4e5f601234567";
const ADMIN_SECRET = "0123456789abcdef".repeat(4);
const logger = pino({ level: "silent" });

const ctx = () => ({ signal: new AbortController().signal, logger });

async function collect(iterable: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

function changes(connector: Connector, cursor: string): AsyncIterable<SourceEvent> {
  if (!connector.listChanges) throw new Error("connector has no change feed");
  return connector.listChanges(cursor, ctx());
}

async function documentsOf(events: SourceEvent[]): Promise<Map<string, FetchedDocument>> {
  const docs = new Map<string, FetchedDocument>();
  for (const event of events)
    if (event.kind === "document") docs.set(event.document.externalId, await event.document.load());
  return docs;
}

const ids = (events: SourceEvent[], kind: "document" | "deleted") =>
  events
    .flatMap((event) =>
      event.kind === "document" && kind === "document"
        ? [event.document.externalId]
        : event.kind === "deleted" && kind === "deleted"
          ? [event.externalId]
          : [],
    )
    .sort();

const lastCursor = (events: SourceEvent[]): string => {
  const last = events.at(-1);
  if (last?.kind !== "cursor") throw new Error(`last event is ${last?.kind}, not a cursor`);
  return last.cursor;
};

describe("ghost connector", () => {
  let fixture: GhostFixture;
  let apiUrl: string;

  beforeEach(async () => {
    fixture = new GhostFixture({
      contentKey: CONTENT_KEY,
      adminKeyId: ADMIN_ID,
      adminSecretHex: ADMIN_SECRET,
    });
    apiUrl = await fixture.start();
  });

  afterEach(async () => {
    vi.useRealTimers();
    await fixture.stop();
  });

  const content = (
    options: Record<string, unknown> = {},
    env: Record<string, string> = { GHOST_CONTENT_KEY: CONTENT_KEY },
  ) =>
    ghostConnector.create(
      ghostConnector.optionsSchema.parse({
        apiUrl,
        contentApiKeyEnv: "GHOST_CONTENT_KEY",
        pageSize: 2,
        ...options,
      }),
      { sourceId: "blog", logger, env },
    );

  const admin = (options: Record<string, unknown> = {}, key = `${ADMIN_ID}:${ADMIN_SECRET}`) =>
    ghostConnector.create(
      ghostConnector.optionsSchema.parse({
        apiUrl,
        adminApiKeyEnv: "GHOST_ADMIN_KEY",
        pageSize: 2,
        ...options,
      }),
      { sourceId: "blog", logger, env: { GHOST_ADMIN_KEY: key } },
    );

  it("pages through published, public posts and pages with the Content API", async () => {
    const first = fixture.upsert({
      title: "First",
      slug: "first",
      html: "<p>One</p>",
      tags: ["Guides"],
      author: "Grace",
    });
    fixture.upsert({ title: "Second", slug: "second" });
    fixture.upsert({ title: "Third", slug: "third" });
    fixture.upsert({ title: "Members", slug: "members", visibility: "members" });
    fixture.upsert({ title: "Draft", slug: "draft", status: "draft" });
    const about = fixture.upsert({ type: "page", title: "About", slug: "about" });

    const events = await collect(content().listAll(ctx()));

    expect(ids(events, "document")).toHaveLength(4);
    const docs = await documentsOf(events);
    expect([...docs.values()].map((doc) => doc.title).sort()).toEqual(["About", "First", "Second", "Third"]);
    expect(docs.get(first)).toMatchObject({
      title: "First",
      url: "https://blog.example.com/first/",
      body: { kind: "html", html: "<p>One</p>" },
      metadata: {
        type: "post",
        labels: ["Guides"],
        author: "Grace",
        status: "published",
        visibility: "public",
        path: "first",
      },
    });
    expect(docs.get(about)?.metadata.type).toBe("page");
    const posts = fixture.requests.filter((request) => request.resource === "posts");
    expect(posts.map((request) => request.query.get("page"))).toEqual(["1", "2"]);
    expect(posts[0]?.query.get("key")).toBe(CONTENT_KEY);
    expect(posts[0]?.query.get("formats")).toBe("html");
    expect(posts[0]?.query.get("include")).toBe("tags,authors");
    expect(posts[0]?.query.get("filter")).toBe("visibility:[public]");
    expect(posts[0]?.acceptVersion).toBe("v5.0");
    expect(JSON.parse(lastCursor(events))).toEqual({ v: 1, since: "2026-02-01T08:00:00.000Z" });
  });

  it("includes drafts and members-only posts through the Admin API only when configured", async () => {
    fixture.upsert({ title: "Live", slug: "live" });
    const draft = fixture.upsert({ title: "Draft", slug: "draft", status: "draft", html: "<p>Soon</p>" });
    const gated = fixture.upsert({
      title: "Gated",
      slug: "gated",
      visibility: "members",
      html: "<p>Secret sauce</p>",
    });

    const publishedOnly = await collect(admin({ resources: ["posts"] }).listAll(ctx()));
    expect(ids(publishedOnly, "document")).toHaveLength(1);

    const everything = await collect(
      admin({
        resources: ["posts"],
        statuses: ["published", "draft"],
        visibilities: ["public", "members"],
      }).listAll(ctx()),
    );
    const docs = await documentsOf(everything);
    expect(docs.size).toBe(3);
    expect(docs.get(draft)?.metadata.status).toBe("draft");
    expect(docs.get(draft)?.url).toMatch(/^https:\/\/blog\.example\.com\/p\//);
    expect(docs.get(gated)?.body).toEqual({ kind: "html", html: "<p>Secret sauce</p>" });
    const request = fixture.requests.at(-1);
    expect(request?.api).toBe("admin");
    expect(request?.query.get("filter")).toBe("status:[published,draft]+visibility:[public,members]");
    expect(request?.query.get("key")).toBeNull();
  });

  it("scopes by tag slugs and applies the URL template", async () => {
    const tagged = fixture.upsert({ title: "How to", slug: "how-to", tags: ["Help Center"] });
    fixture.upsert({ title: "News", slug: "news", tags: ["News"] });
    const events = await collect(
      content({ tags: ["help-center"], urlTemplate: "https://help.example.com/{type}/{slug}" }).listAll(
        ctx(),
      ),
    );
    const docs = await documentsOf(events);
    expect([...docs.keys()]).toEqual([tagged]);
    expect(docs.get(tagged)?.url).toBe("https://help.example.com/post/how-to");
  });

  it("reads changes since the cursor with an overlap and deletes posts that left the scope", async () => {
    const keep = fixture.upsert({ title: "Keep", slug: "keep" });
    const unpublish = fixture.upsert({ title: "Unpublish", slug: "unpublish" });
    fixture.tick(3600);
    const connector = admin({ resources: ["posts"] });
    const full = await collect(connector.listAll(ctx()));
    const since = new Date(JSON.parse(lastCursor(full)).since as string);

    // The CMS clock lags: an edit stamped two minutes before the cursor must still be seen.
    fixture.now = new Date(since.getTime() - 120_000);
    fixture.upsert({ title: "Unpublish", slug: "unpublish", status: "draft" });
    fixture.now = new Date(since.getTime() + 30_000);
    const added = fixture.upsert({ title: "Added", slug: "added" });

    const delta = await collect(changes(connector, lastCursor(full)));

    // "keep" was last edited an hour before the cursor, outside the overlap: not re-read.
    expect(ids(delta, "document")).toEqual([added]);
    expect(ids(delta, "document")).not.toContain(keep);
    expect(ids(delta, "deleted")).toEqual([unpublish]);
    const request = fixture.requests.at(-1);
    expect(request?.query.get("filter")).toBe(
      `updated_at:>='${new Date(since.getTime() - 300_000).toISOString().slice(0, 19).replace("T", " ")}'`,
    );
    expect(request?.query.get("order")).toBe("updated_at desc");
    expect(JSON.parse(lastCursor(delta)).since).toBe(fixture.now.toISOString());
    await expect(collect(changes(connector, '{"since":"yesterday"}'))).rejects.toMatchObject({
      kind: "config",
      message: expect.stringMatching(/not a Ghost cursor/),
    });
  });

  it("fails a full listing that lost items to a deletion mid-paging instead of letting them be deleted", async () => {
    const created = ["a", "b", "c", "d", "e"].map((slug) => fixture.upsert({ title: slug, slug }));
    fixture.afterResponse = (query) => {
      if (query.get("page") === "1") {
        fixture.afterResponse = undefined;
        fixture.remove(created[0] ?? "");
      }
    };
    const error = await collect(content({ resources: ["posts"] }).listAll(ctx())).catch((e: unknown) => e);
    expect(isConnectorError(error) && error.kind).toBe("unavailable");
    expect((error as Error).message).toMatch(/posts changed while paging \(the total went from 5 to 4\)/);
  });

  it("lists only what exists, so reconciliation after a full run removes deleted posts", async () => {
    const gone = fixture.upsert({ title: "Gone", slug: "gone" });
    const stays = fixture.upsert({ title: "Stays", slug: "stays" });
    fixture.remove(gone);
    const events = await collect(content().listAll(ctx()));
    expect(ids(events, "document")).toEqual([stays]);
  });

  it("fetches by id across posts and pages: found → document, not returned (gone or out of scope) → missing", async () => {
    const post = fixture.upsert({ title: "Post", slug: "post" });
    const page = fixture.upsert({ type: "page", title: "Page", slug: "page" });
    const draft = fixture.upsert({ title: "Draft", slug: "draft", status: "draft" });
    const events = await collect(admin().fetchByIds([post, page, draft, "64f0a0b0c0d0e0f0a0b0ffff"], ctx()));
    expect(events.map((event) => event.kind)).toEqual(["document", "document", "missing", "missing"]);
    const docs = await documentsOf(events);
    expect(docs.get(page)?.metadata.type).toBe("page");
    expect(fixture.requests[0]?.query.get("filter")).toContain(
      `id:[${post},${page},${draft},64f0a0b0c0d0e0f0a0b0ffff]`,
    );
  });

  it("fails with an auth error naming the env var for a wrong Content API key", async () => {
    fixture.upsert({ title: "Post", slug: "post" });
    const error = await collect(content({}, { GHOST_CONTENT_KEY: "nope-wrong" }).listAll(ctx())).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      name: "ConnectorError",
      kind: "auth",
      status: 401,
      credentialEnv: "GHOST_CONTENT_KEY",
    });
    expect((error as Error).message).toMatch(/source "blog".*GHOST_CONTENT_KEY/);
    // The Content API key travels as ?key=; it is cut out of the error's URL.
    expect((error as { url?: string }).url).toContain("key=redacted");
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain("nope-wrong");
  });

  it("fails with an auth error for an Admin key whose secret is wrong, without echoing it", async () => {
    const wrong = "f".repeat(64);
    const error = await collect(admin({}, `${ADMIN_ID}:${wrong}`).listAll(ctx())).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "auth", credentialEnv: "GHOST_ADMIN_KEY" });
    expect((error as Error).message).not.toContain(wrong);
  });

  it("names the env var when the Admin key is missing or malformed", () => {
    expect(() => admin({}, "")).toThrow(/env var GHOST_ADMIN_KEY holding the Ghost Admin API key is not set/);
    expect(() => admin({}, "not-a-key")).toThrow(/env var GHOST_ADMIN_KEY does not hold an Admin API key/);
  });

  it("honours Retry-After on 429 before retrying", async () => {
    fixture.upsert({ title: "Post", slug: "post" });
    fixture.rateLimitOnce = "/posts/";
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const listing = collect(content({ resources: ["posts"] }).listAll(ctx()));
    const calls = () => fixture.requests.length;
    await vi.waitFor(() => expect(calls()).toBe(1), { interval: 5 });
    await vi.advanceTimersByTimeAsync(1_900);
    expect(calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    vi.useRealTimers();
    expect(ids(await listing, "document")).toHaveLength(1);
    expect(calls()).toBe(2);
  });

  it("validates options: gated content needs the Admin API, unknown keys are rejected", () => {
    expect(() =>
      ghostConnector.optionsSchema.parse({
        apiUrl: "https://x.example",
        contentApiKeyEnv: "K",
        visibilities: ["members"],
      }),
    ).toThrow(/adminApiKeyEnv/);
    expect(() => ghostConnector.optionsSchema.parse({ apiUrl: "https://x.example" })).toThrow(
      /contentApiKeyEnv or adminApiKeyEnv/,
    );
    expect(() =>
      ghostConnector.optionsSchema.parse({
        apiUrl: "https://x.example",
        contentApiKeyEnv: "K",
        surprise: true,
      }),
    ).toThrow(/surprise/);
  });
});
