import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  signWordPressWebhook,
  WORDPRESS_SIGNATURE_HEADER,
  WORDPRESS_TIMESTAMP_HEADER,
  wordpressConnector,
} from "@content-sync/connectors";
import {
  WordPressAdmin,
  type WordPressSite,
} from "../../packages/connectors/test/wordpress/wordpress-site.js";
import { CmsSyncHarness } from "./support/cms-sync-harness.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";
import { wordpressE2eSite } from "./support/wordpress-e2e-site.js";

const WEBHOOK_SECRET = "wordpress-e2e-webhook-secret";

let site: WordPressSite;
let admin: WordPressAdmin;
let h: CmsSyncHarness;
let env: Record<string, string>;
/** Posts by role; every id is a real WordPress post id. */
const ids = { reset: 0, invite: 0, exportData: 0, runbook: 0, upcoming: 0, news: 0, about: 0 };
let category = "";
let categoryId = 0;
let help: SourceConfig;

const externalId = (id: number) => `post:${id}`;

function helpSource(statuses: string[], extra = ""): SourceConfig {
  const id = statuses.length === 1 ? "wp-help" : "wp-help-internal";
  return h.source(
    `
    id: ${id}
    type: wordpress
    contentImportSource: { url: "https://help.example.com/${id}" }
    webhook: { secretEnv: WP_E2E_WEBHOOK_SECRET }
    options:
      baseUrl: \${WP_E2E_URL}
      usernameEnv: WP_E2E_USER
      applicationPasswordEnv: WP_E2E_APP_PASSWORD
      postTypes: [post]
      categories: [${category}]
      statuses: [${statuses.join(", ")}]
    ${extra}
    `,
    env,
  );
}

beforeAll(async () => {
  site = await wordpressE2eSite();
  admin = new WordPressAdmin(site);
  // This site belongs to this file alone: start from an empty one.
  await admin.deleteAllContent();
  await admin.request("POST", "/settings", { content_sync_webhook_url: "", content_sync_webhook_secret: "" });
  category = `help-center-${Date.now()}`;
  categoryId = await admin.term("categories", category);
  const inHelp = { categories: [categoryId] };
  ids.reset = await admin.create("posts", {
    ...inHelp,
    title: "Reset your password",
    content: "<p>Open <strong>Settings</strong> and choose Reset password.</p>",
    status: "publish",
  });
  ids.invite = await admin.create("posts", {
    ...inHelp,
    title: "Invite teammates",
    content: "<p>Send invitations from the Team page.</p>",
    status: "publish",
  });
  ids.exportData = await admin.create("posts", {
    ...inHelp,
    title: "Export your data",
    content: "<p>Exports arrive by email as CSV.</p>",
    status: "publish",
  });
  ids.runbook = await admin.create("posts", {
    ...inHelp,
    title: "Support runbook",
    content: "<p>Escalate to the on-call engineer.</p>",
    status: "private",
  });
  ids.upcoming = await admin.create("posts", {
    ...inHelp,
    title: "Upcoming SSO guide",
    content: "<p>Not ready yet.</p>",
    status: "draft",
  });
  // Out of scope: another category, and a page while the source syncs posts only.
  ids.news = await admin.create("posts", {
    title: "Company news",
    content: "<p>We moved.</p>",
    status: "publish",
  });
  ids.about = await admin.create("pages", {
    title: "About us",
    content: "<p>Who we are.</p>",
    status: "publish",
  });

  h = await CmsSyncHarness.start(wordpressConnector);
  env = {
    WP_E2E_URL: site.url,
    WP_E2E_USER: site.user,
    WP_E2E_APP_PASSWORD: site.appPassword,
    WP_E2E_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };
  help = helpSource(["publish"]);
}, 900_000);

afterAll(async () => {
  await admin?.request("POST", "/settings", {
    content_sync_webhook_url: "",
    content_sync_webhook_secret: "",
  });
  await admin?.deleteAllContent();
  if (categoryId) await admin?.request("DELETE", `/categories/${categoryId}?force=true`);
  await h?.close();
});

// One story, step by step against the same site, sandbox and state: each step builds on the last.
describe("WordPress → sync engine → Intercom sandbox, end to end", { timeout: 60_000 }, () => {
  it("first full sync creates exactly one page per published post in scope", async () => {
    const summary = await h.run(help, env, "full");
    expect(summary).toMatchObject({
      mode: "full",
      created: 3,
      updated: 0,
      deleted: 0,
      failed: 0,
      listingComplete: true,
    });
    expect(await h.writes()).toEqual({
      upserts: 3,
      deletes: 0,
      upsertsSucceeded: 3,
      deletesSucceeded: 0,
      sourcesCreated: 1,
    });

    const pages = await h.pages(help);
    expect(pages.map((page) => page.external_id)).toEqual(
      [ids.exportData, ids.invite, ids.reset].map(externalId).sort(),
    );
    const reset = await h.page(help, externalId(ids.reset));
    expect(reset).toMatchObject({
      title: "Reset your password",
      url: `${site.url}/reset-your-password/`,
      ai_agent_availability: true,
      ai_copilot_availability: true,
    });
    expect(reset.html).toContain("<strong>Settings</strong>");
    expect(reset.html).toContain("choose Reset password.");
    // Private, draft, other categories and pages stay out of a publish-only post source.
    const synced = pages.map((page) => page.external_id);
    for (const id of [ids.runbook, ids.upcoming, ids.news]) expect(synced).not.toContain(externalId(id));
    expect(synced).not.toContain(`page:${ids.about}`);
  });

  it("second run with nothing changed writes nothing, incremental or full", async () => {
    await h.resetStats();
    const incremental = await h.run(help, env, "incremental");
    expect(incremental).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 3,
    });
    const full = await h.run(help, env, "full");
    expect(full).toMatchObject({
      mode: "full",
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 3,
      writeCalls: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0, sourcesCreated: 0 });
  });

  it("an edit made through the REST API becomes exactly one update on the next incremental run", async () => {
    const before = await h.page(help, externalId(ids.invite));
    await admin.update("posts", ids.invite, {
      title: "Invite and manage teammates",
      content: "<p>Send invitations from the Team page, then set each role.</p>",
    });
    await h.resetStats();
    const summary = await h.run(help, env, "incremental");
    expect(summary).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 1,
      unchanged: 2,
      deleted: 0,
      failed: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
    const after = await h.page(help, externalId(ids.invite));
    expect(after.id).toBe(before.id);
    expect(after.title).toBe("Invite and manage teammates");
    expect(after.html).toContain("then set each role.");
    expect(after.url).toBe(`${site.url}/invite-teammates/`);
  });

  it("a trashed post is deleted by the next incremental run: exactly one DELETE", async () => {
    await admin.trash("posts", ids.exportData);
    await h.resetStats();
    const summary = await h.run(help, env, "incremental");
    expect(summary).toMatchObject({ mode: "incremental", created: 0, updated: 0, deleted: 1, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
    expect((await h.pages(help)).map((page) => page.external_id)).toEqual(
      [ids.invite, ids.reset].map(externalId).sort(),
    );
  });

  it("a force-deleted post (no trash) is found by id reconciliation on the next full run", async () => {
    await admin.forceDelete("posts", ids.reset);
    await h.resetStats();
    const incremental = await h.run(help, env, "incremental");
    // The change feed cannot see a post that no longer exists: nothing happens until a full listing.
    expect(incremental).toMatchObject({ deleted: 0, updated: 0, created: 0 });
    const full = await h.run(help, env, "full");
    expect(full).toMatchObject({ mode: "full", deleted: 1, created: 0, updated: 0, unchanged: 1 });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
    expect((await h.pages(help)).map((page) => page.external_id)).toEqual([externalId(ids.invite)]);
  });

  it("private and draft posts are synced only by a source configured for them, with the rules' availability", async () => {
    const internal = helpSource(
      ["publish", "private", "draft"],
      `rules:
      availability:
        - match: { status: [private, draft] }
          aiAgent: false`,
    );
    await h.resetStats();
    const summary = await h.run(internal, env, "full");
    expect(summary).toMatchObject({ created: 3, updated: 0, deleted: 0, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 3, deletes: 0, sourcesCreated: 1 });
    const pages = await h.pages(internal);
    expect(pages.map((page) => page.external_id)).toEqual(
      [ids.invite, ids.runbook, ids.upcoming].map(externalId).sort(),
    );
    const runbook = await h.page(internal, externalId(ids.runbook));
    expect(runbook).toMatchObject({
      url: `${site.url}/support-runbook/`,
      ai_agent_availability: false,
      ai_copilot_availability: true,
    });
    // The post's own title: WordPress's rendered "Private: " prefix (private_title_format) stays out.
    expect(runbook.title).toBe("Support runbook");
    expect(runbook.html).toContain("on-call engineer");
    expect(await h.page(internal, externalId(ids.upcoming))).toMatchObject({
      ai_agent_availability: false,
      ai_copilot_availability: true,
    });
    expect(await h.page(internal, externalId(ids.invite))).toMatchObject({ ai_agent_availability: true });

    // The publish-only source still has exactly its one page, untouched.
    await h.resetStats();
    expect(await h.run(help, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 1,
    });
    expect((await h.pages(help)).map((page) => page.external_id)).toEqual([externalId(ids.invite)]);
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });

  it("a wrong Application Password fails the run naming its env var, and deletes nothing", async () => {
    await h.expectRefusedCredential(help, env, "WP_E2E_APP_PASSWORD", "abcd efgh ijkl mnop qrst uvwx");

    // With the right password again, the source is intact: nothing to repair.
    expect(await h.run(help, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 1,
    });
  });

  it("a webhook signed with the source's secret reindexes exactly the named post; a tampered one writes nothing", async () => {
    const receiver = new WebhookReceiver({
      connector: h.connector(help, env),
      secret: env[help.webhook?.secretEnv ?? ""],
      reindex: (externalIds, deleted) => h.syncDocuments(help, env, externalIds, deleted),
    });
    const endpoint = await receiver.start();
    try {
      await admin.update("posts", ids.invite, { content: "<p>Invitations expire after 7 days.</p>" });
      const body = JSON.stringify({ action: "updated", post_type: "post", id: ids.invite });
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = signWordPressWebhook(WEBHOOK_SECRET, timestamp, body);
      const send = (payload: string) =>
        fetch(endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [WORDPRESS_TIMESTAMP_HEADER]: String(timestamp),
            [WORDPRESS_SIGNATURE_HEADER]: signature,
          },
          body: payload,
        });

      await h.resetStats();
      // Same signature, another post: the HMAC no longer matches the raw body.
      const tampered = await send(body.replace(String(ids.invite), String(ids.news)));
      expect(tampered.status).toBe(401);
      const [refused] = await receiver.handled(1);
      expect(refused).toMatchObject({
        status: 401,
        error: expect.stringContaining(WORDPRESS_SIGNATURE_HEADER),
      });
      expect(refused?.summary).toBeUndefined();
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });

      const accepted = await send(body);
      expect(accepted.status).toBe(202);
      const [, reindexed] = await receiver.handled(2);
      expect(reindexed?.events).toEqual({ changed: [externalId(ids.invite)], deleted: [] });
      expect(reindexed?.summary).toMatchObject({
        mode: "documents",
        updated: 1,
        created: 0,
        deleted: 0,
        failed: 0,
      });
      expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
      expect((await h.page(help, externalId(ids.invite))).html).toContain("expire after 7 days");
    } finally {
      await receiver.close();
    }
  });

  it("WordPress's own webhook plugin drives the reindex: an edit and a trash, one write each", async () => {
    const receiver = new WebhookReceiver({
      connector: h.connector(help, env),
      secret: WEBHOOK_SECRET,
      reindex: (externalIds, deleted) => h.syncDocuments(help, env, externalIds, deleted),
    });
    const endpoint = await receiver.start();
    try {
      await admin.request("POST", "/settings", {
        content_sync_webhook_url: endpoint,
        content_sync_webhook_secret: WEBHOOK_SECRET,
      });
      await h.resetStats();
      await admin.update("posts", ids.invite, { content: "<p>Invitations now expire after 14 days.</p>" });
      const [edited] = await receiver.handled(1);
      expect(edited).toMatchObject({
        status: 202,
        events: { changed: [externalId(ids.invite)], deleted: [] },
      });
      expect(edited?.summary).toMatchObject({ updated: 1, deleted: 0, failed: 0 });
      expect(await h.writes()).toMatchObject({ upserts: 1, deletes: 0 });
      expect((await h.page(help, externalId(ids.invite))).html).toContain("expire after 14 days");

      await h.resetStats();
      await admin.trash("posts", ids.invite);
      const received = await receiver.handled(2);
      expect(received[1]).toMatchObject({
        status: 202,
        events: { changed: [], deleted: [externalId(ids.invite)] },
      });
      expect(received[1]?.summary).toMatchObject({ deleted: 1, updated: 0, created: 0 });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
      expect(await h.pages(help)).toEqual([]);
    } finally {
      await admin.request("POST", "/settings", {
        content_sync_webhook_url: "",
        content_sync_webhook_secret: "",
      });
      await receiver.close();
    }
  });
});
