import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the local server received it. */
export interface ReceivedRequest {
  method: string;
  /** Path exactly as sent, still percent-encoded, without the query. */
  rawPath: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
}

export interface Reply {
  status?: number;
  json?: unknown;
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

export interface LocalIntercom {
  baseUrl: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** A node:http server on a free port that answers each request with whatever `answer` returns. */
export async function startLocalIntercom(
  answer: (request: ReceivedRequest, baseUrl: string) => Reply,
): Promise<LocalIntercom> {
  const received: ReceivedRequest[] = [];
  let baseUrl = "";
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = req.url ?? "/";
      const queryStart = url.indexOf("?");
      const request: ReceivedRequest = {
        method: req.method ?? "GET",
        rawPath: queryStart === -1 ? url : url.slice(0, queryStart),
        query: Object.fromEntries(new URLSearchParams(queryStart === -1 ? "" : url.slice(queryStart + 1))),
        headers: req.headers,
        body: raw === "" ? undefined : JSON.parse(raw),
      };
      received.push(request);
      const reply = answer(request, baseUrl);
      const status = reply.status ?? 200;
      if (reply.bytes) {
        res.writeHead(status, { "content-type": "application/octet-stream", ...reply.headers });
        res.end(Buffer.from(reply.bytes));
      } else if (reply.json === undefined) {
        res.writeHead(status, reply.headers);
        res.end();
      } else {
        res.writeHead(status, { "content-type": "application/json", ...reply.headers });
        res.end(JSON.stringify(reply.json));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** An External Page as Intercom answers with it. */
export function externalPage(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "external_page",
    id,
    title: `Page ${id}`,
    html: "<p>Hello</p>",
    url: `https://docs.example.com/${id}`,
    ai_agent_availability: true,
    ai_copilot_availability: false,
    locale: "en",
    source_id: 7,
    external_id: `doc-${id}`,
    created_at: 1_700_000_000,
    updated_at: 1_700_000_000,
    last_ingested_at: 1_700_000_000,
    ...overrides,
  };
}
