import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SourceEvent } from "../../src/contract.js";
import { FixtureServer } from "../../src/testing/fixture-server.js";
import { webdavConnector } from "../../src/webdav/index.js";

// Nextcloud's WebDAV as documented (remote.php/dav/files/<user>/): a 207 multistatus with `d:` and
// `oc:` prefixes, percent-encoded hrefs, and the props a server lacks in a 404 propstat.
const ROOT = "/remote.php/dav/files/sync/";
const logger = pino({ level: "silent" });
const ctx = () => ({ signal: new AbortController().signal, logger });
const env = { DAV_TOKEN: "nc-app-token-123" };

interface Item {
  path: string;
  fileId: string;
  etag: string;
  size?: number;
}

function multistatus(collection: string, items: Item[]): string {
  const response = (href: string, props: string) =>
    `<d:response><d:href>${href}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>` +
    `<d:propstat><d:prop><d:getcontentlength/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>`;
  const encode = (path: string) => `${ROOT}${path.split("/").map(encodeURIComponent).join("/")}`;
  const self = response(
    encode(collection),
    "<d:resourcetype><d:collection/></d:resourcetype><oc:fileid>1</oc:fileid>",
  );
  const members = items
    .filter((item) => {
      const parent = item.path.split("/").slice(0, -1).join("/");
      return parent === collection.replace(/\/$/, "");
    })
    .map((item) =>
      item.size === undefined
        ? response(
            `${encode(item.path)}/`,
            `<d:resourcetype><d:collection/></d:resourcetype><oc:fileid>${item.fileId}</oc:fileid>`,
          )
        : response(
            encode(item.path),
            `<d:resourcetype/><d:getetag>${item.etag}</d:getetag><d:getcontentlength>${item.size}</d:getcontentlength>` +
              `<d:getlastmodified>Tue, 01 Dec 2026 10:00:00 GMT</d:getlastmodified><d:getcontenttype>text/markdown</d:getcontenttype>` +
              `<oc:fileid>${item.fileId}</oc:fileid>`,
          ),
    );
  return `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns">${self}${members.join("")}</d:multistatus>`;
}

let api: FixtureServer;
let items: Item[];

beforeEach(async () => {
  items = [
    { path: "Docs", fileId: "10", etag: "" },
    { path: "Docs/Guide one.md", fileId: "11", etag: '"a1"', size: 7 },
    { path: "Top.md", fileId: "12", etag: 'W/"b1"', size: 5 },
  ];
  api = await FixtureServer.start();
  api.requireAuth((request) => request.headers.authorization === `Bearer ${env.DAV_TOKEN}`);
  api.route("PROPFIND", new RegExp(`^${ROOT}(.*)$`), (request) => {
    if (request.headers.depth !== "1") return { status: 403, body: "Depth infinity refused" };
    const path = decodeURIComponent(request.path.slice(ROOT.length)).replace(/\/$/, "");
    return {
      status: 207,
      headers: { "content-type": 'application/xml; charset="utf-8"' },
      body: multistatus(path, items),
    };
  });
  api.route("GET", new RegExp(`^${ROOT}(.*)$`), (request) => ({
    headers: { "content-type": "text/markdown" },
    body: `# ${decodeURIComponent(request.path.slice(ROOT.length))}`,
  }));
});

afterEach(async () => {
  await api.close();
});

const connector = () =>
  webdavConnector.create(
    webdavConnector.optionsSchema.parse({
      url: `${api.url}${ROOT}`,
      auth: { type: "bearer", tokenEnv: "DAV_TOKEN" },
    }),
    { sourceId: "nextcloud", logger, env },
  );

async function listed(events: AsyncIterable<SourceEvent>) {
  const out: Record<string, { version: string; path: string | undefined }> = {};
  for await (const event of events)
    if (event.kind === "document")
      out[event.document.externalId] = {
        version: event.document.version,
        path: event.document.metadata.path,
      };
  return out;
}

describe("webdav connector on a Nextcloud-shaped server", () => {
  it("uses oc:fileid as the id so a move keeps the page, and Depth 1 per collection", async () => {
    expect(await listed(connector().listAll(ctx()))).toEqual({
      "fileid:11": { version: '"a1":7', path: "Docs/Guide one.md" },
      "fileid:12": { version: '"b1":5', path: "Top.md" },
    });
    expect(api.requests.map((request) => [request.method, request.path, request.headers.depth])).toEqual([
      ["PROPFIND", ROOT, "1"],
      ["PROPFIND", `${ROOT}Docs/`, "1"],
    ]);
    // Moved into Docs and its weak ETag turned strong: same id, same version.
    items = items.map((item) =>
      item.fileId === "12" ? { ...item, path: "Docs/Top.md", etag: '"b1"' } : item,
    );
    expect(await listed(connector().listAll(ctx()))).toEqual({
      "fileid:11": { version: '"a1":7', path: "Docs/Guide one.md" },
      "fileid:12": { version: '"b1":5', path: "Docs/Top.md" },
    });
  });

  it("fetches file ids from the listing and reports unknown ones as missing", async () => {
    const kinds: string[] = [];
    for await (const event of connector().fetchByIds(["fileid:11", "fileid:99"], ctx()))
      kinds.push(
        `${event.kind}:${event.kind === "document" ? event.document.externalId : "externalId" in event ? event.externalId : ""}`,
      );
    expect(kinds).toEqual(["document:fileid:11", "missing:fileid:99"]);
  });

  it("waits out a 429 with Retry-After and then lists", async () => {
    api.failNext(1, { status: 429, headers: { "retry-after": "1" }, body: "slow down" });
    expect(Object.keys(await listed(connector().listAll(ctx()))).sort()).toEqual(["fileid:11", "fileid:12"]);
    expect(api.requests.filter((request) => request.method === "PROPFIND")).toHaveLength(3);
  });

  it("throws an auth error (no truncated listing) when the token is refused", async () => {
    const refused = webdavConnector.create(
      webdavConnector.optionsSchema.parse({
        url: `${api.url}${ROOT}`,
        auth: { type: "bearer", tokenEnv: "DAV_TOKEN" },
      }),
      { sourceId: "nextcloud", logger, env: { DAV_TOKEN: "revoked" } },
    );
    await expect(listed(refused.listAll(ctx()))).rejects.toMatchObject({
      kind: "auth",
      credentialEnv: "DAV_TOKEN",
    });
  });
});

describe("webdav options", () => {
  const parse = (options: Record<string, unknown>) => webdavConnector.optionsSchema.safeParse(options);
  const base = {
    url: "https://cloud.example.com/remote.php/dav/files/sync/",
    auth: { type: "basic", usernameEnv: "U", passwordEnv: "P" },
  };

  it("accepts a minimal source and applies defaults", () => {
    const result = parse(base);
    expect(result.success && result.data).toMatchObject({
      folders: [""],
      include: ["**"],
      maxFileSize: 52428800,
    });
  });

  it.each([
    [{ ...base, url: "ftp://example.com/" }, "url"],
    [{ ...base, auth: { type: "bearer", tokenEnv: "not a name" } }, "auth"],
    [{ ...base, auth: { type: "google-service-account", keyEnv: "K", scopes: ["x"] } }, "auth"],
    [{ ...base, maxFileSize: 0 }, "maxFileSize"],
    [{ ...base, mediaTypes: ["markdown"] }, "mediaTypes"],
    [{ ...base, depth: "infinity" }, ""],
  ])("rejects %j at %s", (options, path) => {
    const result = parse(options);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join(".") ?? "").toContain(path);
  });
});
