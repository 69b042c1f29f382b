import { randomUUID } from "node:crypto";
import {
  type Connector,
  type ConnectorDefinition,
  ConnectorRegistry,
  WebhookPayloadError,
  WebhookVerificationError,
  assertFreshTimestamp,
  contentfulConnector,
  filesystemConnector,
  hmacSha256Hex,
  requireSecret,
  safeEqual,
} from "@content-sync/connectors";
import { JOB, parseConfig, purgeKeyspace, ServiceContext } from "@content-sync/sync";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildHttpServer } from "./http-server.js";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const SECRET = "whsec-test";
const ADMIN = "admin-token-123";

/** A webhook-capable connector for this test: `x-signature: t=<unix s>,v1=<hmac of "t.body">`. */
const signedConnector: ConnectorDefinition<{ label: string }> = {
  type: "signed-test",
  optionsSchema: z.strictObject({ label: z.string() }),
  defaultRate: { perSecond: 100 },
  create(): Connector {
    return {
      async *listAll() {},
      async *fetchByIds() {},
      webhook: {
        handshake(request) {
          // A handshake that hands over a secret for the operator, as Notion's verification request does
          // (whether to accept it is the connector's decision, tested with the Notion connector).
          const handedOver = request.query.verificationToken;
          if (handedOver)
            return { status: 200, body: "{}", adminNotice: { message: "store it", secret: handedOver } };
          const token = request.query.validationToken;
          return token ? { status: 200, body: token, contentType: "text/plain" } : undefined;
        },
        verify(request) {
          const secret = requireSecret(request.secret);
          const header = request.headers["x-signature"] ?? "";
          const parts = Object.fromEntries(
            header.split(",").map((part) => part.split("=") as [string, string]),
          );
          assertFreshTimestamp(Number(parts.t), request.now, 300);
          const expected = hmacSha256Hex(secret, `${parts.t}.${request.rawBody.toString("utf8")}`);
          if (!parts.v1 || !safeEqual(parts.v1, expected))
            throw new WebhookVerificationError("signature mismatch");
        },
        parse(request) {
          const body = JSON.parse(request.rawBody.toString("utf8")) as {
            changed?: string[];
            deleted?: string[];
            resync?: boolean;
          };
          // A notification that names no documents (as Graph and Drive send them).
          if (body.resync === true) return { changed: [], deleted: [], resync: true };
          if (!Array.isArray(body.changed)) throw new WebhookPayloadError("changed must be an array");
          return { changed: body.changed, deleted: body.deleted ?? [] };
        },
      },
    };
  },
};

/**
 * A webhook signed the way Contentful's request verification is documented: HMAC-SHA256 (hex) over
 * the method, the request target, the signed headers and the raw body, joined by newlines. The request
 * line is part of what is signed, so the receiver must hand the connector the method and path it got.
 */
const contentfulHeaders = (path: string, body: string, topic: string) => {
  const timestamp = String(NOW);
  const signedNames = "x-contentful-signed-headers,x-contentful-timestamp,x-contentful-topic";
  const canonical = [
    "POST",
    path,
    `x-contentful-signed-headers:${signedNames};x-contentful-timestamp:${timestamp};x-contentful-topic:${topic}`,
    body,
  ].join("\n");
  return {
    "x-contentful-topic": topic,
    "x-contentful-timestamp": timestamp,
    "x-contentful-signed-headers": signedNames,
    "x-contentful-signature": hmacSha256Hex(CONTENTFUL_SECRET, canonical),
  };
};
const CONTENTFUL_SECRET = "contentful-signing-secret";

const sign = (body: string, at = NOW) => {
  const t = Math.floor(at / 1000);
  return `t=${t},v1=${hmacSha256Hex(SECRET, `${t}.${body}`)}`;
};

describe("scheduler HTTP server (real Redis)", () => {
  let context: ServiceContext;
  let app: FastifyInstance;
  const prefix = `cs-test-${randomUUID()}`;

  beforeAll(async () => {
    const registry = new ConnectorRegistry()
      .register(filesystemConnector)
      .register(signedConnector)
      .register(contentfulConnector);
    const yaml = `
redis: { keyPrefix: ${prefix} }
sources:
  - id: hooked
    type: signed-test
    contentImportSource: { url: https://docs.example.test/ }
    availability: { aiAgent: false, aiCopilot: true }
    webhook: { secretEnv: HOOK_SECRET }
    options: { label: x }
  - id: cms
    type: contentful
    contentImportSource: { url: https://cms.example.test/ }
    availability: { aiAgent: true, aiCopilot: true }
    webhook: { secretEnv: CONTENTFUL_SECRET }
    options: { spaceId: space1, accessTokenEnv: CONTENTFUL_TOKEN, baseUrl: "http://127.0.0.1:9" }
  - id: plain
    type: filesystem
    contentImportSource: { url: https://files.example.test/ }
    availability: { aiAgent: false, aiCopilot: true }
    options: { root: /nonexistent }
`;
    const env = {
      HOOK_SECRET: SECRET,
      CONTENTFUL_SECRET,
      CONTENTFUL_TOKEN: "delivery-token",
      REDIS_URL: process.env.REDIS_URL,
    };
    const config = parseConfig(yaml, "test.yaml", {
      registry,
      env,
      cwd: "/tmp",
      requireIntercomToken: false,
    });
    context = new ServiceContext({ config, registry, env, role: "test" });
    app = await buildHttpServer({ context, adminToken: ADMIN, maxWebhookBytes: 2048, now: () => NOW });
  });
  afterAll(async () => {
    await app.close();
    await purgeKeyspace(context.connection, context.keyspace);
    await context.close();
  });

  const queued = async () =>
    (await context.queue.getJobs(["waiting", "delayed", "active"])).filter(
      (job) => job.name === JOB.targeted,
    );
  const post = (url: string, body: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: "POST",
      url,
      payload: body,
      headers: { "content-type": "application/json", ...headers },
    });

  it("rejects unknown sources, sources without webhooks, bad signatures, replays and oversize bodies; enqueues nothing", async () => {
    const body = JSON.stringify({ changed: ["doc-1"] });
    expect((await post("/webhooks/nope", body, { "x-signature": sign(body) })).statusCode).toBe(404);
    expect((await post("/webhooks/plain", body, { "x-signature": sign(body) })).statusCode).toBe(404);
    const forged = await post("/webhooks/hooked", body, { "x-signature": sign(`${body} `) });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toEqual({ error: "webhook verification failed" });
    const replay = await post("/webhooks/hooked", body, { "x-signature": sign(body, NOW - 3_600_000) });
    expect(replay.statusCode).toBe(401);
    expect((await post("/webhooks/hooked", body)).statusCode).toBe(401);
    const big = JSON.stringify({ changed: ["x".repeat(4096)] });
    expect((await post("/webhooks/hooked", big, { "x-signature": sign(big) })).statusCode).toBe(413);
    const garbled = '{"changed": 5}';
    expect((await post("/webhooks/hooked", garbled, { "x-signature": sign(garbled) })).statusCode).toBe(400);
    expect(await queued()).toEqual([]);
  });

  it("verifies the exact raw bytes and enqueues one coalesced targeted job per document", async () => {
    // Whitespace that a JSON re-serialisation would drop must still verify.
    const body = `{ "changed": ["doc-1", "doc-2"],   "deleted": ["doc-3"] }`;
    const response = await post("/webhooks/hooked", body, { "x-signature": sign(body) });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ accepted: 3 });
    const waiting = await queued();
    expect(waiting.map((job) => job.data.externalIds[0]).sort()).toEqual(["doc-1", "doc-2", "doc-3"]);
    // More events for the same documents within the burst window join one delayed trailing job each.
    for (let round = 0; round < 3; round++) {
      expect((await post("/webhooks/hooked", body, { "x-signature": sign(body) })).statusCode).toBe(202);
    }
    const delayed = (await context.queue.getJobs(["delayed"])).filter((job) => job.name === JOB.targeted);
    expect(delayed.map((job) => job.data.externalIds[0]).sort()).toEqual(["doc-1", "doc-2", "doc-3"]);
    expect((await context.queue.getJobs(["waiting"])).length).toBe(3);
    await context.queue.drain(true);
  });

  it("queues one incremental run for a burst of notifications that name no documents", async () => {
    const body = `{"resync": true}`;
    for (let round = 0; round < 4; round++) {
      const response = await post("/webhooks/hooked", body, { "x-signature": sign(body) });
      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual({ accepted: 0, resync: true });
    }
    const runs = (await context.queue.getJobs(["waiting", "delayed", "active"])).filter(
      (job) => job.name === JOB.sourceRun && job.data.trigger === "push",
    );
    expect(runs.map((job) => job.data)).toEqual([
      { sourceId: "hooked", mode: "incremental", trigger: "push" },
    ]);
    expect(await queued()).toEqual([]);
    await context.queue.drain(true);
  });

  it("answers a connector's handshake without verifying or enqueueing", async () => {
    const response = await app.inject({ method: "GET", url: "/webhooks/hooked?validationToken=abc123" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("abc123");
    expect(await queued()).toEqual([]);
  });

  it("holds a handshake's admin notice for the admin-authenticated status only, never answering it to the sender", async () => {
    const handshake = await app.inject({
      method: "POST",
      url: "/webhooks/hooked?verificationToken=tok-9f8e7d",
    });
    expect(handshake.statusCode).toBe(200);
    expect(handshake.body).not.toContain("tok-9f8e7d");
    expect(await queued()).toEqual([]);
    const summary = await app.inject("/api/status");
    expect(summary.body).not.toContain("tok-9f8e7d");
    const full = await app.inject({ url: "/api/status", headers: { authorization: `Bearer ${ADMIN}` } });
    expect(full.json().adminNotices).toEqual([
      { sourceId: "hooked", message: "store it", secret: "tok-9f8e7d", receivedAt: NOW },
    ]);
  });

  it("serves health, readiness and Prometheus metrics", async () => {
    expect((await app.inject("/healthz")).json()).toEqual({ status: "ok" });
    // A keyspace no scheduler has set up yet (or one Redis lost) is not ready until it is recovered.
    const fresh = await app.inject("/readyz");
    expect(fresh.statusCode).toBe(503);
    expect(fresh.json()).toMatchObject({ redis: true, keyspace: "not initialised" });
    await context.epoch.check({
      sources: context.config.sources,
      queue: context.queue,
      state: context.state,
    });
    const recovering = await app.inject("/readyz");
    expect(recovering.statusCode).toBe(503);
    expect(recovering.json()).toMatchObject({
      keyspace: "recovering",
      recovering: ["cms", "hooked", "plain"],
    });
    for (const id of ["cms", "hooked", "plain"])
      await context.epoch.markRecovered(id, await context.epoch.current());
    const ready = await app.inject("/readyz");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ redis: true, keyspace: "ready", config: { sources: 3 } });
    await context.ledger.record({
      runId: "r1",
      sourceId: "hooked",
      mode: "full",
      trigger: "manual",
      status: "succeeded",
      startedAt: NOW - 4_000,
      finishedAt: NOW - 1_000,
      counts: { created: 3, updated: 1, unchanged: 0, deleted: 2, failed: 1 },
      errors: [],
      deletionsBlocked: 12,
    });
    await context.ledger.countIntercomCall(429, 40);
    await context.ledger.countIntercomCall(200, 700);
    const metrics = (await app.inject("/metrics")).body;
    expect(metrics).toContain('content_sync_pages_total{source="hooked",outcome="created"} 3');
    expect(metrics).toContain('content_sync_pages_total{source="hooked",outcome="failed"} 1');
    expect(metrics).toContain('content_sync_intercom_calls_total{status="429"} 1');
    expect(metrics).toContain("content_sync_intercom_rate_limited_total 1");
    expect(metrics).toContain("# TYPE content_sync_run_duration_seconds histogram");
    expect(metrics).toContain(
      'content_sync_run_duration_seconds_bucket{source="hooked",mode="full",le="1"} 0',
    );
    expect(metrics).toContain(
      'content_sync_run_duration_seconds_bucket{source="hooked",mode="full",le="5"} 1',
    );
    expect(metrics).toContain(
      'content_sync_run_duration_seconds_bucket{source="hooked",mode="full",le="+Inf"} 1',
    );
    expect(metrics).toContain('content_sync_run_duration_seconds_sum{source="hooked",mode="full"} 3');
    expect(metrics).toContain('content_sync_run_duration_seconds_count{source="hooked",mode="full"} 1');
    expect(metrics).toContain("# TYPE content_sync_intercom_request_duration_seconds histogram");
    expect(metrics).toContain('content_sync_intercom_request_duration_seconds_bucket{le="0.05"} 1');
    expect(metrics).toContain('content_sync_intercom_request_duration_seconds_bucket{le="0.5"} 1');
    expect(metrics).toContain('content_sync_intercom_request_duration_seconds_bucket{le="1"} 2');
    expect(metrics).toContain("content_sync_intercom_request_duration_seconds_count 2");
    expect(metrics).toContain("content_sync_intercom_request_duration_seconds_sum 0.74");
    expect(metrics).toContain('content_sync_deletion_guard_tripped_total{source="hooked"} 1');
    // Node's default metrics under their standard names, and never a doubled prefix.
    expect(metrics).toMatch(/^process_cpu_seconds_total \d/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(metrics).not.toMatch(/content_sync_process_|content_sync_content_sync_/);
    expect(metrics).toContain('content_sync_source_freshness_lag_seconds{source="hooked"} 1');
    expect(metrics).toMatch(/content_sync_queue_jobs\{state="waiting"\} \d+/);
    expect(metrics).toMatch(/content_sync_queue_jobs\{state="active"\} \d+/);
  });

  it("guards sync now and the queue dashboard with the admin token", async () => {
    const url = "/api/sources/hooked/sync";
    expect((await post(url, "{}")).statusCode).toBe(401);
    expect((await post(url, "{}", { authorization: "Bearer wrong" })).statusCode).toBe(401);
    expect(
      (await post("/api/sources/nope/sync", "{}", { authorization: `Bearer ${ADMIN}` })).statusCode,
    ).toBe(404);
    const accepted = await post(url, JSON.stringify({ mode: "incremental" }), {
      authorization: `Bearer ${ADMIN}`,
    });
    expect(accepted.statusCode).toBe(202);
    const job = await context.queue.getJob(accepted.json().jobId);
    expect(job?.data).toMatchObject({ sourceId: "hooked", mode: "incremental", trigger: "manual" });
    await job?.remove();

    expect((await app.inject("/admin/queues")).statusCode).toBe(401);
    expect((await app.inject("/admin/login?token=wrong")).statusCode).toBe(401);
    const login = await app.inject(`/admin/login?token=${ADMIN}`);
    expect(login.statusCode).toBe(302);
    const cookie = String(login.headers["set-cookie"]).split(";")[0] as string;
    const board = await app.inject({ url: "/admin/queues", headers: { cookie } });
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain("<html");
    const status = await app.inject("/api/status");
    expect(status.json().sources.map((source: { id: string }) => source.id)).toEqual([
      "hooked",
      "cms",
      "plain",
    ]);
  });

  it("shows the status summary to anyone, and document errors and failed jobs only with the admin token", async () => {
    await context.ledger.record({
      runId: "r-private",
      sourceId: "plain",
      mode: "full",
      trigger: "manual",
      status: "partial",
      startedAt: NOW - 2_000,
      finishedAt: NOW - 1_000,
      counts: { created: 1, updated: 0, unchanged: 0, deleted: 0, failed: 1 },
      errors: [{ externalId: "hr/salaries-2026.md", message: "cannot parse front matter" }],
      message: "listing stopped early: EACCES /mnt/hr/private",
    });
    const summary = await app.inject("/api/status");
    expect(summary.statusCode).toBe(200);
    const plain = summary.json().sources.find((source: { id: string }) => source.id === "plain");
    expect(plain.lastRuns[0]).toMatchObject({
      runId: "r-private",
      counts: { created: 1, failed: 1 },
      errorCount: 1,
    });
    expect(summary.json()).toMatchObject({ detail: "summary" });
    expect(summary.json().failedJobs).toBeUndefined();
    expect(summary.body).not.toContain("salaries");
    expect(summary.body).not.toContain("/mnt/hr");

    const full = await app.inject({ url: "/api/status", headers: { authorization: `Bearer ${ADMIN}` } });
    expect(full.json()).toMatchObject({ detail: "full", failedJobs: expect.any(Array) });
    expect(full.body).toContain("hr/salaries-2026.md");
    expect(
      (await app.inject({ url: "/api/status", headers: { authorization: "Bearer nope" } })).statusCode,
    ).toBe(401);
    // The page itself is a shell: its data comes from /api/status.
    const page = await app.inject("/status");
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain("salaries");
  });

  it("sets the Bull Board cookie Secure over https, seen through a trusted proxy's X-Forwarded-Proto", async () => {
    const behindProxy = await buildHttpServer({ context, adminToken: ADMIN, trustProxy: true });
    try {
      const https = await behindProxy.inject({
        url: `/admin/login?token=${ADMIN}`,
        headers: { "x-forwarded-proto": "https" },
      });
      expect(String(https.headers["set-cookie"])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
      const http = await behindProxy.inject(`/admin/login?token=${ADMIN}`);
      expect(String(http.headers["set-cookie"])).not.toContain("Secure");
    } finally {
      await behindProxy.close();
    }
    // Without trustProxy the header is not believed: a client cannot claim https.
    const claimed = await app.inject({
      url: `/admin/login?token=${ADMIN}`,
      headers: { "x-forwarded-proto": "https" },
    });
    expect(String(claimed.headers["set-cookie"])).not.toContain("Secure");
  });

  it("asks for the metrics token on /metrics when one is configured", async () => {
    const guarded = await buildHttpServer({ context, metricsToken: "scrape-me" });
    try {
      expect((await guarded.inject("/metrics")).statusCode).toBe(401);
      const scraped = await guarded.inject({
        url: "/metrics",
        headers: { authorization: "Bearer scrape-me" },
      });
      expect(scraped.statusCode).toBe(200);
      expect(scraped.body).toContain("content_sync_pages_total");
      expect((await guarded.inject("/healthz")).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it("reports not ready while Redis is unreachable", async () => {
    const registry = new ConnectorRegistry()
      .register(filesystemConnector)
      .register(signedConnector)
      .register(contentfulConnector);
    const env = { HOOK_SECRET: SECRET, REDIS_URL: "redis://127.0.0.1:1" };
    const config = parseConfig(
      `sources:\n  - id: plain\n    type: filesystem\n    contentImportSource: { url: "https://x.example.test/" }\n    availability: { aiAgent: false, aiCopilot: true }\n    options: { root: /nonexistent }\n`,
      "t.yaml",
      { registry, env, cwd: "/tmp", requireIntercomToken: false },
    );
    const offline = new ServiceContext({ config, registry, env, role: "test" });
    const server = await buildHttpServer({ context: offline });
    try {
      const ready = await server.inject("/readyz");
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: "not ready", redis: false });
      expect((await server.inject("/healthz")).statusCode).toBe(200);
    } finally {
      await server.close();
      offline.connection.disconnect();
    }
  });

  it("hands the connector the method and request target, so request-line signatures (Contentful) verify", async () => {
    const path = "/webhooks/cms";
    const body = JSON.stringify({ sys: { id: "entry-7", type: "Entry" } });
    const topic = "ContentManagement.Entry.publish";
    const accepted = await post(path, body, contentfulHeaders(path, body, topic));
    expect(accepted.statusCode).toBe(202);
    expect(
      (await queued()).some((job) => job.data.sourceId === "cms" && job.data.externalIds[0] === "entry-7"),
    ).toBe(true);
    // Signed for another path: the same bytes must not verify here.
    const moved = await post(path, body, contentfulHeaders("/webhooks/elsewhere", body, topic));
    expect(moved.statusCode).toBe(401);
  });
});
