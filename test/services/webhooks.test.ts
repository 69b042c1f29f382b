import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConnectorRegistry, filesystemConnector } from "@content-sync/connectors";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import { type SchedulerApp, startSchedulerApp } from "@content-sync/scheduler";
import { purgeKeyspace } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrl, waitFor } from "./support/harness.js";
import { SignedTestSource, signWebhook } from "./support/signed-test-connector.js";

const SECRET = "whsec-services-test";
const UPSERT = "POST /ai/external_pages";

describe("webhooks end to end: serve (scheduler + worker) on real Redis, sandbox as Intercom", () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let app: SchedulerApp;
  const documents = new SignedTestSource();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-webhooks-"));
    sandbox = await startSandbox();
    const file = path.join(dir, "content-sync.yaml");
    await writeFile(
      file,
      `intercom: { tokenEnv: TEST_INTERCOM_TOKEN, baseUrl: "${sandbox.url}" }
redis: { keyPrefix: cs-test-${randomUUID()} }
sources:
  - id: handbook
    type: signed-test
    contentImportSource: { url: "https://handbook.example.test/" }
    availability: { aiAgent: false, aiCopilot: true }
    webhook: { secretEnv: HANDBOOK_WEBHOOK_SECRET }
    options: { name: handbook }
`,
    );
    app = await startSchedulerApp({
      configFile: file,
      env: { TEST_INTERCOM_TOKEN: sandbox.token, HANDBOOK_WEBHOOK_SECRET: SECRET, REDIS_URL: redisUrl() },
      registry: new ConnectorRegistry().register(filesystemConnector).register(documents.definition()),
      port: 0,
      host: "127.0.0.1",
      withWorker: true,
      watchConfig: false,
      maxWebhookBytes: 4096,
      coalesceWindowMs: 1_000,
    });
  });
  afterAll(async () => {
    if (app) {
      const { connection, keyspace } = app.context;
      await app.http.close();
      await app.worker?.close();
      await purgeKeyspace(connection, keyspace);
      await app.close();
    }
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (body: string, signature: string | undefined) =>
    fetch(`${app.url}/webhooks/handbook`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(signature ? { "x-signature": signature } : {}) },
      body,
    });
  const page = (externalId: string) =>
    sandbox.store.listPages().find((candidate) => candidate.external_id === externalId);
  const targetedJobs = async () =>
    (await app.context.queue.getJobs(["waiting", "delayed", "active", "completed", "failed"])).length;
  const idle = () =>
    waitFor(
      "an idle queue",
      async () => {
        const counts = await app.context.queue.getJobCounts("waiting", "delayed", "active");
        return (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0) === 0;
      },
      30_000,
    );

  it("a signed webhook is answered 202 at once and the page is updated in Intercom", async () => {
    documents.put("guide", "Guide", "first version");
    const body = JSON.stringify({ changed: ["guide"] });
    const started = performance.now();
    const response = await send(body, signWebhook(SECRET, body));
    const elapsed = performance.now() - started;
    expect(response.status).toBe(202);
    expect(elapsed).toBeLessThan(500);
    const created = await waitFor("the page in the sandbox", () => page("guide"), 20_000);
    expect(created.html).toContain("first version");
    expect(created.url).toBe("https://signed.example.test/guide");
  });

  it("bad signature, replayed and oversize requests are rejected and enqueue nothing", async () => {
    await idle();
    const before = await targetedJobs();
    const writes = sandbox.stats().succeeded[UPSERT] ?? 0;
    const body = JSON.stringify({ changed: ["guide"] });
    expect((await send(body, signWebhook("not-the-secret", body))).status).toBe(401);
    expect((await send(body, signWebhook(SECRET, body, Date.now() - 3_600_000))).status).toBe(401);
    expect((await send(body, undefined)).status).toBe(401);
    const huge = JSON.stringify({ changed: ["guide"], padding: "x".repeat(8192) });
    expect((await send(huge, signWebhook(SECRET, huge))).status).toBe(413);
    expect((await fetch(`${app.url}/webhooks/unknown`, { method: "POST", body })).status).toBe(404);
    expect(await targetedJobs()).toBe(before);
    expect(sandbox.stats().succeeded[UPSERT] ?? 0).toBe(writes);
  });

  it("a burst of 50 events for one document makes at most two writes, the last with the final content", async () => {
    await idle();
    sandbox.resetStats();
    for (let edit = 1; edit <= 50; edit++) {
      documents.put("guide", "Guide", `edit number ${edit}`);
      const body = JSON.stringify({ changed: ["guide"] });
      expect((await send(body, signWebhook(SECRET, body))).status).toBe(202);
    }
    await waitFor(
      "the final content in the sandbox",
      () => page("guide")?.html.includes("edit number 50"),
      20_000,
    );
    await idle();
    const writes = sandbox.stats().succeeded[UPSERT] ?? 0;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2);
    expect(page("guide")?.html).toContain("edit number 50");
  });

  it("a webhook for a document that is gone deletes its page", async () => {
    await idle();
    documents.documents.delete("guide");
    const body = JSON.stringify({ deleted: ["guide"] });
    expect((await send(body, signWebhook(SECRET, body))).status).toBe(202);
    await waitFor("the page to be deleted", () => page("guide") === undefined, 20_000);
  });
});
