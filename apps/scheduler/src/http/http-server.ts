import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import { collectStatus, enqueueSourceRun, type ServiceContext, statusSources } from "@content-sync/sync";
import Fastify, { type FastifyInstance } from "fastify";
import { z } from "zod";
import { adminCookie, adminCredential, checkAdmin, sameSecret } from "./admin-auth.js";
import { AdminNotices } from "./admin-notices.js";
import { createMetricsRegistry } from "./metrics.js";
import { publicStatus } from "./public-status.js";
import { STATUS_PAGE_HTML } from "./status-page.html.js";
import { webhookRoutes } from "./webhook-routes.js";

export interface HttpServerOptions {
  context: ServiceContext;
  /** Token for "sync now", the queue dashboard and other admin actions; unset disables them. */
  adminToken?: string;
  /** Largest webhook body in bytes. Default 1 MiB. */
  maxWebhookBytes?: number;
  /** Quiet period ending a burst of webhook events for one document, ms. Default 1 000. */
  coalesceWindowMs?: number;
  /**
   * Bearer token Prometheus must present on `/metrics`; unset leaves `/metrics` open (it carries
   * counts per source, no document data). Default unset.
   */
  metricsToken?: string;
  /**
   * Fastify's `trustProxy`: which proxies' X-Forwarded-* headers to believe (true, a hop count, or
   * addresses/CIDRs). It decides whether a request came over https (the admin cookie's `Secure`).
   * Default false: only the direct connection counts.
   */
  trustProxy?: boolean | number | string;
  /** Clock for webhook timestamp checks and lag; injectable for tests. */
  now?: () => number;
}

const syncNowBody = z
  .object({ mode: z.enum(["full", "incremental"]).default("full") })
  .default({ mode: "full" });

/**
 * The scheduler's HTTP surface: webhooks, `/healthz`, `/readyz`, `/metrics`, the status page and its
 * JSON, "sync now", and Bull Board under `/admin/queues` behind the admin token.
 *
 * Readable without the admin token: webhooks (they check their own signatures), health and readiness,
 * `/metrics` (unless `metricsToken` is set), the status page's HTML and a summary of `/api/status`
 * with the same aggregates as `/metrics`. Everything naming documents or jobs (document errors, run
 * notes, failed jobs), "sync now" and Bull Board need the admin token.
 */
export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { context } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: options.trustProxy ?? false });

  const notices = new AdminNotices(now);
  await app.register(webhookRoutes, {
    context,
    notices,
    maxBodyBytes: options.maxWebhookBytes ?? 1024 * 1024,
    coalesceWindowMs: options.coalesceWindowMs,
    now: () => new Date(now()),
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const redis = await context.redisReachable();
    const sources = context.config.sources.length;
    // After a wiped keyspace the fleet rebuilds each source from Intercom: not ready until it has.
    const recovering = redis ? await context.epoch.recovering().catch(() => []) : [];
    const keyspace = redis ? await context.epoch.ready().catch(() => false) : false;
    const ready = redis && sources > 0 && keyspace;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? "ready" : "not ready",
      redis,
      keyspace: keyspace ? "ready" : recovering.length > 0 ? "recovering" : "not initialised",
      recovering,
      config: { sources },
    });
  });

  const metrics = createMetricsRegistry(context, now);
  app.get("/metrics", async (request, reply) => {
    if (options.metricsToken) {
      const authorization = request.headers.authorization ?? "";
      const given = authorization.startsWith("Bearer ") ? authorization.slice(7).trim() : "";
      if (!sameSecret(given, options.metricsToken)) {
        return reply
          .code(401)
          .header("www-authenticate", "Bearer")
          .send({ error: "metrics token missing or wrong" });
      }
    }
    const body = await metrics.metrics();
    return reply.type(metrics.contentType).send(body);
  });

  app.get("/", async (_request, reply) => reply.redirect("/status"));
  app.get("/status", async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(STATUS_PAGE_HTML),
  );
  app.get("/api/status", async (request, reply) => {
    const credential = adminCredential(request, options.adminToken);
    if (credential === "wrong") {
      return reply
        .code(401)
        .header("www-authenticate", "Bearer")
        .send({ error: "admin token missing or wrong" });
    }
    const report = await collectStatus({ ...statusSources(context), now });
    // Handshake notices carry secrets (Notion's verification token): admin token only.
    return credential === "valid"
      ? { detail: "full", ...report, adminNotices: notices.list() }
      : publicStatus(report);
  });
  // The audit trail of one run: which pages it created, updated and deleted, and why. It names
  // documents, so it needs the admin token like the status's details.
  app.get<{ Params: { sourceId: string; runId: string } }>(
    "/api/sources/:sourceId/runs/:runId",
    async (request, reply) => {
      if (!checkAdmin(request, reply, options.adminToken)) return reply;
      const { sourceId, runId } = request.params;
      if (!/^[a-z0-9-]{1,64}$/.test(sourceId))
        return reply.code(404).send({ error: `unknown source "${sourceId}"` });
      const run = await context.ledger.findRun(sourceId, runId);
      if (!run) return reply.code(404).send({ error: `no run "${runId}" in the history of "${sourceId}"` });
      return { run, changes: await context.ledger.changes(sourceId, runId, 0, 10_000) };
    },
  );
  app.post<{ Params: { sourceId: string } }>("/api/sources/:sourceId/sync", async (request, reply) => {
    if (!checkAdmin(request, reply, options.adminToken)) return reply;
    const source = context.sources().get(request.params.sourceId);
    if (!source) return reply.code(404).send({ error: `unknown source "${request.params.sourceId}"` });
    const body = syncNowBody.safeParse(request.body ?? undefined);
    if (!body.success)
      return reply.code(400).send({ error: 'body must be {"mode": "full" | "incremental"}' });
    const jobId = await enqueueSourceRun(context.queue, {
      sourceId: source.id,
      mode: body.data.mode,
      trigger: "manual",
    });
    return reply.code(202).send({ jobId });
  });

  // Bull Board: the browser loads its assets itself, so the token travels in a cookie set by
  // `/admin/login?token=…` (or an Authorization header for scripts).
  app.get<{ Querystring: { token?: string } }>("/admin/login", async (request, reply) => {
    const token = request.query.token ?? "";
    if (!options.adminToken || !sameSecret(token, options.adminToken)) {
      return reply.code(401).send({ error: "admin token missing or wrong" });
    }
    return reply
      .header("set-cookie", adminCookie(token, request.protocol === "https"))
      .header("cache-control", "no-store")
      .redirect("/admin/queues");
  });
  const board = new FastifyAdapter();
  board.setBasePath("/admin/queues");
  createBullBoard({ queues: [new BullMQAdapter(context.queue)], serverAdapter: board });
  await app.register(async (admin) => {
    admin.addHook("onRequest", async (request, reply) => {
      if (!checkAdmin(request, reply, options.adminToken)) return reply;
    });
    await admin.register(board.registerPlugin(), { prefix: "/admin/queues" });
  });
  return app;
}
