import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Connector, FetchedDocument, SourceEvent } from "../../src/contract.js";
import { ConnectorError } from "../../src/errors.js";
import { graphConnector } from "../../src/graph/index.js";
import { GraphFixture } from "./graph-fixture.js";

const SECRET = "Qx8Q~graph.client.secret~0123456789abcdef";
const logger = pino({ level: "silent" });
const ctx = () => ({ signal: new AbortController().signal, logger });

function connectorFor(
  fixture: GraphFixture,
  options: Record<string, unknown> = {},
  secret = SECRET,
): Connector {
  return graphConnector.create(
    graphConnector.optionsSchema.parse({
      tenantId: GraphFixture.tenant,
      clientId: GraphFixture.clientId,
      clientSecretEnv: "GRAPH_CLIENT_SECRET",
      baseUrl: fixture.baseUrl,
      tokenUrl: fixture.tokenUrl,
      pageSize: 2,
      ...options,
    }),
    { sourceId: "sharepoint-test", logger, env: { GRAPH_CLIENT_SECRET: secret } },
  );
}

/** Collects events until the iterable ends or throws; the error (if any) is returned beside them. */
async function drain(
  iterable: AsyncIterable<SourceEvent>,
): Promise<{ events: SourceEvent[]; error?: unknown }> {
  const events: SourceEvent[] = [];
  try {
    for await (const event of iterable) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

async function collect(iterable: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const { events, error } = await drain(iterable);
  if (error) throw error;
  return events;
}

const ofKind = (events: SourceEvent[], kind: SourceEvent["kind"]) =>
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

const cursors = (events: SourceEvent[]) =>
  events.flatMap((event) =>
    event.kind === "cursor" ? [JSON.parse(event.cursor) as { drives: Record<string, string> }] : [],
  );

const lastCursor = (events: SourceEvent[]): string => {
  const last = events.filter((event) => event.kind === "cursor").at(-1);
  if (last?.kind !== "cursor") throw new Error("no cursor event");
  return last.cursor;
};

async function documents(events: SourceEvent[]): Promise<Map<string, FetchedDocument>> {
  const docs = new Map<string, FetchedDocument>();
  for (const event of events)
    if (event.kind === "document") docs.set(event.document.externalId, await event.document.load());
  return docs;
}

const textOf = (doc: FetchedDocument | undefined): string => {
  const body = doc?.body;
  if (!body) return "";
  if (body.kind === "text") return body.text;
  if (body.kind === "markdown") return body.markdown;
  if (body.kind === "html") return body.html;
  return `binary ${body.mediaType}`;
};

const changesOf = (connector: Connector, cursor: string) => {
  if (!connector.listChanges) throw new Error("no change feed");
  return connector.listChanges(cursor, ctx());
};

describe("sharepoint connector (Microsoft Graph)", () => {
  let fixture: GraphFixture;
  let hr: string;
  let onedrive: string;
  const ids = { leave: "", travel: "", intro: "", onboarding: "", added: "" };

  beforeEach(async () => {
    fixture = await GraphFixture.start(SECRET);
    hr = fixture.addDrive("Documents", { site: "hr" });
    ids.leave = fixture.addFile(hr, "Policies/Leave.md", "# Leave\n\n25 days.", "text/markdown");
    ids.travel = fixture.addFile(
      hr,
      "Policies/Travel policy.html",
      "<h1>Travel</h1><p>Book early.</p>",
      "text/html",
    );
    ids.intro = fixture.addFile(hr, "Handbook/Intro.txt", "Welcome aboard.", "text/plain");
    fixture.addFile(hr, "Images/logo.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47]), "image/png");
    const gone = fixture.addFile(hr, "Policies/Old.md", "# Old", "text/markdown");
    fixture.deleteItem(hr, gone);
    onedrive = fixture.addDrive("OneDrive", { user: "adele@contoso.com" });
    ids.onboarding = fixture.addFile(
      onedrive,
      "Notes/Onboarding.md",
      "# Onboarding\n\nDay one.",
      "text/markdown",
    );
  });

  afterEach(async () => {
    await fixture.close();
  });

  const both = () => connectorFor(fixture, { sites: ["hr"], users: ["adele@contoso.com"] });

  it("lists the files of a site library and a user's OneDrive across delta pages, folders and tombstones left out", async () => {
    const events = await collect(both().listAll(ctx()));
    expect(ofKind(events, "document")).toEqual(
      [
        `${hr}:${ids.leave}`,
        `${hr}:${ids.travel}`,
        `${hr}:${ids.intro}`,
        `${onedrive}:${ids.onboarding}`,
      ].sort(),
    );
    expect(ofKind(events, "deleted")).toEqual([]);
    expect(ofKind(events, "failed")).toEqual([]);
    // pageSize 2: the HR drive's 10 delta entries (root, 3 folders, 5 files, 1 tombstone) take 5 pages.
    expect(fixture.api.requestsTo(`/v1.0/drives/${hr}/root/delta`)).toHaveLength(5);
    // One cursor per drive done, each carrying every position reached so far.
    expect(cursors(events).map((cursor) => Object.keys(cursor.drives).sort())).toEqual([
      [hr],
      [hr, onedrive].sort(),
    ]);
    // Delta answers carry no parentReference.path: paths come from the folders the feed listed.
    expect(fixture.api.requestsTo(/\/items\/[^/]+$/)).toHaveLength(0);

    const listed = events.flatMap((event) => (event.kind === "document" ? [event.document] : []));
    const leave = listed.find((document) => document.externalId === `${hr}:${ids.leave}`);
    expect(leave?.metadata).toEqual({
      path: "Policies/Leave.md",
      space: "Documents",
      type: "text/markdown",
      author: "Megan Bowen",
    });
    expect(leave?.version).toMatch(/^"c:\{.+\},1"\|[0-9a-f]{12}$/);

    const docs = await documents(events);
    const travel = docs.get(`${hr}:${ids.travel}`);
    expect(travel).toMatchObject({
      title: "Travel policy",
      url: "https://contoso.sharepoint.com/sites/hr/Documents/Policies/Travel%20policy.html",
      body: { kind: "html", html: "<h1>Travel</h1><p>Book early.</p>" },
    });
    expect(travel?.updatedAt).toBeInstanceOf(Date);
    expect(textOf(docs.get(`${onedrive}:${ids.onboarding}`))).toBe("# Onboarding\n\nDay one.");
    expect(docs.get(`${onedrive}:${ids.onboarding}`)?.metadata).toMatchObject({
      path: "Notes/Onboarding.md",
      space: "OneDrive",
    });
  });

  it("downloads through the 302 to the download host without the bearer token", async () => {
    const docs = await documents(await collect(both().listAll(ctx())));
    expect(docs.size).toBe(4);
    // The download host refuses any Authorization header, so four bodies prove none was sent.
    expect(fixture.downloads.requests).toHaveLength(4);
    for (const request of fixture.downloads.requests) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.query.get("tempauth")).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(fixture.api.requestsTo(/\/content$/)).toHaveLength(4);
    expect(textOf(docs.get(`${hr}:${ids.intro}`))).toBe("Welcome aboard.");
  });

  it("incremental: edits, deletions, a move with a rename (same externalId, new path and title) and a new file", async () => {
    const connector = both();
    const full = await collect(connector.listAll(ctx()));
    fixture.editFile(hr, ids.leave, "# Leave\n\n30 days.");
    fixture.deleteItem(hr, ids.travel);
    fixture.moveItem(hr, ids.intro, "Archive/2026/Introduction.txt");
    ids.added = fixture.addFile(onedrive, "Notes/Expenses.md", "# Expenses", "text/markdown");

    const changes = await collect(changesOf(connector, lastCursor(full)));
    expect(ofKind(changes, "document")).toEqual(
      [`${hr}:${ids.leave}`, `${hr}:${ids.intro}`, `${onedrive}:${ids.added}`].sort(),
    );
    expect(ofKind(changes, "deleted")).toEqual([`${hr}:${ids.travel}`]);
    const docs = await documents(changes);
    expect(textOf(docs.get(`${hr}:${ids.leave}`))).toBe("# Leave\n\n30 days.");
    expect(docs.get(`${hr}:${ids.intro}`)).toMatchObject({
      title: "Introduction",
      metadata: { path: "Archive/2026/Introduction.txt" },
    });
    // The edited file's folder was not in the feed's answer: read once by id for its path.
    expect(docs.get(`${hr}:${ids.leave}`)?.metadata.path).toBe("Policies/Leave.md");

    const before = full.find(
      (event) => event.kind === "document" && event.document.externalId === `${hr}:${ids.intro}`,
    );
    const after = changes.find(
      (event) => event.kind === "document" && event.document.externalId === `${hr}:${ids.intro}`,
    );
    if (before?.kind !== "document" || after?.kind !== "document") throw new Error("intro not listed");
    // A move changes what the page shows (title, URL): the version says so; the content tag did not change.
    expect(after.document.version).not.toBe(before.document.version);
    expect(after.document.version.split("|")[0]).toBe(before.document.version.split("|")[0]);

    const quiet = await collect(changesOf(connector, lastCursor(changes)));
    expect(quiet.filter((event) => event.kind !== "cursor")).toEqual([]);
  });

  it("a delta token Graph answers 410 for is cursor_expired before any event (the engine lists everything)", async () => {
    const connector = both();
    const cursor = lastCursor(await collect(connector.listAll(ctx())));
    fixture.editFile(hr, ids.leave, "# Leave\n\nchanged");
    fixture.expireTokens(onedrive);
    const { events, error } = await drain(changesOf(connector, cursor));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: "cursor_expired", status: 410 });
  });

  it("a drive that answers 403: the other drive's changes and position go on, the refused one keeps its position, the run throws auth", async () => {
    const connector = both();
    const start = lastCursor(await collect(connector.listAll(ctx())));
    fixture.editFile(hr, ids.leave, "# Leave\n\n40 days.");
    fixture.editFile(onedrive, ids.onboarding, "# Onboarding\n\nDay two.");
    fixture.forbid(hr);

    const { events, error } = await drain(changesOf(connector, start));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: "auth", status: 403 });
    expect((error as Error).message).toContain("403");
    expect(ofKind(events, "document")).toEqual([`${onedrive}:${ids.onboarding}`]);
    const before = JSON.parse(start) as { drives: Record<string, string> };
    const after = JSON.parse(lastCursor(events)) as { drives: Record<string, string> };
    expect(after.drives[hr]).toBe(before.drives[hr]);
    expect(after.drives[onedrive]).not.toBe(before.drives[onedrive]);

    // Access restored: the refused drive's change is still there to be read.
    fixture.forbid(hr, false);
    const resumed = await collect(changesOf(connector, lastCursor(events)));
    expect(ofKind(resumed, "document")).toEqual([`${hr}:${ids.leave}`]);
  });

  it("a full listing with a refused drive lists the other and throws (an incomplete listing deletes nothing)", async () => {
    fixture.forbid(hr);
    const { events, error } = await drain(both().listAll(ctx()));
    expect(error).toMatchObject({ kind: "auth", status: 403 });
    expect(ofKind(events, "document")).toEqual([`${onedrive}:${ids.onboarding}`]);
    expect(cursors(events).map((cursor) => Object.keys(cursor.drives))).toEqual([[onedrive]]);
  });

  it("a file above maxFileSize is reported as failed with its name and size, never listed or downloaded", async () => {
    const big = fixture.addFile(
      hr,
      "Policies/Manual.pdf",
      new Uint8Array(5000).fill(0x41),
      "application/pdf",
    );
    const events = await collect(connectorFor(fixture, { sites: ["hr"], maxFileSize: 1000 }).listAll(ctx()));
    const failed = events.find((event) => event.kind === "failed");
    expect(failed).toMatchObject({ kind: "failed", externalId: `${hr}:${big}` });
    if (failed?.kind !== "failed") throw new Error("no failed event");
    expect(failed.error.message).toContain("Documents/Policies/Manual.pdf is 5000 bytes");
    expect(ofKind(events, "document")).not.toContain(`${hr}:${big}`);
    await documents(events);
    expect(fixture.api.requestsTo(`/v1.0/drives/${hr}/items/${big}/content`)).toHaveLength(0);
  });

  it("folders, globs and media types scope the files; a file moved out of scope is deleted by the change feed", async () => {
    const connector = connectorFor(fixture, { sites: ["hr"], folders: ["Policies"], exclude: ["**/*.html"] });
    const full = await collect(connector.listAll(ctx()));
    expect(ofKind(full, "document")).toEqual([`${hr}:${ids.leave}`]);
    fixture.moveItem(hr, ids.leave, "Drafts/Leave.md");
    const changes = await collect(changesOf(connector, lastCursor(full)));
    expect(ofKind(changes, "deleted")).toEqual([`${hr}:${ids.leave}`]);
    expect(ofKind(changes, "document")).toEqual([]);
  });

  it("a cursor written for another scope is cursor_expired", async () => {
    const cursor = lastCursor(await collect(connectorFor(fixture, { sites: ["hr"] }).listAll(ctx())));
    const narrower = connectorFor(fixture, { sites: ["hr"], folders: ["Policies"] });
    await expect(drain(changesOf(narrower, cursor))).resolves.toMatchObject({
      events: [],
      error: { kind: "cursor_expired" },
    });
  });

  it("a 429 with Retry-After is waited out and retried", async () => {
    const connector = connectorFor(fixture, { drives: [onedrive] });
    // The token request goes first; the next call (GET /drives/{id}) is throttled once.
    await connector
      .fetchByIds([`${onedrive}:${ids.onboarding}`], ctx())
      [Symbol.asyncIterator]()
      .next();
    fixture.api.failNext(1, {
      status: 429,
      headers: { "retry-after": "1" },
      json: { error: { code: "activityLimitReached", message: "throttled" } },
    });
    const events = await collect(connector.listAll(ctx()));
    expect(ofKind(events, "document")).toEqual([`${onedrive}:${ids.onboarding}`]);
    const drivesCalls = fixture.api.requestsTo(`/v1.0/drives/${onedrive}`);
    expect(drivesCalls.length).toBe(3); // fetchByIds' lookup, the throttled one, its retry
  });

  it("fetchByIds: documents, 404 as missing (never deleted), foreign drives and malformed ids as missing", async () => {
    fixture.deleteItem(onedrive, ids.onboarding);
    const events = await collect(
      both().fetchByIds(
        [
          `${hr}:${ids.leave}`,
          `${onedrive}:${ids.onboarding}`,
          `${hr}:01NOSUCHITEM`,
          "b!other:01X",
          "nonsense",
        ],
        ctx(),
      ),
    );
    expect(events.map((event) => event.kind)).toEqual([
      "document",
      "missing",
      "missing",
      "missing",
      "missing",
    ]);
    expect(events[1]).toMatchObject({
      externalId: `${onedrive}:${ids.onboarding}`,
      reason: expect.stringContaining("deleted, or not readable"),
    });
    expect(events[3]).toMatchObject({ reason: expect.stringContaining("not one this source reads") });
    const docs = await documents(events);
    expect(docs.get(`${hr}:${ids.leave}`)?.metadata.path).toBe("Policies/Leave.md");
    // A refused drive is the source's failure (auth), not a reason to call its documents missing.
    fixture.forbid(hr);
    const { events: refused, error } = await drain(both().fetchByIds([`${hr}:${ids.leave}`], ctx()));
    expect(refused).toEqual([]);
    expect(error).toMatchObject({ kind: "auth", status: 403 });
  });

  it("site pages: listed beside the libraries, their text web parts loaded with $expand=canvasLayout", async () => {
    const faq = fixture.addSitePage("hr", {
      name: "FAQ.aspx",
      title: "HR FAQ",
      html: ["<h2>Leave</h2>", "<p>Ask HR.</p>"],
    });
    fixture.addSitePage("hr", { name: "Home.aspx", title: "Home", html: ["<p>Welcome</p>"] });
    fixture.addSitePage("hr", { name: "News.aspx", title: "News", html: ["<p>New office</p>"] });
    const connector = connectorFor(fixture, { sites: ["hr"], sitePages: true });
    const events = await collect(connector.listAll(ctx()));
    const pageIds = ofKind(events, "document").filter((id) => id.startsWith("sitepage:"));
    expect(pageIds).toHaveLength(3);
    // Three pages, two per page of results: the listing followed the next link.
    expect(fixture.api.requestsTo("/v1.0/sites/hr/pages/microsoft.graph.sitePage")).toHaveLength(2);
    const docs = await documents(events);
    expect(docs.get(`sitepage:hr:${faq}`)).toMatchObject({
      title: "HR FAQ",
      url: "https://contoso.sharepoint.com/sites/hr/SitePages/FAQ.aspx",
      body: { kind: "html", html: "<h2>Leave</h2>\n<p>Ask HR.</p>" },
      metadata: { space: "hr", type: "sitePage", status: "published", author: "Adele Vance" },
    });
    const loads = fixture.api.requestsTo(`/v1.0/sites/hr/pages/${faq}/microsoft.graph.sitePage`);
    expect(loads.map((request) => request.query.get("$expand"))).toEqual(["canvasLayout"]);
    const byId = await collect(connector.fetchByIds([`sitepage:hr:${faq}`, "sitepage:hr:nope"], ctx()));
    expect(byId.map((event) => event.kind)).toEqual(["document", "missing"]);
  });

  it("a client secret the token endpoint refuses is an auth error naming the env var, never the secret", async () => {
    const wrong = "not-the-right-secret-value-42";
    const { error } = await drain(connectorFor(fixture, { sites: ["hr"] }, wrong).listAll(ctx()));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: "auth", credentialEnv: "GRAPH_CLIENT_SECRET" });
    expect((error as Error).message).toContain("invalid_client");
    expect((error as Error).message).not.toContain(wrong);
    const tokenRequest = fixture.api.requestsTo(`/${GraphFixture.tenant}/oauth2/v2.0/token`)[0];
    expect(new URLSearchParams(tokenRequest?.body).get("scope")).toBe("https://graph.microsoft.com/.default");
  });

  it("options: at least one of sites, users or drives; libraries and sitePages need sites", () => {
    const base = { tenantId: "contoso.onmicrosoft.com", clientId: "x", clientSecretEnv: "S" };
    expect(graphConnector.optionsSchema.safeParse(base).success).toBe(false);
    expect(
      graphConnector.optionsSchema.safeParse({ ...base, drives: ["b!1"], libraries: ["Documents"] }).success,
    ).toBe(false);
    expect(
      graphConnector.optionsSchema.safeParse({ ...base, users: ["a@b.c"], sitePages: true }).success,
    ).toBe(false);
    expect(graphConnector.optionsSchema.safeParse({ ...base, drives: ["b!1"], extra: 1 }).success).toBe(
      false,
    );
    expect(graphConnector.optionsSchema.parse({ ...base, drives: ["b!1"] })).toMatchObject({
      baseUrl: "https://graph.microsoft.com/v1.0",
      folders: [""],
      pageSize: 200,
      subscriptionDays: 3,
    });
  });
});
