import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { ADMIN_PREFIX, handleAdminRoute, type SandboxControl } from "./admin-routes.js";
import { ApiRouter } from "./api-routes.js";
import { DataFileWriter, readDataFile } from "./data-file.js";
import { isSandboxApiError } from "./errors.js";
import { FaultInjector } from "./faults.js";
import { readJsonObject, sendErrorList, sendHtml, sendJson, sendNoContent } from "./http-io.js";
import { renderIndex, renderPage } from "./html-view.js";
import { WindowRateLimiter } from "./rate-limiter.js";
import { resolveSandboxOptions } from "./sandbox-options.js";
import { CallCounters } from "./stats.js";
import { SinkStore } from "./sink-store.js";
import { SandboxStore } from "./store.js";
import type { FaultOptions, RateLimitOptions, RunningSandbox, SandboxOptions } from "./types.js";

/** How long `close()` lets in-flight calls finish before cutting their connections. */
const CLOSE_GRACE_MS = 2_000;

const UNAUTHORIZED = [{ code: "unauthorized", message: "Access Token Invalid" }];
const RATE_LIMITED = [{ code: "rate_limit_exceeded", message: "Rate limit exceeded" }];

function injectedError(status: number) {
  const code = status === 503 ? "service_unavailable" : status === 502 ? "bad_gateway" : "server_error";
  return [{ code, message: `Injected fault: HTTP ${status}` }];
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Starts an Intercom-compatible server for the AI Content API (2.12) and `GET /me`, with
 * Intercom's auth, upsert, validation, pagination and rate-limit behaviour, injectable faults, an
 * optional data file, call counters and a read-only HTML view at `/`.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const config = resolveSandboxOptions(options);
  const { clock, logger } = config;
  const tokens = new Set(config.tokens);

  let writer: DataFileWriter | undefined;
  const store = config.sink ? new SinkStore() : new SandboxStore(() => writer?.markDirty());
  if (config.dataFile !== undefined) {
    writer = new DataFileWriter(config.dataFile, () => store.snapshot(), config.persistDelayMs, logger);
    await writer.prepare();
    const snapshot = await readDataFile(config.dataFile);
    if (snapshot !== undefined) store.load(snapshot);
    logger.info(
      { file: config.dataFile, sources: store.sourceCount, pages: store.pageCount },
      "sandbox data file loaded",
    );
  }

  let limiter = config.rateLimit === false ? undefined : new WindowRateLimiter(config.rateLimit, clock);
  let faults = new FaultInjector(config.faults);
  const counters = new CallCounters(() => clock.now());
  const router = new ApiRouter(store, config.perPage, Math.floor(clock.now() / 1000));

  const control: SandboxControl = {
    stats: () => counters.read(),
    resetStats: () => counters.reset(),
    faults: () => faults.config,
    setFaults: (next: FaultOptions) => {
      faults = new FaultInjector(next);
    },
    reset: () => store.clear(),
  };

  let baseUrl = "";

  // Next links are built from the sandbox's own configured origin, never from the request's Host
  // header (which a proxy rewrites and a client must not have to trust), as Intercom builds them
  // from its own host.
  const nextLinkOrigin = (): string => config.publicUrl ?? baseUrl;

  function isAuthorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (header === undefined || !header.startsWith("Bearer ")) return false;
    return tokens.has(header.slice(7).trim());
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    search: string,
    requestId: string,
  ) {
    const method = req.method ?? "GET";
    const match = router.match(path);
    const routeKey = match === undefined ? `${method} (unmatched)` : `${method} ${match.route.template}`;
    const answerError = (status: number, errors: { code: string; message: string; field?: string }[]) => {
      counters.recordAnswer(routeKey, status);
      sendErrorList(res, status, requestId, errors);
    };

    if (!isAuthorized(req)) return answerError(401, UNAUTHORIZED);

    if (limiter !== undefined) {
      const decision = limiter.take();
      res.setHeader("X-RateLimit-Limit", decision.limit);
      res.setHeader("X-RateLimit-Remaining", decision.remaining);
      res.setHeader("X-RateLimit-Reset", decision.resetAt);
      counters.recordRateLimit(decision.resetAt, decision.allowed);
      if (!decision.allowed) return answerError(429, RATE_LIMITED);
    }

    const injector = faults;
    if (!injector.inactive) {
      const latency = injector.latency();
      if (latency > 0) await delay(latency);
      const decision = injector.decide();
      if (decision.kind === "drop") {
        counters.recordDrop(routeKey);
        req.socket.destroy();
        return;
      }
      if (decision.kind === "error") {
        counters.recordInjectedError();
        return answerError(decision.status, injectedError(decision.status));
      }
    }

    if (match === undefined) {
      return answerError(404, [{ code: "not_found", message: `No route ${method} ${path}` }]);
    }
    const handler = match.route.methods[method];
    if (handler === undefined) {
      res.setHeader("Allow", Object.keys(match.route.methods).join(", "));
      return answerError(405, [
        { code: "method_not_allowed", message: `${method} is not allowed on ${match.route.template}` },
      ]);
    }

    const body =
      method === "POST" || method === "PUT" ? await readJsonObject(req, config.maxBodyBytes) : undefined;

    const failingStatus = injector.failureFor(externalIdOf(match.route.template, match.id, body));
    if (failingStatus !== undefined && method !== "GET") {
      counters.recordFailedExternalId();
      return answerError(failingStatus, injectedError(failingStatus));
    }

    const answer = handler({
      id: match.id,
      body,
      query: new URLSearchParams(search),
      baseUrl: nextLinkOrigin(),
      now: Math.floor(clock.now() / 1000),
    });
    counters.recordAnswer(routeKey, answer.status);
    if (answer.body === undefined) sendNoContent(res);
    else sendJson(res, answer.status, answer.body);
  }

  /** The external id a page write touches: from the body, or from the stored page. */
  function externalIdOf(
    template: string,
    id: string | undefined,
    body: Record<string, unknown> | undefined,
  ): string | undefined {
    if (!template.startsWith("/ai/external_pages")) return undefined;
    if (typeof body?.external_id === "string") return body.external_id;
    return id === undefined ? undefined : store.getPage(id)?.external_id;
  }

  function handleView(req: IncomingMessage, res: ServerResponse, path: string, search: string): boolean {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (path === "/") {
      const source = new URLSearchParams(search).get("source");
      const sourceId = source !== null && /^[0-9]{1,15}$/.test(source) ? Number(source) : undefined;
      sendHtml(res, 200, renderIndex(store, sourceId));
      return true;
    }
    if (path.startsWith("/pages/")) {
      const html = renderPage(store, safeDecode(path.slice("/pages/".length)));
      if (html === undefined)
        sendHtml(res, 404, "<!doctype html><title>Not found</title><p>No such page.</p>");
      else sendHtml(res, 200, html);
      return true;
    }
    return false;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    res.setHeader("X-Request-Id", requestId);
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const search = queryAt === -1 ? "" : rawUrl.slice(queryAt + 1);
    try {
      if (path.startsWith(ADMIN_PREFIX)) {
        await handleAdminRoute(req, res, path, requestId, control, config.maxBodyBytes);
        return;
      }
      if (handleView(req, res, path, search)) return;
      await handleApi(req, res, path, search, requestId);
    } catch (error) {
      if (res.headersSent || res.destroyed) return;
      if (isSandboxApiError(error)) {
        if (error.status === 413) res.setHeader("Connection", "close");
        const match = router.match(path);
        counters.recordAnswer(
          match === undefined ? `${req.method} (unmatched)` : `${req.method} ${match.route.template}`,
          error.status,
        );
        sendErrorList(res, error.status, requestId, error.errors);
        return;
      }
      logger.error({ err: error, method: req.method, path, requestId }, "sandbox request failed");
      sendErrorList(res, 500, requestId, [{ code: "server_error", message: "Sandbox internal error" }]);
    }
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    void onRequest(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${urlHost(config.host)}:${port}`;
  logger.info({ url: baseUrl, rateLimit: config.rateLimit, dataFile: config.dataFile }, "sandbox listening");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(force);
      await writer?.flush();
      logger.info({ url: baseUrl }, "sandbox closed");
    })();
    return closing;
  };

  return {
    url: baseUrl,
    port,
    token: config.tokens[0] as string,
    tokens: config.tokens,
    store,
    stats: control.stats,
    resetStats: control.resetStats,
    setFaults: control.setFaults,
    setRateLimit: (rateLimit: RateLimitOptions | false) => {
      limiter = rateLimit === false ? undefined : new WindowRateLimiter(rateLimit, clock);
    },
    reset: control.reset,
    flush: async () => {
      await writer?.flush();
    },
    close,
  };
}
