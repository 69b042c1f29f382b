import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isConnectorError } from "../../src/errors.js";
import { wordpressConnector } from "../../src/wordpress/wordpress-connector.js";
import { collect, deletedIds, documentIds, lastCursor, silentContext } from "./collect.js";
import { WordPressAdmin, type WordPressSite, wordpressSite } from "./wordpress-site.js";

let site: WordPressSite;
let admin: WordPressAdmin;

beforeAll(async () => {
  site = await wordpressSite();
  admin = new WordPressAdmin(site);
}, 900_000);

beforeEach(async () => {
  await admin.deleteAllContent();
});

function connect(options: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const parsed = wordpressConnector.optionsSchema.parse({ baseUrl: site.url, ...options });
  return wordpressConnector.create(parsed, {
    sourceId: "wp-real",
    logger: pino({ level: "silent" }),
    env: { WP_USER: site.user, WP_APP_PASSWORD: site.appPassword, ...env },
  });
}
const withCredentials = { usernameEnv: "WP_USER", applicationPasswordEnv: "WP_APP_PASSWORD" };

// Each test drives a real site through dozens of requests on a shared 2-core machine.
describe("WordPress connector against a real WordPress", { timeout: 60_000 }, () => {
  it("lists published posts and pages anonymously, and private ones only with credentials", async () => {
    const docs = await admin.term("categories", `Docs ${Date.now()}`);
    const howTo = await admin.term("tags", `how-to-${Date.now()}`);
    const post = await admin.create("posts", {
      title: "Tom &amp; Jerry’s <em>guide</em>",
      content: "<p>Chase <strong>cheese</strong>.</p>",
      status: "publish",
      categories: [docs],
      tags: [howTo],
    });
    const draft = await admin.create("posts", { title: "Draft", content: "<p>wip</p>", status: "draft" });
    const page = await admin.create("pages", {
      title: "About",
      content: "<p>About us</p>",
      status: "publish",
    });
    const secret = await admin.create("pages", {
      title: "Runbook",
      content: "<p>internal</p>",
      status: "private",
    });

    const anonymous = await collect(connect().listAll(silentContext()));
    expect(documentIds(anonymous)).toEqual([`page:${page}`, `post:${post}`]);

    const privateToo = await collect(
      connect({ ...withCredentials, statuses: ["publish", "private"] }).listAll(silentContext()),
    );
    expect(documentIds(privateToo)).toEqual([`page:${page}`, `page:${secret}`, `post:${post}`]);
    expect(documentIds(privateToo)).not.toContain(`post:${draft}`);

    const listed = privateToo.find(
      (event) => event.kind === "document" && event.document.externalId === `post:${post}`,
    );
    if (listed?.kind !== "document") throw new Error("post missing");
    const fetched = await listed.document.load();
    expect(fetched.title).toBe("Tom & Jerry’s guide");
    expect(fetched.body).toEqual({ kind: "html", html: expect.stringContaining("<strong>cheese</strong>") });
    expect(fetched.url).toBe(`${site.url}/tom-jerrys-guide/`);
    expect(fetched.metadata).toMatchObject({ type: "post", status: "publish", author: site.user });
    expect(fetched.metadata.labels).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Docs /), expect.stringMatching(/^how-to-/)]),
    );
    expect(fetched.updatedAt?.getTime()).toBeGreaterThan(Date.now() - 10 * 60_000);
  });

  it("titles private and password-protected posts by their own title, without WordPress's prefixes", async () => {
    const runbook = await admin.create("posts", {
      title: "Support runbook &amp; escalation",
      content: "<p>Escalate to the on-call engineer.</p>",
      status: "private",
    });
    const locked = await admin.create("posts", {
      title: "Partner pricing",
      content: "<p>gated</p>",
      status: "publish",
      password: "open sesame",
    });
    // A public post whose own title starts like the prefix keeps it, with or without credentials.
    const publicNote = await admin.create("posts", {
      title: "Private: how we handle data",
      status: "publish",
    });
    // What WordPress itself renders, which is what leaked into Fin before.
    const { data: rendered } = await admin.request<{ title: { rendered: string } }>(
      "GET",
      `/posts/${runbook}?context=edit`,
    );
    expect(rendered.title.rendered).toBe("Private: Support runbook &amp; escalation");

    const titles = async (options: Record<string, unknown>) => {
      const events = await collect(connect(options).listAll(silentContext()));
      const entries = await Promise.all(
        events.flatMap((event) =>
          event.kind === "document" ? [event.document.load().then((doc) => [doc.externalId, doc.title])] : [],
        ),
      );
      return Object.fromEntries(entries);
    };
    expect(
      await titles({
        ...withCredentials,
        postTypes: ["post"],
        statuses: ["publish", "private"],
        includePasswordProtected: true,
      }),
    ).toEqual({
      [`post:${runbook}`]: "Support runbook & escalation",
      [`post:${locked}`]: "Partner pricing",
      [`post:${publicNote}`]: "Private: how we handle data",
    });
    expect(await titles({ postTypes: ["post"] })).toEqual({
      [`post:${publicNote}`]: "Private: how we handle data",
    });
    const [byId] = await collect(
      connect({ ...withCredentials, statuses: ["private"] }).fetchByIds([`post:${runbook}`], silentContext()),
    );
    expect(byId?.kind === "document" && (await byId.document.load()).title).toBe(
      "Support runbook & escalation",
    );
  });

  it("scopes by category slug and keeps drafts out unless configured", async () => {
    const slug = `kb-${Date.now()}`;
    const kb = await admin.term("categories", slug);
    const inKb = await admin.create("posts", { title: "In KB", status: "publish", categories: [kb] });
    await admin.create("posts", { title: "Elsewhere", status: "publish" });
    const draftInKb = await admin.create("posts", {
      title: "Draft in KB",
      status: "draft",
      categories: [kb],
    });
    const page = await admin.create("pages", { title: "Page", status: "publish" });

    const scoped = await collect(connect({ categories: [slug] }).listAll(silentContext()));
    expect(documentIds(scoped)).toEqual([`page:${page}`, `post:${inKb}`]);

    const drafts = await collect(
      connect({
        ...withCredentials,
        categories: [slug],
        statuses: ["publish", "draft"],
        postTypes: ["post"],
      }).listAll(silentContext()),
    );
    expect(documentIds(drafts)).toEqual([`post:${inKb}`, `post:${draftInKb}`].sort());

    await expect(
      collect(connect({ categories: ["no-such-category"] }).listAll(silentContext())),
    ).rejects.toThrow(/no-such-category \(options.categories\) do not exist/);
  });

  it("follows edits, new posts, privatisation and trash incrementally despite the site's local time", async () => {
    const connector = connect({ ...withCredentials, overlapSeconds: 0 });
    const kept = await admin.create("posts", { title: "Kept", status: "publish" });
    const edited = await admin.create("posts", { title: "Before", status: "publish" });
    const hidden = await admin.create("pages", { title: "Public for now", status: "publish" });
    const trashed = await admin.create("posts", { title: "Doomed", status: "publish" });

    // WordPress keeps modification times in whole seconds: let its clock move on between phases.
    await admin.nextSecond(await admin.serverTime());
    const full = await collect(connector.listAll(silentContext()));
    expect(documentIds(full)).toEqual(
      [`page:${hidden}`, `post:${edited}`, `post:${kept}`, `post:${trashed}`].sort(),
    );

    await admin.update("posts", edited, { title: "After" });
    const created = await admin.create("posts", { title: "Brand new", status: "publish" });
    await admin.update("pages", hidden, { status: "private" });
    await admin.trash("posts", trashed);

    // The site runs at UTC+13 (setup.sh): a filter off by the zone would list all or nothing.
    await admin.nextSecond(await admin.serverTime());
    const changes = await collect(connector.listChanges!(lastCursor(full), silentContext()));
    expect(documentIds(changes)).toEqual([`post:${created}`, `post:${edited}`].sort());
    expect(deletedIds(changes)).toEqual([`page:${hidden}`, `post:${trashed}`].sort());
    const after = changes.find(
      (event) => event.kind === "document" && event.document.externalId === `post:${edited}`,
    );
    if (after?.kind !== "document") throw new Error("edited post missing");
    expect((await after.document.load()).title).toBe("After");

    const quiet = await collect(connector.listChanges!(lastCursor(changes), silentContext()));
    expect(documentIds(quiet)).toEqual([]);
    expect(deletedIds(quiet)).toEqual([]);
  });

  it("reports trash as deleted and lets force-deleted posts vanish (fetch by id answers missing)", async () => {
    const connector = connect(withCredentials);
    const alive = await admin.create("posts", { title: "Alive", status: "publish" });
    const trashed = await admin.create("posts", { title: "Trashed", status: "publish" });
    const gone = await admin.create("pages", { title: "Gone", status: "publish" });
    expect(documentIds(await collect(connector.listAll(silentContext())))).toEqual(
      [`page:${gone}`, `post:${alive}`, `post:${trashed}`].sort(),
    );

    await admin.trash("posts", trashed);
    await admin.forceDelete("pages", gone);
    const full = await collect(connector.listAll(silentContext()));
    expect(documentIds(full)).toEqual([`post:${alive}`]);
    expect(deletedIds(full)).toEqual([`post:${trashed}`]);

    const byId = await collect(
      connector.fetchByIds(
        [`post:${alive}`, `post:${trashed}`, `page:${gone}`, "post:99999999", "nonsense"],
        silentContext(),
      ),
    );
    expect(
      byId.map((event) => [
        event.kind,
        "externalId" in event ? event.externalId : event.kind === "document" ? event.document.externalId : "",
      ]),
    ).toEqual([
      ["document", `post:${alive}`],
      ["deleted", `post:${trashed}`],
      ["missing", `page:${gone}`],
      ["missing", "post:99999999"],
      ["failed", "nonsense"],
    ]);
    // Anonymous: a trashed post is refused (401), which a firewall answering 401/403 to everything
    // would look like too: missing, never deleted.
    const anonymous = await collect(connect().fetchByIds([`post:${trashed}`], silentContext()));
    expect(anonymous.map((event) => event.kind)).toEqual(["missing"]);
    expect(anonymous[0]?.kind === "missing" && anonymous[0].reason).toContain("401");
  });

  it("pages through X-WP-TotalPages in full and incremental listings, with both route styles", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++)
      ids.push(await admin.create("posts", { title: `Post ${i}`, status: "publish" }));
    const expected = ids.map((id) => `post:${id}`).sort();

    for (const restRoute of ["pretty", "query"] as const) {
      const connector = connect({ ...withCredentials, perPage: 2, postTypes: ["post"], restRoute });
      const full = await collect(connector.listAll(silentContext()));
      expect(documentIds(full)).toEqual(expected);
      const since = new Date(Date.parse(JSON.parse(lastCursor(full)).since.post) - 3_600_000).toISOString();
      const changes = await collect(
        connector.listChanges!(JSON.stringify({ v: 1, since: { post: since } }), silentContext()),
      );
      expect(documentIds(changes)).toEqual(expected);
      expect(changes.filter((event) => event.kind === "cursor")).toHaveLength(1);
    }
  });

  it("fails with an auth error naming the env var when the application password is wrong", async () => {
    await admin.create("posts", { title: "Public", status: "publish" });
    const connector = connect(withCredentials, { WP_APP_PASSWORD: "abcd efgh ijkl mnop qrst uvwx" });
    const events: string[] = [];
    const error = await (async () => {
      for await (const event of connector.listAll(silentContext())) events.push(event.kind);
    })().catch((caught: unknown) => caught);
    expect(events).toEqual([]);
    expect(isConnectorError(error) && error.kind).toBe("auth");
    expect(isConnectorError(error) && error.credentialEnv).toBe("WP_APP_PASSWORD");
    expect(String((error as Error).message)).toMatch(/wp-real.*WP_APP_PASSWORD/);
    expect(() => connect(withCredentials, { WP_APP_PASSWORD: "" })).toThrow(
      /env var WP_APP_PASSWORD \(options.applicationPasswordEnv\) is not set/,
    );
  });

  describe("the must-use webhook plugin", () => {
    let receiver: Server;
    const received: { headers: Record<string, string | undefined>; body: Buffer }[] = [];

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          received.push({
            headers: request.headers as Record<string, string | undefined>,
            body: Buffer.concat(chunks),
          });
          response.writeHead(202).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      const { port } = receiver.address() as AddressInfo;
      await admin.request("POST", "/settings", {
        content_sync_webhook_url: `http://127.0.0.1:${port}/webhooks/wp-real`,
        content_sync_webhook_secret: "hook-secret",
      });
    });

    afterAll(async () => {
      await admin.request("POST", "/settings", {
        content_sync_webhook_url: "",
        content_sync_webhook_secret: "",
      });
      await new Promise((resolve) => receiver.close(resolve));
    });

    it("signs save, trash and delete events that the connector verifies and parses", async () => {
      const webhook = connect().webhook!;
      received.length = 0;
      const id = await admin.create("posts", { title: "Hooked", status: "publish" });
      await admin.trash("posts", id);
      await admin.forceDelete("posts", id);
      const parsed = received.map((request) => {
        const webhookRequest = {
          headers: request.headers,
          rawBody: request.body,
          query: {},
          secret: "hook-secret",
          now: new Date(),
        };
        webhook.verify(webhookRequest);
        return webhook.parse(webhookRequest);
      });
      expect(parsed).toContainEqual({ changed: [`post:${id}`], deleted: [] });
      expect(parsed.filter((events) => events.deleted.includes(`post:${id}`)).length).toBe(2);
      const first = received[0]!;
      expect(() =>
        webhook.verify({
          headers: first.headers,
          rawBody: first.body,
          query: {},
          secret: "other",
          now: new Date(),
        }),
      ).toThrow(/does not match/);
    });
  });
});
