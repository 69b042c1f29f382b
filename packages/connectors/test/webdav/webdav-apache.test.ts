import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListedDocument, SourceEvent } from "../../src/contract.js";
import { isConnectorError } from "../../src/errors.js";
import { webdavConnector } from "../../src/webdav/index.js";

// The real Apache httpd with mod_dav that test/webdav/setup.sh starts on 127.0.0.1:18768.
const ENV_FILE = `${process.env.WEBDAV_TEST_HOME ?? "/var/lib/content-sync-test/webdav"}/webdav.env`;
if (!existsSync(ENV_FILE))
  throw new Error(`${ENV_FILE} is missing: run \`bash test/webdav/setup.sh\` as root first`);
const server = Object.fromEntries(
  readFileSync(ENV_FILE, "utf8")
    .split("\n")
    .filter((line) => line.includes("="))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
) as Record<string, string>;
const BASE = server.WEBDAV_URL ?? "";
const AUTH = `Basic ${Buffer.from(`${server.WEBDAV_USER}:${server.WEBDAV_PASSWORD}`).toString("base64")}`;
const logger = pino({ level: "silent" });
const ctx = () => ({ signal: new AbortController().signal, logger });
const root = `${BASE}run-${randomUUID()}/`;

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
const put = (path: string, body: string) => dav("PUT", path, { body });

function connector(options: Record<string, unknown> = {}, env = server) {
  const parsed = webdavConnector.optionsSchema.parse({
    url: root,
    auth: { type: "basic", usernameEnv: "WEBDAV_USER", passwordEnv: "WEBDAV_PASSWORD" },
    ...options,
  });
  return webdavConnector.create(parsed, { sourceId: "dav", logger, env });
}

async function collect(iterable: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}
const documents = (events: SourceEvent[]) =>
  new Map(
    events.flatMap((event): [string, ListedDocument][] =>
      event.kind === "document" ? [[event.document.externalId, event.document]] : [],
    ),
  );
const versions = async () =>
  new Map([...documents(await collect(connector().listAll(ctx())))].map(([id, doc]) => [id, doc.version]));

beforeAll(async () => {
  await fetch(root, { method: "MKCOL", headers: { authorization: AUTH } });
  await dav("MKCOL", "guides/");
  await dav("MKCOL", "guides/deep/");
  await dav("MKCOL", "empty/");
  await put("readme.md", "# Read me\n\nTop level.");
  await put("guides/setup guide.md", "# Setup\n\nInstall it.");
  await put(
    "guides/deep/faq.html",
    "<html><head><title>FAQ</title></head><body><p>Answers</p></body></html>",
  );
  await put("guides/deep/notes.txt", "plain notes");
  await put("guides/image.png", "\x89PNG not really");
});

afterAll(async () => {
  await fetch(root, { method: "DELETE", headers: { authorization: AUTH } });
});

describe("webdav connector against Apache mod_dav", () => {
  it("lists every file of every collection and loads it with title, URL and body", async () => {
    const docs = documents(await collect(connector().listAll(ctx())));
    expect([...docs.keys()].sort()).toEqual([
      "path:guides/deep/faq.html",
      "path:guides/deep/notes.txt",
      "path:guides/setup guide.md",
      "path:readme.md",
    ]);
    const setup = await docs.get("path:guides/setup guide.md")?.load();
    expect(setup?.title).toBe("setup guide");
    expect(setup?.url).toBe(`${root}guides/setup%20guide.md`);
    expect(setup?.body).toEqual({ kind: "markdown", markdown: "# Setup\n\nInstall it." });
    expect(setup?.metadata).toMatchObject({
      path: "guides/setup guide.md",
      space: "guides",
      type: "text/markdown",
    });
    const faq = await docs.get("path:guides/deep/faq.html")?.load();
    expect(faq?.body.kind).toBe("html");
  });

  it("keeps versions of unchanged files (weak ETags turning strong) and changes them on edit", async () => {
    await put("fresh.md", "# Fresh");
    const first = await versions();
    // Apache marks the ETag of a file changed within the last second weak, and strong afterwards.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = await versions();
    expect(second.get("path:fresh.md")).toBe(first.get("path:fresh.md"));
    expect(second).toEqual(first);
    await put("fresh.md", "# Fresh, and longer now");
    const third = await versions();
    expect(third.get("path:fresh.md")).not.toBe(second.get("path:fresh.md"));
    expect(third.get("path:readme.md")).toBe(second.get("path:readme.md"));
  });

  it("sees moves and deletions as entries missing from the complete listing", async () => {
    await put("move-me.md", "# Moving");
    await put("delete-me.md", "# Going");
    const before = await versions();
    expect(before.has("path:move-me.md")).toBe(true);
    await dav("MOVE", "move-me.md", { headers: { destination: new URL("guides/moved.md", root).href } });
    await dav("DELETE", "delete-me.md");
    const after = await versions();
    expect(after.has("path:move-me.md")).toBe(false);
    expect(after.has("path:delete-me.md")).toBe(false);
    expect(after.has("path:guides/moved.md")).toBe(true);
  });

  it("fetches by id and reports ids it cannot find as missing", async () => {
    const events = await collect(connector().fetchByIds(["path:readme.md", "path:nope.md"], ctx()));
    expect(events.map((event) => event.kind)).toEqual(["document", "missing"]);
    const [found] = events;
    if (found?.kind !== "document") throw new Error("expected a document");
    expect((await found.document.load()).body).toEqual({
      kind: "markdown",
      markdown: "# Read me\n\nTop level.",
    });
  });

  it("scopes by folders, globs and media types", async () => {
    const scoped = documents(
      await collect(
        connector({ folders: ["guides"], exclude: ["**/*.txt"], mediaTypes: ["text/html"] }).listAll(ctx()),
      ),
    );
    expect([...scoped.keys()]).toEqual(["path:guides/deep/faq.html"]);
  });

  it("reports a file above maxFileSize as failed with its name and size", async () => {
    const events = await collect(connector({ folders: ["guides/deep"], maxFileSize: 20 }).listAll(ctx()));
    const failed = events.find((event) => event.kind === "failed");
    expect(failed?.kind === "failed" && failed.error.message).toMatch(
      /guides\/deep\/faq\.html is \d+ bytes, above maxFileSize \(20 bytes\)/,
    );
    expect(events.some((event) => event.kind === "document")).toBe(true);
  });

  it("throws an auth error naming the env var, never the password, on a refused login", async () => {
    const wrong = { ...server, WEBDAV_PASSWORD: "not-the-password" };
    const error = await collect(connector({}, wrong).listAll(ctx())).catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("auth");
    expect(String((error as Error).message)).toContain("WEBDAV_PASSWORD");
    expect(String((error as Error).message)).not.toContain("not-the-password");
  });
});
