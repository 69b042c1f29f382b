import { createHmac } from "node:crypto";
import { ghostConnector } from "@content-sync/connectors";
import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GhostFixture } from "../../packages/connectors/test/ghost/ghost-fixture.js";
import { CmsSyncHarness } from "./support/cms-sync-harness.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

const CONTENT_KEY = "6f1e2d3c4b5a69788796a5b4c3";
const ADMIN_ID = "65a1b2c3d4e5f60718293a4b";
const ADMIN_SECRET = "a1b2c3d4e5f60718".repeat(4);
const WEBHOOK_SECRET = "ghost-e2e-webhook-secret";

/** `X-Ghost-Signature` as Ghost documents it: hex HMAC-SHA256 of the raw body followed by `t` (ms). */
function ghostSignature(secret: string, rawBody: string, timestampMs: number): string {
  const digest = createHmac("sha256", secret).update(`${rawBody}${timestampMs}`).digest("hex");
  return `sha256=${digest}, t=${timestampMs}`;
}

describe("Ghost → sync engine → Intercom sandbox, end to end", () => {
  let fixture: GhostFixture;
  let h: CmsSyncHarness;
  let env: Record<string, string>;
  let blog: SourceConfig;
  const ids = { welcome: "", pricing: "", faq: "", about: "", draft: "", members: "" };

  function ghostSource(id: string, options: string): SourceConfig {
    return h.source(
      `
      id: ${id}
      type: ghost
      contentImportSource: { url: "https://blog.example.com/${id}" }
      webhook: { secretEnv: GHOST_E2E_WEBHOOK_SECRET }
      options:
        apiUrl: \${GHOST_E2E_URL}
        ${options}
      `,
      env,
    );
  }

  beforeAll(async () => {
    fixture = new GhostFixture({
      contentKey: CONTENT_KEY,
      adminKeyId: ADMIN_ID,
      adminSecretHex: ADMIN_SECRET,
    });
    env = {
      GHOST_E2E_URL: await fixture.start(),
      GHOST_E2E_CONTENT_KEY: CONTENT_KEY,
      GHOST_E2E_ADMIN_KEY: `${ADMIN_ID}:${ADMIN_SECRET}`,
      GHOST_E2E_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    ids.welcome = fixture.upsert({
      title: "Welcome to the blog",
      slug: "welcome",
      html: "<p>Hello <strong>readers</strong>.</p>",
      tags: ["News"],
    });
    ids.pricing = fixture.upsert({
      title: "New pricing",
      slug: "pricing",
      html: "<p>Plans start at $10.</p>",
    });
    ids.faq = fixture.upsert({ title: "FAQ", slug: "faq", html: "<p>Answers to common questions.</p>" });
    ids.about = fixture.upsert({ type: "page", title: "About", slug: "about", html: "<p>Who we are.</p>" });
    ids.draft = fixture.upsert({
      title: "Launch plan",
      slug: "launch",
      html: "<p>Secret date.</p>",
      status: "draft",
    });
    ids.members = fixture.upsert({
      title: "Members guide",
      slug: "members-guide",
      html: "<p>Only for members.</p>",
      visibility: "members",
    });
    h = await CmsSyncHarness.start(ghostConnector);
    blog = ghostSource("ghost-blog", "contentApiKeyEnv: GHOST_E2E_CONTENT_KEY");
  });

  afterAll(async () => {
    await h?.close();
    await fixture?.stop();
  });

  it("first full sync (Content API) creates exactly one page per published public post and page", async () => {
    const summary = await h.run(blog, env, "full");
    expect(summary).toMatchObject({
      mode: "full",
      created: 4,
      updated: 0,
      deleted: 0,
      failed: 0,
      listingComplete: true,
    });
    expect(await h.writes()).toEqual({
      upserts: 4,
      deletes: 0,
      upsertsSucceeded: 4,
      deletesSucceeded: 0,
      sourcesCreated: 1,
    });
    const pages = await h.pages(blog);
    expect(pages.map((page) => page.external_id)).toEqual(
      [ids.welcome, ids.pricing, ids.faq, ids.about].sort(),
    );
    const welcome = await h.page(blog, ids.welcome);
    expect(welcome).toMatchObject({
      title: "Welcome to the blog",
      url: "https://blog.example.com/welcome/",
      ai_agent_availability: true,
      ai_copilot_availability: true,
    });
    expect(welcome.html).toContain("Hello <strong>readers</strong>.");
    expect(await h.page(blog, ids.about)).toMatchObject({
      title: "About",
      url: "https://blog.example.com/about/",
    });
  });

  it("second run with nothing changed writes nothing, incremental or full", async () => {
    await h.resetStats();
    expect(await h.run(blog, env, "incremental")).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(await h.run(blog, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 4,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0, sourcesCreated: 0 });
  });

  it("an edited post becomes exactly one update on the next incremental run", async () => {
    const before = await h.page(blog, ids.pricing);
    fixture.tick(60);
    fixture.upsert({ title: "New pricing for 2026", slug: "pricing", html: "<p>Plans start at $12.</p>" });
    await h.resetStats();
    const summary = await h.run(blog, env, "incremental");
    expect(summary).toMatchObject({ mode: "incremental", created: 0, updated: 1, deleted: 0, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
    const after = await h.page(blog, ids.pricing);
    expect(after).toMatchObject({ id: before.id, title: "New pricing for 2026" });
    expect(after.html).toContain("$12");
  });

  it("a deleted post (Ghost keeps no tombstone) is removed by the next full run: exactly one DELETE", async () => {
    fixture.tick(60);
    fixture.remove(ids.faq);
    await h.resetStats();
    expect(await h.run(blog, env, "incremental")).toMatchObject({ deleted: 0, created: 0, updated: 0 });
    expect(await h.run(blog, env, "full")).toMatchObject({
      mode: "full",
      deleted: 1,
      created: 0,
      unchanged: 3,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
    expect((await h.pages(blog)).map((page) => page.external_id)).toEqual(
      [ids.welcome, ids.pricing, ids.about].sort(),
    );
  });

  it("drafts and members-only posts are synced only by an Admin API source configured for them", async () => {
    const staff = ghostSource(
      "ghost-staff",
      `adminApiKeyEnv: GHOST_E2E_ADMIN_KEY
        statuses: [published, draft]
        visibilities: [public, members]
        urlTemplate: "https://staff.example.com/{type}/{slug}"`,
    );
    await h.resetStats();
    expect(await h.run(staff, env, "full")).toMatchObject({ created: 5, updated: 0, deleted: 0, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 5, deletes: 0, sourcesCreated: 1 });
    expect((await h.pages(staff)).map((page) => page.external_id)).toEqual(
      [ids.welcome, ids.pricing, ids.about, ids.draft, ids.members].sort(),
    );
    expect(await h.page(staff, ids.draft)).toMatchObject({
      title: "Launch plan",
      url: "https://staff.example.com/post/launch",
    });
    expect((await h.page(staff, ids.members)).html).toContain("Only for members.");
    const published = (await h.pages(blog)).map((page) => page.external_id);
    expect(published).not.toContain(ids.draft);
    expect(published).not.toContain(ids.members);
  });

  it("a wrong Content API key fails the run naming its env var, and deletes nothing", async () => {
    await h.expectRefusedCredential(blog, env, "GHOST_E2E_CONTENT_KEY", "0000000000000000000000dead");
  });

  it("a wrong Admin API secret fails the run naming its env var, and deletes nothing", async () => {
    const staff = ghostSource(
      "ghost-staff",
      "adminApiKeyEnv: GHOST_E2E_ADMIN_KEY\n        statuses: [published, draft]",
    );
    const wrong = { ...env, GHOST_E2E_ADMIN_KEY: `${ADMIN_ID}:${"0f".repeat(32)}` };
    const pagesBefore = await h.pages(staff);
    await h.resetStats();
    const summary = await h.run(staff, wrong, "full");
    expect(summary).toMatchObject({ listingComplete: false, created: 0, updated: 0, deleted: 0 });
    expect(summary.listingError).toContain("GHOST_E2E_ADMIN_KEY");
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
    expect(await h.pages(staff)).toEqual(pagesBefore);
  });

  it("post.* and page.* webhooks signed with X-Ghost-Signature reindex one document each; a forged one writes nothing", async () => {
    const receiver = new WebhookReceiver({
      connector: h.connector(blog, env),
      secret: env[blog.webhook?.secretEnv ?? ""],
      reindex: (externalIds, deleted) => h.syncDocuments(blog, env, externalIds, deleted),
    });
    const endpoint = await receiver.start();
    const send = (body: unknown, secret = WEBHOOK_SECRET) => {
      const rawBody = JSON.stringify(body);
      return fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-ghost-signature": ghostSignature(secret, rawBody, Date.now()),
        },
        body: rawBody,
      });
    };
    try {
      fixture.tick(60);
      fixture.upsert({
        title: "Welcome to the blog",
        slug: "welcome",
        html: "<p>Hello <strong>readers</strong>, and welcome back.</p>",
        tags: ["News"],
      });
      const edited = {
        post: { current: { id: ids.welcome, slug: "welcome" }, previous: { updated_at: "x" } },
      };
      await h.resetStats();
      expect((await send(edited, "not-the-secret")).status).toBe(401);
      const [forged] = await receiver.handled(1);
      expect(forged).toMatchObject({ status: 401, error: expect.stringContaining("does not match") });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });

      expect((await send(edited)).status).toBe(202);
      const [, updated] = await receiver.handled(2);
      expect(updated?.events).toEqual({ changed: [ids.welcome], deleted: [] });
      expect(updated?.summary).toMatchObject({
        mode: "documents",
        updated: 1,
        created: 0,
        deleted: 0,
        failed: 0,
      });
      expect(await h.writes()).toMatchObject({ upserts: 1, upsertsSucceeded: 1, deletes: 0 });
      expect((await h.page(blog, ids.welcome)).html).toContain("welcome back.");

      fixture.remove(ids.about);
      await h.resetStats();
      expect((await send({ page: { current: {}, previous: { id: ids.about, slug: "about" } } })).status).toBe(
        202,
      );
      const [, , deleted] = await receiver.handled(3);
      expect(deleted?.events).toEqual({ changed: [], deleted: [ids.about] });
      expect(deleted?.summary).toMatchObject({ deleted: 1, updated: 0, created: 0 });
      expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 1, deletesSucceeded: 1 });
      expect((await h.pages(blog)).map((page) => page.external_id)).toEqual(
        [ids.welcome, ids.pricing].sort(),
      );
    } finally {
      await receiver.close();
    }
  });
});
