import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Connector, FetchedDocument, SourceEvent } from "../../src/contract.js";
import { type ConnectorError, isConnectorError } from "../../src/errors.js";
import { type GoogleDriveOptions, googleDriveConnector } from "../../src/google-drive/index.js";
import { toCleanHtml } from "../../src/transforms/index.js";
import { DRIVE_SCOPE, DriveFixture, driveError } from "./drive-fixture.js";

const logger = pino({ level: "silent" });
const ctx = () => ({ signal: new AbortController().signal, logger });
const HANDBOOK = "0AHandbookDrive01";
const SALES = "0ASalesDrive00001";

async function collect(iterable: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

/** Events until the iterable throws, and what it threw. */
async function collectUntilError(
  iterable: AsyncIterable<SourceEvent>,
): Promise<{ events: SourceEvent[]; error: unknown }> {
  const events: SourceEvent[] = [];
  try {
    for await (const event of iterable) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

const idsOf = (events: SourceEvent[], kind: SourceEvent["kind"]) =>
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
    event.kind === "cursor" ? [JSON.parse(event.cursor) as { tokens: Record<string, string> }] : [],
  );

const lastCursor = (events: SourceEvent[]): string => {
  const last = events.at(-1);
  if (last?.kind !== "cursor") throw new Error(`last event is ${last?.kind}`);
  return last.cursor;
};

async function loadAll(events: SourceEvent[]): Promise<Map<string, FetchedDocument>> {
  const docs = new Map<string, FetchedDocument>();
  for (const event of events)
    if (event.kind === "document") docs.set(event.document.externalId, await event.document.load());
  return docs;
}

const changesOf = (connector: Connector, cursor: string) => {
  if (!connector.listChanges) throw new Error("no change feed");
  return connector.listChanges(cursor, ctx());
};

describe("google-drive connector", () => {
  let drive: DriveFixture;
  const ids = {
    big: "",
    broken: "",
    budget: "",
    diary: "",
    faq: "",
    leave: "",
    login: "",
    notes: "",
    oldTrash: "",
    onboarding: "",
    personal: "",
    pitch: "",
    policies: "",
    support: "",
    travel: "",
  };

  const connector = (options: Partial<GoogleDriveOptions> & Record<string, unknown> = {}) =>
    googleDriveConnector.create(
      googleDriveConnector.optionsSchema.parse({
        serviceAccountKeyEnv: "DRIVE_KEY",
        baseUrl: drive.url,
        tokenUrl: drive.tokenUrl,
        drives: [HANDBOOK],
        folders: [ids.support],
        pageSize: 2,
        maxFileSize: 1000,
        ...options,
      }),
      { sourceId: "drive-docs", logger, env: { DRIVE_KEY: drive.serviceAccountKey } },
    );

  beforeEach(async () => {
    drive = await DriveFixture.start();
    drive.addDrive(HANDBOOK);
    drive.addDrive(SALES);
    ids.policies = drive.addFolder("Policies", HANDBOOK);
    ids.leave = drive.addFile("leave.md", ids.policies, "# Leave\n\nTake it.", "text/markdown");
    ids.travel = drive.addFile("travel.txt", ids.policies, "Book trains.", "text/plain");
    ids.onboarding = drive.addDoc(
      "Onboarding",
      HANDBOOK,
      "<html><body><h1>Welcome</h1><p>Start here.</p></body></html>",
    );
    ids.budget = drive.addSheet("Budget", HANDBOOK);
    ids.broken = drive.addFile("broken.pdf", HANDBOOK, "this is not a PDF", "application/pdf");
    ids.big = drive.addFile("big.txt", ids.policies, "x".repeat(2000), "text/plain");
    ids.oldTrash = drive.addFile("old.txt", HANDBOOK, "Gone.", "text/plain");
    drive.trash(ids.oldTrash);
    ids.pitch = drive.addFile("pitch.txt", SALES, "Sell.", "text/plain");
    ids.support = drive.addFolder("Support");
    ids.faq = drive.addFolder("FAQ", ids.support);
    ids.login = drive.addFile(
      "login.html",
      ids.faq,
      "<html><body><p>Use SSO.</p></body></html>",
      "text/html",
    );
    ids.notes = drive.addFile("notes.txt", ids.support, "Support notes.", "text/plain");
    ids.personal = drive.addFolder("Personal");
    ids.diary = drive.addFile("diary.txt", ids.personal, "Private.", "text/plain");
  });
  afterEach(async () => {
    await drive.close();
  });

  it("lists a shared drive and a folder tree page by page, with paths, titles, URLs and Docs exported as HTML", async () => {
    const events = await collect(connector().listAll(ctx()));
    expect(idsOf(events, "document")).toEqual(
      [ids.leave, ids.travel, ids.onboarding, ids.broken, ids.login, ids.notes].sort(),
    );
    // The Sheet has no conversion, the trashed file and the files outside the scope are not listed.
    expect(idsOf(events, "failed")).toEqual([ids.big]);
    expect(events.at(-1)?.kind).toBe("cursor");
    const docs = await loadAll(events);
    expect(docs.get(ids.leave)).toMatchObject({
      title: "leave",
      url: `https://drive.google.com/file/d/${ids.leave}/view?usp=drivesdk`,
      metadata: { path: "Policies/leave.md", space: HANDBOOK, type: "text/markdown", author: "Ada Lovelace" },
      body: { kind: "markdown", markdown: "# Leave\n\nTake it." },
    });
    expect(docs.get(ids.onboarding)).toMatchObject({
      title: "Onboarding",
      url: `https://docs.google.com/document/d/${ids.onboarding}/edit?usp=drivesdk`,
      metadata: { path: "Onboarding", type: "text/html" },
      body: { kind: "html", html: expect.stringContaining("<h1>Welcome</h1>") },
    });
    expect(docs.get(ids.login)).toMatchObject({
      title: "login",
      metadata: { path: "FAQ/login.html", space: "Support" },
    });
    // Paging: files.list was followed through nextPageToken, asking only for the fields it reads.
    const lists = drive.api.requestsTo("/drive/v3/files");
    expect(lists.some((request) => request.query.get("pageToken") === "2")).toBe(true);
    expect(new Set(lists.map((request) => request.query.get("fields")))).toEqual(
      new Set([
        "nextPageToken,files(id,name,mimeType,md5Checksum,version,modifiedTime,size,webViewLink,parents,trashed,driveId,lastModifyingUser(displayName))",
      ]),
    );
    const driveLists = lists.filter((request) => request.query.get("driveId") === HANDBOOK);
    expect(driveLists[0]?.query.get("corpora")).toBe("drive");
    expect(driveLists[0]?.query.get("supportsAllDrives")).toBe("true");
    expect(driveLists[0]?.query.get("includeItemsFromAllDrives")).toBe("true");
    expect(lists.map((request) => request.query.get("q"))).toContain(
      `'${ids.faq}' in parents and trashed = false`,
    );
    // The export asked Drive for HTML; the binary file was downloaded with alt=media.
    expect(drive.api.requestsTo(`/drive/v3/files/${ids.onboarding}/export`)[0]?.query.get("mimeType")).toBe(
      "text/html",
    );
    expect(drive.api.requestsTo(`/drive/v3/files/${ids.leave}`)[0]?.query.get("alt")).toBe("media");
  });

  it("lists My Drive (corpora=user, shared drives left out) with paths from its root, and follows the user's change feed", async () => {
    const mine = connector({ drives: [], folders: [], myDrive: true, subject: "docs-admin@acme.example" });
    const events = await collect(mine.listAll(ctx()));
    expect(idsOf(events, "document")).toEqual([ids.login, ids.notes, ids.diary].sort());
    expect(
      events.find((event) => event.kind === "document" && event.document.externalId === ids.login),
    ).toMatchObject({
      document: { metadata: { path: "Support/FAQ/login.html", space: "My Drive" } },
    });
    const userLists = drive.api.requestsTo("/drive/v3/files");
    expect(new Set(userLists.map((request) => request.query.get("corpora")))).toEqual(new Set(["user"]));
    drive.edit(ids.diary, { content: "Still private." });
    drive.edit(ids.leave, { content: "# Leave\n\nA shared drive's edit." });
    const changes = await collect(changesOf(mine, lastCursor(events)));
    expect(idsOf(changes, "document")).toEqual([ids.diary]);
    expect(idsOf(changes, "deleted")).toEqual([]);
  });

  it("authenticates with an RS256 JWT assertion for drive.readonly, as the delegated subject when one is set", async () => {
    await collect(connector({ subject: "docs-admin@acme.example" }).listAll(ctx()));
    expect(drive.assertions).toHaveLength(1);
    expect(drive.assertions[0]).toMatchObject({
      iss: drive.clientEmail,
      sub: "docs-admin@acme.example",
      scope: DRIVE_SCOPE,
    });
  });

  it("reports an oversize file with its name and size, and never downloads it", async () => {
    const events = await collect(connector().listAll(ctx()));
    const failed = events.find((event) => event.kind === "failed");
    expect(failed?.kind === "failed" && failed.error.message).toBe(
      "Policies/big.txt is 2000 bytes, above maxFileSize (1000 bytes); skipped",
    );
    expect(drive.api.requestsTo(`/drive/v3/files/${ids.big}`)).toEqual([]);
  });

  it("hands a corrupt PDF over as a document whose conversion fails: failed, never deleted", async () => {
    const events = await collect(connector().listAll(ctx()));
    const docs = await loadAll(events);
    const broken = docs.get(ids.broken);
    expect(broken?.body).toMatchObject({ kind: "binary", mediaType: "application/pdf" });
    expect(idsOf(events, "deleted")).toEqual([]);
    await expect(toCleanHtml({ body: broken?.body ?? { kind: "text", text: "" } })).rejects.toThrow(
      "cannot read the PDF document: no %PDF- header: the file is not a PDF",
    );
  });

  it("fails a Google Doc that Drive will not export (over 10 MB) with the reason", async () => {
    const huge = drive.addDoc("Archive", HANDBOOK, "", { exportTooLarge: true });
    const events = await collect(connector().listAll(ctx()));
    const listed = events.find((event) => event.kind === "document" && event.document.externalId === huge);
    if (listed?.kind !== "document") throw new Error("the Doc was not listed");
    await expect(listed.document.load()).rejects.toThrow(
      '"Archive" is too large for Drive to export as HTML (exportSizeLimitExceeded: Docs export up to 10 MB); skipped',
    );
  });

  it("takes every part's start page token before listing, so a change during the listing reaches the next incremental run", async () => {
    const source = connector();
    const events: SourceEvent[] = [];
    let edited = false;
    for await (const event of source.listAll(ctx())) {
      events.push(event);
      if (!edited && event.kind === "document") {
        drive.edit(ids.notes, { content: "Support notes, edited while the listing ran." });
        edited = true;
      }
    }
    const requests = drive.api.requests.map((request) => request.path);
    expect(requests.lastIndexOf("/drive/v3/changes/startPageToken")).toBeLessThan(
      requests.indexOf("/drive/v3/files"),
    );
    expect(
      drive.api.requestsTo("/drive/v3/changes/startPageToken").map((r) => r.query.get("driveId")),
    ).toEqual([HANDBOOK, null]);
    const changes = await collect(changesOf(connector(), lastCursor(events)));
    expect(idsOf(changes, "document")).toEqual([ids.notes]);
    const docs = await loadAll(changes);
    expect(docs.get(ids.notes)?.body).toEqual({
      kind: "text",
      text: "Support notes, edited while the listing ran.",
    });
  });

  it("reads edits, trash, removals and moves out of scope from each part's change feed", async () => {
    const first = await collect(connector().listAll(ctx()));
    const versions = new Map(
      first.flatMap((event) =>
        event.kind === "document" ? [[event.document.externalId, event.document.version]] : [],
      ),
    );
    drive.edit(ids.leave, { content: "# Leave\n\nTake more." });
    drive.touchMetadata(ids.travel); // shared, starred…: no new bytes
    drive.trash(ids.onboarding);
    drive.remove(ids.broken);
    drive.edit(ids.login, { parent: ids.personal }); // moved out of the Support folder
    drive.edit(ids.diary, { parent: ids.support }); // moved into it
    drive.edit(ids.pitch, { content: "Sell more." }); // a shared drive that is not configured
    const changes = await collect(changesOf(connector(), lastCursor(first)));
    expect(idsOf(changes, "document")).toEqual([ids.leave, ids.travel, ids.diary].sort());
    // The pitch lies in a shared drive that is not configured, outside the folders: out of scope,
    // so deleted (a no-op for a page never synced; a file moved there from Support must go).
    expect(idsOf(changes, "deleted")).toEqual([ids.onboarding, ids.broken, ids.login, ids.pitch].sort());
    const travel = changes.find(
      (event) => event.kind === "document" && event.document.externalId === ids.travel,
    );
    // A metadata-only change keeps the version (md5 and name), so the engine never downloads it again.
    expect(travel?.kind === "document" && travel.document.version).toBe(versions.get(ids.travel));
    const leave = changes.find(
      (event) => event.kind === "document" && event.document.externalId === ids.leave,
    );
    expect(leave?.kind === "document" && leave.document.version).not.toBe(versions.get(ids.leave));
    expect(
      changes.find((event) => event.kind === "document" && event.document.externalId === ids.diary),
    ).toMatchObject({ document: { metadata: { path: "diary.txt", space: "Support" } } });
    // Pages of the feed were followed to newStartPageToken; the next run starts there and finds nothing.
    const changeRequests = drive.api.requestsTo("/drive/v3/changes");
    expect(changeRequests.length).toBeGreaterThan(2);
    const again = await collect(changesOf(connector(), lastCursor(changes)));
    expect(again.filter((event) => event.kind !== "cursor")).toEqual([]);
  });

  it("takes the files of a folder moved out of the configured folders with it, and brings them back when it returns", async () => {
    const first = await collect(connector().listAll(ctx()));
    drive.edit(ids.faq, { parent: ids.personal });
    const out = await collect(changesOf(connector(), lastCursor(first)));
    // Drive reports the folder alone; its file is found by reading below the folder.
    expect(idsOf(out, "deleted")).toEqual([ids.login]);
    expect(idsOf(out, "document")).toEqual([]);
    drive.edit(ids.faq, { parent: ids.support, name: "Questions" });
    const back = await collect(changesOf(connector(), lastCursor(out)));
    expect(idsOf(back, "deleted")).toEqual([]);
    expect(back.find((event) => event.kind === "document")).toMatchObject({
      document: { externalId: ids.login, metadata: { path: "Questions/login.html", space: "Support" } },
    });
  });

  it("fails the run on a shared drive that refuses (403) and keeps the progress of the part before it", async () => {
    const first = await collect(connector({ drives: [HANDBOOK, SALES] }).listAll(ctx()));
    const before = cursors(first).at(-1)?.tokens ?? {};
    drive.edit(ids.leave, { content: "# Leave\n\nEdited." });
    drive.edit(ids.pitch, { content: "Sell more." });
    drive.refuse(SALES);
    const { events, error } = await collectUntilError(
      changesOf(connector({ drives: [HANDBOOK, SALES] }), lastCursor(first)),
    );
    expect(isConnectorError(error) && error.kind).toBe("auth");
    expect((error as ConnectorError).status).toBe(403);
    expect(idsOf(events, "document")).toEqual([ids.leave]);
    expect(idsOf(events, "deleted")).toEqual([]);
    const kept = cursors(events).at(-1)?.tokens ?? {};
    expect(kept[`drive:${HANDBOOK}`]).not.toBe(before[`drive:${HANDBOOK}`]);
    expect(kept[`drive:${SALES}`]).toBe(before[`drive:${SALES}`]);
    expect(kept.user).toBe(before.user);
    // Once the drive answers again, the run goes on from there: only the refused part's change is new.
    drive.refused.clear();
    const resumed = await collect(changesOf(connector({ drives: [HANDBOOK, SALES] }), lastCursor(events)));
    expect(idsOf(resumed, "document")).toEqual([ids.pitch]);
  });

  it("fails a full listing on a refused or unknown shared drive before anything is yielded", async () => {
    drive.refuse(SALES);
    const refused = await collectUntilError(connector({ drives: [HANDBOOK, SALES] }).listAll(ctx()));
    expect(refused.events).toEqual([]);
    expect(isConnectorError(refused.error) && refused.error.kind).toBe("auth");
    const unknown = await collectUntilError(connector({ drives: ["0ANotAMemberOf01"] }).listAll(ctx()));
    expect(unknown.events).toEqual([]);
    expect(isConnectorError(unknown.error) && unknown.error.kind).toBe("config");
    expect((unknown.error as Error).message).toContain("shared drive 0ANotAMemberOf01");
  });

  it("retries a 429 with Retry-After and Drive's 403 rateLimitExceeded, but not another 403", async () => {
    const source = connector({ folders: [], drives: [HANDBOOK] });
    // A first request fetches the access token, so the refusals below answer API requests.
    await collect(source.fetchByIds([ids.leave], ctx()));
    const sent = drive.api.requests.length;
    drive.api.failNext(1, { status: 429, headers: { "retry-after": "1" }, json: { error: { code: 429 } } });
    drive.api.failNext(1, { ...driveError(403, "userRateLimitExceeded"), headers: { "retry-after": "1" } });
    const events = await collect(source.listAll(ctx()));
    expect(idsOf(events, "document")).toEqual([ids.leave, ids.travel, ids.onboarding, ids.broken].sort());
    // The two refusals answered the first two requests of the listing; both were sent again.
    expect(
      drive.api.requests
        .slice(sent, sent + 4)
        .map((request) => `${request.path} ${request.query.get("q") ?? ""}`),
    ).toEqual([
      "/drive/v3/changes/startPageToken ",
      "/drive/v3/changes/startPageToken ",
      "/drive/v3/changes/startPageToken ",
      `/drive/v3/files mimeType = 'application/vnd.google-apps.folder' and trashed = false`,
    ]);
    drive.api.failNext(1, driveError(403, "insufficientFilePermissions"));
    const refused = await collectUntilError(source.listAll(ctx()));
    expect(isConnectorError(refused.error) && refused.error.kind).toBe("auth");
    expect(refused.events).toEqual([]);
  });

  it("fetches by id: found, missing on 404 (never deleted), deleted when trashed or moved out of scope", async () => {
    drive.trash(ids.travel);
    drive.edit(ids.notes, { parent: ids.personal });
    const events = await collect(
      connector().fetchByIds([ids.leave, "idDoesNotExist01", ids.travel, ids.notes, ids.faq], ctx()),
    );
    expect(
      events.map((event) => [
        event.kind,
        "externalId" in event ? event.externalId : event.kind === "document" ? event.document.externalId : "",
      ]),
    ).toEqual([
      ["document", ids.leave],
      ["missing", "idDoesNotExist01"],
      ["deleted", ids.travel],
      ["deleted", ids.notes],
      ["missing", ids.faq],
    ]);
    expect(drive.api.requestsTo(`/drive/v3/files/${ids.leave}`)[0]?.query.get("supportsAllDrives")).toBe(
      "true",
    );
  });

  it("answers a cursor written for other drives or folders with cursor_expired", async () => {
    const first = await collect(connector().listAll(ctx()));
    const { error } = await collectUntilError(changesOf(connector({ folders: [] }), lastCursor(first)));
    expect(isConnectorError(error) && error.kind).toBe("cursor_expired");
    const garbage = await collectUntilError(changesOf(connector(), "not a cursor"));
    expect(isConnectorError(garbage.error) && garbage.error.kind).toBe("cursor_expired");
  });

  it("rejects options without a scope and a key env var that holds no service account key", () => {
    expect(() => googleDriveConnector.optionsSchema.parse({ serviceAccountKeyEnv: "DRIVE_KEY" })).toThrow(
      "name at least one of drives, folders or myDrive: true",
    );
    expect(() =>
      googleDriveConnector.create(
        googleDriveConnector.optionsSchema.parse({ serviceAccountKeyEnv: "DRIVE_KEY", myDrive: true }),
        { sourceId: "drive-docs", logger, env: { DRIVE_KEY: "{not json" } },
      ),
    ).toThrow('source "drive-docs": env var DRIVE_KEY must hold a service account key');
  });
});
