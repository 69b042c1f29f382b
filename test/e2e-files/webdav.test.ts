import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webdavConnector } from "../../packages/connectors/src/webdav/index.js";
import { CmsSyncHarness } from "../e2e-cms/support/cms-sync-harness.js";

// The real Apache mod_dav from test/webdav/setup.sh, synced into the Intercom sandbox by the engine.
const ENV_FILE = `${process.env.WEBDAV_TEST_HOME ?? "/var/lib/content-sync-test/webdav"}/webdav.env`;
if (!existsSync(ENV_FILE))
  throw new Error(`${ENV_FILE} is missing: run \`bash test/webdav/setup.sh\` as root first`);
const server = Object.fromEntries(
  readFileSync(ENV_FILE, "utf8")
    .split("\n")
    .filter((line) => line.includes("="))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
) as Record<string, string>;
const AUTH = `Basic ${Buffer.from(`${server.WEBDAV_USER}:${server.WEBDAV_PASSWORD}`).toString("base64")}`;
const root = `${server.WEBDAV_URL}e2e-${randomUUID()}/`;

async function dav(
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(new URL(path, root), {
    method,
    headers: { authorization: AUTH, ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status}`);
}

describe("WebDAV (Apache mod_dav) → sync engine → Intercom sandbox, end to end", () => {
  let h: CmsSyncHarness;
  let share: SourceConfig;
  const env = { ...server, WEBDAV_E2E_URL: root };

  beforeAll(async () => {
    await fetch(root, { method: "MKCOL", headers: { authorization: AUTH } });
    await dav("MKCOL", "guides/");
    await dav("PUT", "guides/setup.md", { body: "# Setup\n\nInstall the agent." });
    await dav("PUT", "guides/faq.html", { body: "<html><body><h1>FAQ</h1><p>Answers.</p></body></html>" });
    await dav("PUT", "notes.txt", { body: "Plain notes for the team." });
    h = await CmsSyncHarness.start(webdavConnector);
    share = h.source(
      `
      id: webdav-share
      type: webdav
      contentImportSource: { url: "https://intranet.example.com/share" }
      options:
        url: \${WEBDAV_E2E_URL}
        auth: { type: basic, usernameEnv: WEBDAV_USER, passwordEnv: WEBDAV_PASSWORD }
        urlTemplate: "https://intranet.example.com/share/{slug}"
      `,
      env,
    );
  });

  afterAll(async () => {
    await h?.close();
    await fetch(root, { method: "DELETE", headers: { authorization: AUTH } });
  });

  it("first full sync creates one page per file", async () => {
    expect(await h.run(share, env, "full")).toMatchObject({ created: 3, updated: 0, deleted: 0, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 3, deletes: 0, sourcesCreated: 1 });
    expect((await h.pages(share)).map((page) => page.external_id).sort()).toEqual([
      "path:guides/faq.html",
      "path:guides/setup.md",
      "path:notes.txt",
    ]);
    expect(await h.page(share, "path:guides/setup.md")).toMatchObject({
      url: "https://intranet.example.com/share/guides/setup",
    });
  });

  it("a second run with nothing changed writes nothing", async () => {
    await h.resetStats();
    expect(await h.run(share, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 3,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });

  it("an edit, a deletion and a move become exact updates, creates and deletes", async () => {
    await dav("PUT", "guides/setup.md", { body: "# Setup\n\nInstall the agent, then log in." });
    await dav("DELETE", "notes.txt");
    await dav("MOVE", "guides/faq.html", { headers: { destination: new URL("faq.html", root).href } });
    await h.resetStats();
    // Apache has no file ids: a move is a delete of the old path and a create of the new one.
    expect(await h.run(share, env, "full")).toMatchObject({ created: 1, updated: 1, deleted: 2, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 2, deletes: 2 });
    expect((await h.pages(share)).map((page) => page.external_id).sort()).toEqual([
      "path:faq.html",
      "path:guides/setup.md",
    ]);
    await h.resetStats();
    expect(await h.run(share, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 2,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });
});
