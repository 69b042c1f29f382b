import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import {
  connect,
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { IntercomClient, networkFetch } from "@content-sync/intercom";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectorHttp } from "../../src/toolkit/http/connector-http-client.js";

/**
 * A private CA and a server certificate it signed (for localhost and 127.0.0.1), made with openssl
 * from PATH; an HTTPS server using it; a plain HTTP server; and a forward proxy that only speaks
 * CONNECT (what undici's proxy agent uses for every target) and records what it tunnelled to.
 */
let dir: string;
let caFile: string;
let https: Server;
let http: Server;
let proxy: TcpServer;
let httpsUrl: string;
let httpUrl: string;
let proxyUrl: string;
const tunnels: string[] = [];

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "content-sync-ca-"));
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=content-sync test CA",
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  );
  writeFileSync(path.join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  );
  caFile = path.join(dir, "ca.pem");

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ type: "admin", id: "1", path: req.url, auth: Boolean(req.headers.authorization) }),
    );
  };
  https = createHttpsServer(
    { key: readFileSync(path.join(dir, "server.key")), cert: readFileSync(path.join(dir, "server.pem")) },
    answer,
  );
  http = createHttpServer(answer);
  proxy = createTcpServer((client: Socket) => {
    client.once("data", (head: Buffer) => {
      const [line = ""] = head.toString("latin1").split("\r\n");
      const [method, target = ""] = line.split(" ");
      if (method !== "CONNECT") {
        client.end("HTTP/1.1 405 Method Not Allowed\r\n\r\n");
        return;
      }
      tunnels.push(target);
      const [host = "", port = "443"] = target.split(":");
      const upstream = connect(Number(port), host === "localhost" ? "127.0.0.1" : host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
  });
  const listen = (server: Server | TcpServer) =>
    new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
  httpsUrl = `https://localhost:${await listen(https)}`;
  httpUrl = `http://localhost:${await listen(http)}`;
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
});

afterAll(async () => {
  for (const server of [https, http]) server.closeAllConnections();
  await Promise.all([https, http, proxy].map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

describe("network: private CA", () => {
  it("refuses a server of a private CA by default, and trusts it from a CA file or NODE_EXTRA_CA_CERTS", async () => {
    const untrusted = await networkFetch({ env: {} })(`${httpsUrl}/plain`).catch((error: unknown) => error);
    expect(String((untrusted as Error).cause ?? untrusted)).toMatch(/certificate/i);
    const viaFile = await networkFetch({ env: {}, caFile })(`${httpsUrl}/ca-file`);
    expect(((await viaFile.json()) as { path: string }).path).toBe("/ca-file");
    const viaEnv = await networkFetch({ env: { NODE_EXTRA_CA_CERTS: caFile } })(`${httpsUrl}/extra-ca`);
    expect(viaEnv.status).toBe(200);
  });

  it("names an unreadable CA file", () => {
    expect(() => networkFetch({ env: {}, caFile: path.join(dir, "nope.pem") })).toThrow(/caFile.*nope\.pem/);
  });
});

describe("network: forward proxy", () => {
  it("tunnels HTTPS through HTTPS_PROXY and HTTP through HTTP_PROXY, and honours NO_PROXY", async () => {
    tunnels.length = 0;
    const secure = await networkFetch({ env: { HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: caFile } })(
      `${httpsUrl}/x`,
    );
    expect(secure.status).toBe(200);
    const plain = await networkFetch({ env: { http_proxy: proxyUrl } })(`${httpUrl}/y`);
    expect(plain.status).toBe(200);
    expect(tunnels).toEqual([new URL(httpsUrl).host, new URL(httpUrl).host]);
    const bypassed = await networkFetch({
      env: { HTTPS_PROXY: proxyUrl, NO_PROXY: "localhost", NODE_EXTRA_CA_CERTS: caFile },
    })(`${httpsUrl}/z`);
    expect(bypassed.status).toBe(200);
    expect(tunnels).toHaveLength(2);
  });

  it("carries a connector's requests (per-source CA file) and the Intercom client's through the proxy", async () => {
    tunnels.length = 0;
    const logger = pino({ level: "silent" });
    const connector = connectorHttp(
      { sourceId: "onprem", logger, env: { HTTPS_PROXY: proxyUrl }, network: { caFile } },
      { baseUrl: httpsUrl },
    );
    expect((await connector.json<{ path: string }>("/rest/api/content")).data.path).toBe("/rest/api/content");
    const intercom = new IntercomClient({
      token: "intercom-token",
      baseUrl: httpsUrl,
      // NO_PROXY names another host, so this is a fresh pool rather than an earlier test's tunnel.
      network: { env: { HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: caFile, NO_PROXY: "example.invalid" } },
    });
    const me = (await intercom.admins.identify()) as unknown as { path: string; auth: boolean };
    expect(me.path).toBe("/me");
    expect(me.auth).toBe(true);
    expect(tunnels).toEqual([new URL(httpsUrl).host, new URL(httpsUrl).host]);
  });
});
