import { Client } from "@notionhq/client";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isConnectorError } from "../../src/errors.js";
import { FixtureServer } from "../../src/testing/index.js";
import { bearerToken } from "../../src/toolkit/credentials/static-credentials.js";
import { connectorHttp } from "../../src/toolkit/http/connector-http-client.js";
import { ToolkitHttpClient } from "../../src/toolkit/http/toolkit-http-client.js";
import type { RequestBudget } from "../../src/toolkit/index.js";
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
