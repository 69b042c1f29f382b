import { Client } from "@notionhq/client";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isConnectorError } from "../../src/errors.js";
import { FixtureServer } from "../../src/testing/index.js";
import { bearerToken } from "../../src/toolkit/credentials/static-credentials.js";
import { connectorHttp } from "../../src/toolkit/http/connector-http-client.js";
import { ToolkitHttpClient } from "../../src/toolkit/http/toolkit-http-client.js";
import type { RequestBudget } from "../../src/toolkit/index.js";
import { awsRequestHandler } from "../../src/toolkit/sdk/aws-request-handler.js";
import { notionClientOptions } from "../../src/toolkit/sdk/notion-client-options.js";

const logger = pino({ level: "silent" });
const TOKEN = "ntn_secret_integration_token";
let api: FixtureServer;

beforeEach(async () => {
  api = await FixtureServer.start();
  api.requireAuth((request) => request.headers.authorization === `Bearer ${TOKEN}`, {
    status: 401,
    json: { object: "error", status: 401, code: "unauthorized", message: "API token is invalid." },
  });
  api.route("GET", "/v1/users/me", () => ({
    json: { object: "user", id: "bot-1", type: "bot", name: "content-sync", avatar_url: null, bot: {} },
  }));
});
afterEach(async () => {
  await api.close();
});

describe("vendor SDKs through the toolkit: @notionhq/client", () => {
  it("sends every request through the toolkit's budget, retry policy and credentials, with the SDK's retries off", async () => {
    let acquired = 0;
    const budget: RequestBudget = {
      acquire: async () => {
        acquired++;
      },
    };
    const waits: number[] = [];
    // The retry waits are recorded, not slept.
    const http = new ToolkitHttpClient({
      sourceId: "notion",
      baseUrl: api.url,
      logger,
      budget,
      credentials: bearerToken(TOKEN, "NOTION_TOKEN"),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const notion = new Client({ ...notionClientOptions(http, logger), baseUrl: api.url });
    api.failNext(1, {
      status: 429,
      headers: { "retry-after": "2" },
      json: { object: "error", code: "rate_limited" },
    });
    const me = await notion.users.me({});
    expect(me.id).toBe("bot-1");
    expect(api.requestsTo("/v1/users/me")).toHaveLength(2);
    expect(waits).toEqual([2_000]);
    expect(acquired).toBe(2);
    expect(api.requests[1]?.headers["notion-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("fails a refused token as a ConnectorError of kind auth that never shows the token", async () => {
    const http = connectorHttp(
      { sourceId: "notion", logger, env: {} },
      { baseUrl: api.url, credentials: bearerToken("ntn_wrong_token_value", "NOTION_TOKEN") },
    );
    const notion = new Client({ ...notionClientOptions(http, logger), baseUrl: api.url });
    const error = await notion.users.me({}).catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("auth");
    expect((error as Error).message).toContain("NOTION_TOKEN");
    expect((error as Error).message).not.toContain("ntn_wrong_token_value");
  });
});

describe("vendor SDKs through the toolkit: AWS SDK v3 request handler", () => {
  it("sends a Smithy-shaped signed request through the toolkit and answers with a Node stream", async () => {
    api.requireAuth((request) => String(request.headers.authorization).startsWith("AWS4-HMAC-SHA256"));
    api.route("GET", "/docs-bucket", (request) => ({
      headers: { "content-type": "application/xml", "x-amz-request-id": "r1" },
      body: `<ListBucketResult><Prefix>${request.query.get("prefix")}</Prefix><KeyCount>0</KeyCount></ListBucketResult>`,
    }));
    api.failNext(1, { status: 503, headers: { "retry-after": "0" } });
    const { port } = new URL(api.url);
    const handler = awsRequestHandler(
      connectorHttp({ sourceId: "s3", logger, env: {} }, { baseUrl: api.url, backoff: { baseDelayMs: 1 } }),
    );
    const { response } = await handler.handle({
      method: "GET",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: Number(port),
      path: "/docs-bucket",
      query: { "list-type": "2", prefix: "handbook/" },
      headers: {
        host: `127.0.0.1:${port}`,
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250304/us-east-1/s3/aws4_request",
        "x-amz-date": "20250304T100000Z",
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-amz-request-id"]).toBe("r1");
    let body = "";
    for await (const chunk of response.body) body += chunk.toString();
    expect(body).toContain("<Prefix>handbook/</Prefix>");
    expect(api.requestsTo("/docs-bucket")).toHaveLength(2);
    expect(api.requests[1]?.query.get("list-type")).toBe("2");
  });
});
