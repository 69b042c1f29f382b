import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface HealthServerOptions {
  port: number;
  host: string;
  metrics: Registry;
  /** Redis answers and the worker is taking jobs. */
  ready(): Promise<boolean>;
}

export interface HealthServer {
  /** The address actually bound, e.g. `127.0.0.1:8081` or `0.0.0.0:8080`. */
  address: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A worker's HTTP surface for orchestrators and Prometheus: `/healthz` (the process is up),
 * `/readyz` (Redis answers and the worker takes jobs; 503 otherwise, and while draining) and
 * `/metrics`. Nothing else, so it needs no authentication: it carries no document data.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(body);
    };
    const json = (status: number, body: object) => send(status, "application/json", JSON.stringify(body));
    if (request.method !== "GET" && request.method !== "HEAD") return json(405, { error: "GET only" });
    if (path === "/healthz") return json(200, { status: "ok" });
    if (path === "/readyz") {
      options.ready().then(
        (ready) => json(ready ? 200 : 503, { status: ready ? "ready" : "not ready" }),
        () => json(503, { status: "not ready" }),
      );
      return;
    }
    if (path === "/metrics") {
      options.metrics.metrics().then(
        (body) => send(200, options.metrics.contentType, body),
        (error: Error) => json(500, { error: `metrics failed: ${error.message}` }),
      );
      return;
    }
    json(404, { error: "not found: this is a worker (GET /healthz, /readyz, /metrics)" });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return {
    address: `${host}:${bound.port}`,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
