import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Connector, FetchedDocument, SourceEvent } from "../../src/contract.js";
import { confluenceConnector } from "../../src/confluence/index.js";
import { ConnectorError } from "../../src/errors.js";
import { ConfluenceFixture } from "./confluence-fixture.js";

const EMAIL = "ada@example.com";
const TOKEN = "ATATT3xFfGF0-secret-api-token";
const PAT = "NjQ2MzE3OTk5-personal-access-token";
const logger = pino({ level: "silent" });
const ctx = () => ({ signal: new AbortController().signal, logger });

async function collect(iterable: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

async function documents(events: SourceEvent[]): Promise<Map<string, FetchedDocument>> {
  const docs = new Map<string, FetchedDocument>();
  for (const event of events)
    if (event.kind === "document") docs.set(event.document.externalId, await event.document.load());
  return docs;
}

const ids = (events: SourceEvent[], kind: SourceEvent["kind"]) =>
  events
    .flatMap((event) =>
      event.kind !== kind
        ? []
        : event.kind === "document"
          ? [event.document.externalId]
          : "externalId" in event
            ? [event.externalId]
            : [],
    )
    .sort();

const lastCursor = (events: SourceEvent[]): string => {
  const last = events.at(-1);
  if (last?.kind !== "cursor") throw new Error(`last event is ${last?.kind}`);
  return last.cursor;
};

const changes = (connector: Connector, cursor: string) => {
  if (!connector.listChanges) throw new Error("no change feed");
  return collect(connector.listChanges(cursor, ctx()));
};

async function failure(run: Promise<unknown>): Promise<ConnectorError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`);
  return error;
}

describe("confluence connector (Cloud)", () => {
  let fixture: ConfluenceFixture;
  afterEach(async () => fixture?.close());

  const cloud = async () => {
    fixture = await ConfluenceFixture.start("cloud", { basic: [EMAIL, TOKEN] });
    return fixture;
  };
  const connect = (
    options: Record<string, unknown> = {},
    env: Record<string, string> = { CF_EMAIL: EMAIL, CF_TOKEN: TOKEN },
  ) =>
    confluenceConnector.create(
      confluenceConnector.optionsSchema.parse({
        baseUrl: fixture.url,
        auth: { type: "basic", usernameEnv: "CF_EMAIL", passwordEnv: "CF_TOKEN" },
        pageSize: 2,
        ...options,
      }),
      { sourceId: "wiki", logger, env },
    );

  it("lists spaces, pages and blog posts across cursor pages with metadata, canonical URL and cleaned export_view", async () => {
    await cloud();
    fixture.addSpace("ENG");
    fixture.addSpace("OLD", "archived");
    const root = fixture.create({ title: "Handbook", space: "ENG", labels: ["public"] });
    const child = fixture.create({
      title: "On call",
      space: "ENG",
      parentId: root,
      labels: ["ops", "public"],
      author: "Grace Hopper",
      html:
        '<p>Page <a href="/wiki/spaces/ENG/pages/1">link</a> <img class="emoticon emoticon-smile" data-emoji-fallback="🙂" alt="(smile)" src="/wiki/s/smile.png"></p>' +
        '<div class="confluence-information-macro confluence-information-macro-note"><span class="aui-icon confluence-information-macro-icon"></span><div class="confluence-information-macro-body"><p>Note body</p></div></div>' +
        "<ac:structured-macro><ac:parameter>x</ac:parameter><ac:rich-text-body><p>Leftover</p></ac:rich-text-body></ac:structured-macro>",
    });
    const grandchild = fixture.create({ title: "Escalation", space: "ENG", parentId: child });
    const fourth = fixture.create({ title: "Glossary", space: "ENG" });
    const post = fixture.create({ type: "blogpost", title: "Release notes", space: "ENG" });
    fixture.create({ title: "Archived page", space: "ENG", status: "archived" });
    fixture.create({ title: "Secret", space: "ENG", restricted: true });
    fixture.create({ title: "Old space page", space: "OLD" });

    const events = await collect(connect().listAll(ctx()));

    expect(ids(events, "document")).toEqual([root, child, grandchild, fourth, post].sort());
    const docs = await documents(events);
    const doc = docs.get(child);
    expect(doc).toMatchObject({
      externalId: child,
      version: "1",
      title: "On call",
      url: `${fixture.base}/spaces/ENG/pages/${child}/On%2Bcall`,
      metadata: {
        type: "page",
        status: "current",
        space: "ENG",
        author: "Grace Hopper",
        labels: ["ops", "public"],
        path: "Handbook/On call",
      },
    });
    const html = doc?.body.kind === "html" ? doc.body.html : "";
    expect(html).toContain(`href="${fixture.server.url}/wiki/spaces/ENG/pages/1"`);
    expect(html).toContain("🙂");
    expect(html).toContain("<div><p>Note body</p></div>");
    expect(html).toContain("<p>Leftover</p>");
    expect(html).not.toMatch(/ac:|confluence-information-macro|<img/);
    expect(docs.get(grandchild)?.metadata.path).toBe("Handbook/On call/Escalation");
    expect(docs.get(post)?.metadata.type).toBe("blogpost");
    expect(docs.get(post)?.url).toMatch(/\/spaces\/ENG\/blog\/2026\/03\/02\//);

    // Five current pages (one restricted, filtered here) at two per request: later requests follow
    // the Link header's opaque cursor.
    const pages = fixture.server.requestsTo(/\/wiki\/api\/v2\/spaces\/\d+\/pages$/);
    expect(pages).toHaveLength(3);
    expect(pages[1]?.query.get("cursor")).toBeTruthy();
    expect(pages[0]?.query.getAll("status")).toEqual(["current"]);
    expect(fixture.server.requestsTo("/wiki/api/v2/spaces")[0]?.query.get("status")).toBe("current");
    // Bodies come from the per-page call: list endpoints do not serve export_view.
    expect(fixture.server.requestsTo(`/wiki/api/v2/pages/${child}`)[0]?.query.get("body-format")).toBe(
      "export_view",
    );
    expect(pages.every((request) => request.query.get("body-format") === null)).toBe(true);
    expect(JSON.parse(lastCursor(events))).toMatchObject({ v: 1, since: "2026-03-02T09:00:00.000Z" });
  });

  it("scopes by spaces and labels, and includes archived and restricted content only when configured", async () => {
    await cloud();
    fixture.addSpace("ENG");
    fixture.addSpace("HR");
    const tagged = fixture.create({ title: "Tagged", space: "ENG", labels: ["kb"] });
    fixture.create({ title: "Internal", space: "ENG", labels: ["kb", "internal"] });
    fixture.create({ title: "Untagged", space: "ENG" });
    fixture.create({ title: "HR page", space: "HR", labels: ["kb"] });
    const archived = fixture.create({ title: "Archived", space: "ENG", status: "archived" });
    const restricted = fixture.create({ title: "Restricted", space: "ENG", restricted: true });

    const scoped = await collect(
      connect({ spaces: ["ENG"], labels: { include: ["kb"], exclude: ["internal"] } }).listAll(ctx()),
    );
    expect(ids(scoped, "document")).toEqual([tagged]);
    expect(fixture.server.requestsTo("/wiki/api/v2/spaces").at(-1)?.query.getAll("keys")).toEqual(["ENG"]);

    const wide = await collect(
      connect({
        spaces: ["ENG"],
        includeArchived: true,
        includeRestricted: true,
        contentTypes: ["page"],
      }).listAll(ctx()),
    );
    expect(ids(wide, "document")).toEqual(expect.arrayContaining([archived, restricted]));
    expect((await documents(wide)).get(restricted)?.metadata.restricted).toBe("true");

    const error = await failure(collect(connect({ spaces: ["NOPE"] }).listAll(ctx())));
    expect(error.kind).toBe("config");
    expect(error.message).toContain("NOPE");
  });

  it("reads changes since the cursor minus the overlap in the user's time zone, and deletes trashed or out-of-scope content", async () => {
    await cloud();
    fixture.addSpace("ENG");
    const keep = fixture.create({ title: "Keep", space: "ENG" });
    const edited = fixture.create({ title: "Edited", space: "ENG" });
    const trashed = fixture.create({ title: "Trashed", space: "ENG" });
    const relabelled = fixture.create({ title: "Relabelled", space: "ENG" });
    fixture.tick(3600);
    const connector = connect({
      spaces: ["ENG"],
      labels: { exclude: ["obsolete"] },
      cqlTimeZone: "Asia/Kolkata",
    });
    const full = await collect(connector.listAll(ctx()));
    const since = new Date(JSON.parse(lastCursor(full)).since as string);

    // The wiki's clock lags ours: an edit stamped four minutes before the cursor must still be seen.
    fixture.userTimeZone = "Asia/Kolkata";
    fixture.now = new Date(since.getTime() - 4 * 60_000);
    fixture.edit(edited, { title: "Edited again" });
    fixture.now = new Date(since.getTime() + 30_000);
    fixture.edit(relabelled, { labels: ["obsolete"] });
    const added = fixture.create({ title: "Added", space: "ENG" });
    fixture.trash(trashed);

    const delta = await changes(connector, lastCursor(full));

    expect(ids(delta, "document")).toEqual([edited, added].sort());
    expect(ids(delta, "document")).not.toContain(keep);
    expect(ids(delta, "deleted")).toEqual([trashed, relabelled].sort());
    const search = fixture.server.requestsTo("/wiki/rest/api/content/search").at(-1);
    // 09:00 + 1 h UTC minus the 10-minute overlap, written in India Standard Time (UTC+5:30).
    expect(search?.query.get("cql")).toBe(
      'type in (page,blogpost) and lastmodified >= "2026/03/02 15:20" and space in ("ENG") order by lastmodified asc',
    );
    const trash = fixture.server.requestsTo("/wiki/api/v2/pages").at(-1);
    expect(trash?.query.get("status")).toBe("trashed");
    expect(trash?.query.getAll("space-id")).toEqual([fixture.spaces[0]?.id]);
    expect((await documents(delta)).get(edited)?.title).toBe("Edited again");
    expect(JSON.parse(lastCursor(delta)).since).toBe(fixture.now.toISOString());
  });

  it("pages through CQL search results with the cursor in _links.next", async () => {
    await cloud();
    fixture.addSpace("ENG");
    const created = Array.from({ length: 5 }, (_, index) =>
      fixture.create({ title: `Page ${index}`, space: "ENG" }),
    );
    const connector = connect();
    const cursor = JSON.stringify({
      ...JSON.parse(lastCursor(await collect(connector.listAll(ctx())))),
      since: "2026-03-02T08:59:00.000Z",
    });
    const delta = await changes(connector, cursor);
    expect(ids(delta, "document")).toEqual([...created].sort());
    const searches = fixture.server
      .requestsTo("/wiki/rest/api/content/search")
      .filter((request) => request.query.get("cql")?.includes("lastmodified"));
    expect(searches).toHaveLength(3);
    expect(searches[1]?.query.get("cursor")).toBeTruthy();
    expect(searches[1]?.query.get("start")).toBeNull();
  });

  it("refuses corrupt cursors as config errors and expires cursors of another scope or too old", async () => {
    await cloud();
    fixture.addSpace("ENG");
    const connector = connect();
    const corrupt = await failure(changes(connector, "{not json"));
    expect(corrupt.kind).toBe("config");
    const cursor = lastCursor(await collect(connector.listAll(ctx())));
    const otherScope = await failure(changes(connect({ spaces: ["ENG"] }), cursor));
    expect(otherScope.kind).toBe("cursor_expired");
    const old = JSON.stringify({ ...JSON.parse(cursor), since: "2025-01-01T00:00:00.000Z" });
    const expired = await failure(changes(connector, old));
    expect(expired).toMatchObject({ kind: "cursor_expired" });
    expect(expired.message).toContain("maxCursorAgeDays");
  });

  it("fetches by id: documents, deleted for trashed or out-of-scope content, missing for ids Confluence does not return", async () => {
    await cloud();
    fixture.addSpace("ENG");
    const live = fixture.create({ title: "Live", space: "ENG" });
    const trashed = fixture.create({ title: "Trashed", space: "ENG" });
    fixture.trash(trashed);
    const restricted = fixture.create({ title: "Restricted", space: "ENG", restricted: true });
    const events = await collect(
      connect().fetchByIds([live, trashed, restricted, "99999", "not-an-id"], ctx()),
    );
    expect(events.map((event) => event.kind)).toEqual([
      "document",
      "deleted",
      "deleted",
      "missing",
      "missing",
    ]);
    expect((await documents(events)).get(live)?.title).toBe("Live");

    // Listed, then purged before its body is read: a failure of that document, not a deletion.
    const [listed] = await collect(connect().fetchByIds([live], ctx()));
    fixture.purge(live);
    if (listed?.kind !== "document") throw new Error("expected a document");
    const error = await failure(listed.document.load());
    expect(error).toMatchObject({ kind: "unavailable", status: 404 });
    expect(error.message).toContain("not found when its body was read");
  });

  it("folds footer comments into the page and syncs PDF/DOCX attachments as documents linked to their page", async () => {
    await cloud();
    fixture.addSpace("ENG");
    const page = fixture.create({ title: "Specs", space: "ENG", comments: ["<p>First!</p>", "<p>LGTM</p>"] });
    const pdf = fixture.attach(
      page,
      "spec.pdf",
      "application/pdf",
      new TextEncoder().encode("%PDF-1.4\n%fixture\n"),
    );
    fixture.attach(page, "photo.png", "image/png", new Uint8Array([137, 80, 78, 71]));
    const events = await collect(connect({ includeComments: true, attachments: true }).listAll(ctx()));
    expect(ids(events, "document")).toEqual([page, `attachment:${pdf}`].sort());
    const docs = await documents(events);
    const body = docs.get(page)?.body;
    const html = body?.kind === "html" ? body.html : "";
    expect(html).toContain("<h2>Comments</h2>");
    expect(html).toContain("LGTM");
    expect(docs.get(page)?.version).toBe("");
    const attachment = docs.get(`attachment:${pdf}`);
    expect(attachment).toMatchObject({
      title: "spec.pdf",
      version: "1",
      metadata: {
        type: "attachment",
        parentId: page,
        parentTitle: "Specs",
        path: "Specs/spec.pdf",
        space: "ENG",
      },
      body: { kind: "binary", mediaType: "application/pdf" },
    });
    expect(attachment?.url).toContain(`${fixture.base}/pages/viewpageattachments.action?pageId=${page}`);
    const byId = await collect(connect({ attachments: true }).fetchByIds([`attachment:${pdf}`], ctx()));
    expect(byId.map((event) => event.kind)).toEqual(["document"]);

    // A file uploaded later to an unchanged page: CQL finds the attachment itself.
    fixture.tick(3600);
    const connector = connect({ includeComments: true, attachments: true });
    const cursor = lastCursor(await collect(connector.listAll(ctx())));
    fixture.tick(60);
    const docx = fixture.attach(
      page,
      "guide.docx",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      new Uint8Array([80, 75, 3, 4]),
    );
    fixture.attach(page, "diagram.png", "image/png", new Uint8Array([137, 80, 78, 71]));
    const delta = await changes(connector, cursor);
    expect(ids(delta, "document")).toEqual([`attachment:${docx}`]);
    expect((await documents(delta)).get(`attachment:${docx}`)?.metadata).toMatchObject({
      parentId: page,
      type: "attachment",
    });
    expect(fixture.server.requestsTo("/wiki/rest/api/content/search").at(-1)?.query.get("cql")).toContain(
      "type in (page,blogpost,attachment)",
    );
  });

  it("fails on a refused credential naming its env var, never the secret, and yields nothing", async () => {
    await cloud();
    fixture.addSpace("ENG");
    fixture.create({ title: "Page", space: "ENG" });
    const events: SourceEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of connect({}, { CF_EMAIL: EMAIL, CF_TOKEN: "wrong-token-value" }).listAll(
          ctx(),
        ))
          events.push(event);
      })(),
    );
    expect(events).toEqual([]);
    expect(error).toMatchObject({ kind: "auth", credentialEnv: "CF_TOKEN", sourceId: "wiki", status: 401 });
    expect(error.message).toContain("CF_TOKEN");
    expect(error.message).toContain('"wiki"');
    expect(error.message).not.toContain("wrong-token-value");
    const missing = await failure(Promise.resolve().then(() => connect({}, { CF_EMAIL: EMAIL })));
    expect(missing).toMatchObject({ kind: "config", credentialEnv: "CF_TOKEN" });
  });

  it("works through the api.atlassian.com gateway with a bearer token, following site-relative links under it", async () => {
    fixture = await ConfluenceFixture.start(
      "cloud",
      { bearer: "oauth-access-token" },
      { cloudId: "a1b2c3d4-cloud" },
    );
    fixture.addSpace("ENG");
    const created = Array.from({ length: 3 }, (_, index) =>
      fixture.create({ title: `Page ${index}`, space: "ENG" }),
    );
    const connector = confluenceConnector.create(
      confluenceConnector.optionsSchema.parse({
        baseUrl: fixture.url,
        auth: { type: "bearer", tokenEnv: "CF_OAUTH" },
        pageSize: 2,
      }),
      { sourceId: "wiki", logger, env: { CF_OAUTH: "oauth-access-token" } },
    );
    const events = await collect(connector.listAll(ctx()));
    expect(ids(events, "document")).toEqual([...created].sort());
    const pages = fixture.server.requestsTo(/\/wiki\/api\/v2\/spaces\/\d+\/pages$/);
    expect(pages.map((request) => request.path.startsWith("/ex/confluence/a1b2c3d4-cloud/wiki/"))).toEqual([
      true,
      true,
    ]);
    // Canonical URLs come from `_links.base` (the site), not from the gateway.
    expect((await documents(events)).get(created[0] ?? "")?.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/wiki\/spaces\/ENG\//,
    );
  });

  it("retries a 503 and offers no webhook handler on Cloud", async () => {
    await cloud();
    fixture.addSpace("ENG");
    const page = fixture.create({ title: "Page", space: "ENG" });
    fixture.server.failNext(1, { status: 503, body: "Service Unavailable" });
    const connector = connect();
    expect(ids(await collect(connector.listAll(ctx())), "document")).toEqual([page]);
    expect(fixture.server.requestsTo("/wiki/api/v2/spaces")).toHaveLength(2);
    expect(connector.webhook).toBeUndefined();
  });

  it("waits out a 429 with Retry-After and then succeeds", async () => {
    await cloud();
    fixture.addSpace("ENG");
    const page = fixture.create({ title: "Page", space: "ENG" });
    fixture.server.failNext(1, {
      status: 429,
      headers: { "retry-after": "1" },
      json: {
        errors: [{ status: 429, code: "TOO_MANY_REQUESTS", title: "Too Many Requests", detail: null }],
      },
    });
    const events = await collect(connect().listAll(ctx()));
    expect(ids(events, "document")).toEqual([page]);
    expect(fixture.server.requests[0]?.path).toBe("/wiki/api/v2/spaces");
    expect(fixture.server.requestsTo("/wiki/api/v2/spaces")).toHaveLength(2);
  });
});

describe("confluence connector (Data Center)", () => {
  let fixture: ConfluenceFixture;
  afterEach(async () => fixture?.close());

  const connect = (options: Record<string, unknown> = {}) =>
    confluenceConnector.create(
      confluenceConnector.optionsSchema.parse({
        deployment: "datacenter",
        baseUrl: fixture.url,
        auth: { type: "bearer", tokenEnv: "CONFLUENCE_PAT" },
        pageSize: 2,
        ...options,
      }),
      { sourceId: "dc-wiki", logger, env: { CONFLUENCE_PAT: PAT } },
    );

  it("lists with start/limit under the context path, reads changes and the trash, with a personal access token", async () => {
    fixture = await ConfluenceFixture.start("datacenter", { bearer: PAT });
    fixture.addSpace("DOC");
    const root = fixture.create({ title: "Root", space: "DOC" });
    const pages = [
      root,
      ...Array.from({ length: 3 }, (_, index) =>
        fixture.create({ title: `Child ${index}`, space: "DOC", parentId: root }),
      ),
    ];
    const post = fixture.create({ type: "blogpost", title: "News", space: "DOC", comments: ["<p>Nice</p>"] });
    const connector = connect({ spaces: ["DOC"], includeComments: true });
    fixture.tick(3600);

    const full = await collect(connector.listAll(ctx()));
    expect(ids(full, "document")).toEqual([...pages, post].sort());
    const listing = fixture.server
      .requestsTo("/confluence/rest/api/content")
      .filter((request) => request.query.get("type") === "page");
    expect(listing.map((request) => request.query.get("start"))).toEqual(["0", "2"]);
    expect(listing[0]?.headers.authorization).toBe(`Bearer ${PAT}`);
    const docs = await documents(full);
    expect(docs.get(pages[1] ?? "")).toMatchObject({
      url: `${fixture.base}/pages/viewpageattachments.action?pageId=${pages[1]}`.replace(
        "viewpageattachments",
        "viewpage",
      ),
      metadata: { path: "Root/Child 0", space: "DOC" },
    });
    const news = docs.get(post)?.body;
    expect(news?.kind === "html" ? news.html : "").toContain("Nice");

    fixture.tick(120);
    fixture.edit(root, { title: "Root v2" });
    fixture.trash(pages[2] ?? "");
    const delta = await changes(connector, lastCursor(full));
    expect(ids(delta, "document")).toEqual([root]);
    expect(ids(delta, "deleted")).toEqual([pages[2]]);
    const search = fixture.server.requestsTo("/confluence/rest/api/content/search").at(-1);
    expect(search?.query.get("start")).toBe("0");
    expect(search?.query.get("cql")).toContain('lastmodified >= "2026/03/02 09:50"');
  });

  it("fails on a refused personal access token naming CONFLUENCE_PAT", async () => {
    fixture = await ConfluenceFixture.start("datacenter", { bearer: "another-token" });
    const error = await failure(collect(connect().listAll(ctx())));
    expect(error).toMatchObject({ kind: "auth", credentialEnv: "CONFLUENCE_PAT" });
    expect(error.message).not.toContain(PAT);
  });
});

describe("confluence options", () => {
  const parse = (options: Record<string, unknown>) =>
    confluenceConnector.optionsSchema.safeParse({
      baseUrl: "https://acme.atlassian.net",
      auth: { type: "bearer", tokenEnv: "T" },
      ...options,
    });
  const messages = (options: Record<string, unknown>) => {
    const result = parse(options);
    return result.success
      ? []
      : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  };

  it("accepts a minimal source and applies the documented defaults", () => {
    const result = parse({});
    expect(result.success && result.data).toMatchObject({
      deployment: "cloud",
      contentTypes: ["page", "blogpost"],
      includeComments: false,
      attachments: false,
      includeArchived: false,
      includeRestricted: false,
      overlapMinutes: 10,
      cqlTimeZone: "UTC",
    });
  });

  it("rejects bad input with messages naming the option", () => {
    expect(messages({ auth: { type: "bearer", tokenEnv: "not a name" } })[0]).toMatch(
      /auth.tokenEnv: must be the NAME/,
    );
    expect(messages({ spaces: ["has space"] })[0]).toMatch(/spaces.0: must be a space KEY/);
    expect(messages({ labels: { include: ["a"], exclude: ["a"] } })[0]).toMatch(
      /labels.exclude: labels both included and excluded: a/,
    );
    expect(messages({ cqlTimeZone: "Mars/Olympus" })[0]).toMatch(/cqlTimeZone: must be an IANA time zone/);
    expect(
      messages({ deployment: "datacenter", baseUrl: "https://api.atlassian.com/ex/confluence/abc" })[0],
    ).toMatch(/baseUrl: .*Cloud only/);
    expect(messages({ pageSize: 500 })[0]).toMatch(/^pageSize/);
    expect(messages({ auth: { type: "oauth-client-credentials" } })[0]).toMatch(/^auth/);
    expect(messages({ surprise: true })[0]).toMatch(/surprise/);
  });
});
