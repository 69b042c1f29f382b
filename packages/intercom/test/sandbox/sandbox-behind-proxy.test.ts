import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { IntercomClient } from "@content-sync/intercom";
import { afterEach, describe, expect, it } from "vitest";
import { closeSandboxes, openSandbox } from "./helpers.js";

/** A reverse proxy that publishes the sandbox under `/intercom`, as a company's egress proxy would. */
async function startPrefixProxy(target: string): Promise<{ url: string; server: Server; hosts: string[] }> {
  const upstream = new URL(target);
  const hosts: string[] = [];
  const server = createServer((req, res) => {
    hosts.push(req.headers.host ?? "");
    const path = (req.url ?? "/").replace(/^\/intercom/, "");
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path,
        method: req.method,
        headers: { ...req.headers, host: "proxy.internal.example" },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/intercom`, server, hosts };
}

describe("the sandbox and the client behind a proxy", () => {
  let proxy: Awaited<ReturnType<typeof startPrefixProxy>> | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (proxy ? proxy.server.close(() => resolve()) : resolve()));
    await closeSandboxes();
  });

  it("lists every page past the first 50 through a proxy, with next links naming the real API host", async () => {
    // Like real Intercom, the sandbox names its own public host in pages.next, not the proxy's.
    const sandbox = await openSandbox({ publicUrl: "https://api.intercom.io" });
    proxy = await startPrefixProxy(sandbox.url);
    const client = new IntercomClient({ token: sandbox.token, baseUrl: proxy.url, maxRetries: 0 });
    const source = await client.aiContent.createContentImportSource({
      url: "https://docs.example.test/",
      sync_behavior: "api",
    });
    for (let index = 0; index < 120; index++) {
      await client.aiContent.createExternalPage({
        title: `Page ${index}`,
        html: `<p>${index}</p>`,
        locale: "en",
        source_id: source.id,
        external_id: `page-${index}`,
        ai_agent_availability: false,
        ai_copilot_availability: true,
      });
    }
    const ids = new Set<string>();
    for await (const page of client.aiContent.listExternalPages()) ids.add(page.external_id);
    expect(ids.size).toBe(120);
  });

  it("builds next links from its configured origin, not from the Host header it was sent", async () => {
    const sandbox = await openSandbox({ publicUrl: "https://sandbox.example.test/base/", perPage: 2 });
    const client = new IntercomClient({ token: sandbox.token, baseUrl: sandbox.url, maxRetries: 0 });
    for (const url of ["https://a.example.test/", "https://b.example.test/", "https://c.example.test/"]) {
      await client.aiContent.createContentImportSource({ url, sync_behavior: "api" });
    }
    const { port } = new URL(sandbox.url);
    const body = await new Promise<string>((resolve, reject) => {
      const request = httpRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/ai/content_import_sources",
          headers: { authorization: `Bearer ${sandbox.token}`, host: "evil.example" },
        },
        (answer) => {
          let text = "";
          answer.on("data", (chunk: Buffer) => {
            text += chunk.toString();
          });
          answer.on("end", () => resolve(text));
        },
      );
      request.on("error", reject);
      request.end();
    });
    const next = (JSON.parse(body) as { pages?: { next?: string } }).pages?.next;
    expect(next).toMatch(/^https:\/\/sandbox\.example\.test\/base\/ai\/content_import_sources\?/);
  });
});
