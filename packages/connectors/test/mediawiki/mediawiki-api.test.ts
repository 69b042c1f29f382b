import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MediawikiApi } from "../../src/mediawiki/mediawiki-api.js";
import { FixtureServer } from "../../src/testing/fixture-server.js";
import { connectorHttp } from "../../src/toolkit/http/connector-http-client.js";

const logger = pino({ level: "silent" });
const signal = () => new AbortController().signal;

describe("mediawiki action api", () => {
  let api: FixtureServer;
  beforeEach(async () => {
    api = await FixtureServer.start();
  });
  afterEach(async () => {
    await api.close();
  });

  const client = (credentialEnv?: string) =>
    new MediawikiApi(
      connectorHttp({ sourceId: "wiki", logger, env: {} }, { baseUrl: `${api.url}/w/api.php` }),
      {
        sourceId: "wiki",
        endpoint: `${api.url}/w/api.php`,
        maxlag: 5,
        ...(credentialEnv ? { credentialEnv } : {}),
      },
    );

  it("follows continue across batches and sends maxlag and formatversion=2", async () => {
    const titles = ["A", "B", "C", "D", "E"];
    api.route("GET", "/w/api.php", (req) => {
      const from = Number(req.query.get("apcontinue") ?? 0);
      const batch = titles.slice(from, from + 2).map((title, i) => ({ pageid: from + i + 1, ns: 0, title }));
      const more = from + 2 < titles.length;
      return {
        json: {
          ...(more
            ? { continue: { apcontinue: String(from + 2), continue: "-||" } }
            : { batchcomplete: true }),
          query: { allpages: batch },
        },
      };
    });
    const seen: string[] = [];
    for await (const answer of client().paged({ list: "allpages", aplimit: 2 }, signal()))
      for (const page of (answer.query?.allpages ?? []) as { title: string }[]) seen.push(page.title);
    expect(seen).toEqual(titles);
    expect(api.requests).toHaveLength(3);
    expect(api.requests[0]?.query.get("maxlag")).toBe("5");
    expect(api.requests[0]?.query.get("formatversion")).toBe("2");
    expect(api.requests[1]?.query.get("continue")).toBe("-||");
    expect(api.requests[1]?.query.get("apcontinue")).toBe("2");
  });

  it("retries a maxlag answer after its Retry-After", async () => {
    let calls = 0;
    api.route("GET", "/w/api.php", () => {
      calls += 1;
      return calls === 1
        ? {
            headers: { "retry-after": "0", "x-database-lag": "7" },
            json: { error: { code: "maxlag", info: "Waiting for 10.0.0.1: 7 seconds lagged." } },
          }
        : { json: { batchcomplete: true, query: { allpages: [] } } };
    });
    await expect(client().call({ action: "query", list: "allpages" }, signal())).resolves.toMatchObject({
      batchcomplete: true,
    });
    expect(calls).toBe(2);
  });

  it("turns readapidenied (HTTP 200) into an auth error naming the env var", async () => {
    api.route("GET", "/w/api.php", () => ({
      json: { error: { code: "readapidenied", info: "You need read permission to use this module." } },
    }));
    await expect(client("WIKI_BOT_PASSWORD").call({ action: "query" }, signal())).rejects.toMatchObject({
      kind: "auth",
      credentialEnv: "WIKI_BOT_PASSWORD",
      message: expect.stringMatching(/source "wiki".*readapidenied.*WIKI_BOT_PASSWORD/),
    });
  });
});
