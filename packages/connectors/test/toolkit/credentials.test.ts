import { generateKeyPairSync, verify } from "node:crypto";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isConnectorError } from "../../src/errors.js";
import { FixtureServer, type FixtureRequest } from "../../src/testing/index.js";
import { credentialsFromAuthBlock } from "../../src/toolkit/credentials/auth-block.js";
import { CookieSession } from "../../src/toolkit/credentials/cookie-session.js";
import {
  GOOGLE_TOKEN_URL,
  googleServiceAccount,
} from "../../src/toolkit/credentials/google-service-account.js";
import { oauthClientCredentials } from "../../src/toolkit/credentials/oauth-client-credentials.js";
import { ToolkitHttpClient } from "../../src/toolkit/http/toolkit-http-client.js";
import type { CredentialProvider } from "../../src/toolkit/index.js";

const logger = pino({ level: "silent" });
const SECRET = "client-secret-do-not-log";
let api: FixtureServer;

beforeEach(async () => {
  api = await FixtureServer.start();
});
afterEach(async () => {
  await api.close();
});

const http = (credentials: CredentialProvider) =>
  new ToolkitHttpClient({ sourceId: "wiki", baseUrl: api.url, logger, credentials, sleep: async () => {} });

const form = (request: FixtureRequest) => new URLSearchParams(request.body);

describe("OAuth 2.0 client credentials", () => {
  /** A token endpoint that issues tok-1, tok-2… valid for `expiresIn` seconds, and an API that accepts `valid`. */
  function serveTokens(expiresIn = 3600) {
    let issued = 0;
    const valid = new Set<string>();
    api.route("POST", "/oauth/token", (request) => {
      const fields = form(request);
      if (fields.get("client_secret") !== SECRET) return { status: 401, json: { error: "invalid_client" } };
      const token = `tok-${++issued}`;
      valid.add(token);
      return { json: { access_token: token, token_type: "Bearer", expires_in: expiresIn } };
    });
    api.route("GET", "/items", (request) =>
      valid.has(request.headers.authorization?.replace("Bearer ", "") ?? "")
        ? { json: { token: request.headers.authorization } }
        : { status: 401, json: { error: "invalid_token" } },
    );
    return { issued: () => issued, revoke: (token: string) => valid.delete(token) };
  }

  const provider = (now: () => number = Date.now) =>
    oauthClientCredentials({
      sourceId: "wiki",
      tokenUrl: `${api.url}/oauth/token`,
      clientId: "content-sync",
      clientSecret: SECRET,
      scope: "read",
      credentialEnv: "WIKI_CLIENT_SECRET",
      now,
    });

  it("sends grant_type, client id, secret and scope, and caches the token until shortly before expires_in", async () => {
    const tokens = serveTokens(600);
    let clock = 1_000_000;
    const client = http(provider(() => clock));
    expect((await client.json<{ token: string }>("/items")).data.token).toBe("Bearer tok-1");
    const request = form(api.requestsTo("/oauth/token")[0]!);
    expect(Object.fromEntries(request)).toEqual({
      grant_type: "client_credentials",
      scope: "read",
      client_id: "content-sync",
      client_secret: SECRET,
    });
    clock += 500_000; // 100 s before expiry: still fresh
    expect((await client.json<{ token: string }>("/items")).data.token).toBe("Bearer tok-1");
    clock += 50_000; // 50 s before expiry: inside the 60 s margin, renewed before it dies
    expect((await client.json<{ token: string }>("/items")).data.token).toBe("Bearer tok-2");
    expect(tokens.issued()).toBe(2);
  });

  it("fetches one token for 50 concurrent requests", async () => {
    const tokens = serveTokens();
    const client = http(provider());
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => client.json<{ token: string }>("/items")),
    );
    expect(new Set(answers.map((answer) => answer.data.token))).toEqual(new Set(["Bearer tok-1"]));
    expect(tokens.issued()).toBe(1);
    expect(api.requestsTo("/oauth/token")).toHaveLength(1);
  });

  it("refreshes once after a 401 (once for all concurrent requests), then fails as auth", async () => {
    const tokens = serveTokens();
    const client = http(provider());
    await client.json("/items");
    tokens.revoke("tok-1");
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => client.json<{ token: string }>("/items")),
    );
    expect(new Set(answers.map((answer) => answer.data.token))).toEqual(new Set(["Bearer tok-2"]));
    expect(tokens.issued()).toBe(2);

    // An API that refuses every token: one refresh, then a permanent auth error.
    api.route("GET", "/locked", () => ({ status: 401, json: { error: "invalid_token" } }));
    const before = tokens.issued();
    const error = await client.json("/locked").catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("auth");
    expect(isConnectorError(error) && error.permanent).toBe(true);
    expect(tokens.issued()).toBe(before + 1);
    expect(api.requestsTo("/locked")).toHaveLength(2);
  });

  it("reports a refused client as auth naming the env var, never the secret", async () => {
    serveTokens();
    const refused = oauthClientCredentials({
      sourceId: "wiki",
      tokenUrl: `${api.url}/oauth/token`,
      clientId: "content-sync",
      clientSecret: "wrong-secret-value",
      credentialEnv: "WIKI_CLIENT_SECRET",
    });
    const error = await http(refused)
      .json("/items")
      .catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("auth");
    expect((error as Error).message).toContain("invalid_client");
    expect((error as Error).message).toContain("WIKI_CLIENT_SECRET");
    expect((error as Error).message).not.toContain("wrong-secret-value");
  });

  it("is what an oauth-client-credentials auth block builds, from the env vars it names", async () => {
    serveTokens();
    const credentials = credentialsFromAuthBlock(
      {
        type: "oauth-client-credentials",
        tokenUrl: `${api.url}/oauth/token`,
        clientIdEnv: "WIKI_CLIENT_ID",
        clientSecretEnv: "WIKI_CLIENT_SECRET",
      },
      { sourceId: "wiki", logger, env: { WIKI_CLIENT_ID: "content-sync", WIKI_CLIENT_SECRET: SECRET } },
    );
    expect((await http(credentials).json<{ token: string }>("/items")).data.token).toBe("Bearer tok-1");
    const missing = (() => {
      try {
        return credentialsFromAuthBlock(
          { type: "bearer", tokenEnv: "NOT_SET" },
          { sourceId: "wiki", logger, env: {} },
        );
      } catch (error) {
        return error;
      }
    })();
    expect(isConnectorError(missing) && missing.message).toBe(
      'source "wiki": env var NOT_SET (options.auth.tokenEnv) is not set',
    );
  });
});

describe("Google service account (JWT bearer)", () => {
  it("signs an RS256 assertion with the delegated subject and sends it to the configured token endpoint", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const key = {
      client_email: "sync@project.iam.gserviceaccount.com",
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    };
    const claims: Record<string, unknown>[] = [];
    let issued = 0;
    api.route("POST", "/token", (request) => {
      const fields = form(request);
      const [header = "", payload = "", signature = ""] = (fields.get("assertion") ?? "").split(".");
      const valid = verify(
        "RSA-SHA256",
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature, "base64url"),
      );
      if (!valid || fields.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return { status: 400, json: { error: "invalid_grant" } };
      }
      claims.push({
        header: JSON.parse(Buffer.from(header, "base64url").toString()),
        ...JSON.parse(Buffer.from(payload, "base64url").toString()),
      });
      return { json: { access_token: `ya29.token-${++issued}`, expires_in: 3600, token_type: "Bearer" } };
    });
    api.route("GET", "/drive/v3/files", (request) => ({ json: { auth: request.headers.authorization } }));
    const provider = googleServiceAccount({
      sourceId: "drive",
      key,
      scopes: ["https://www.googleapis.com/auth/drive.readonly"],
      subject: "admin@example.com",
      tokenUrl: `${api.url}/token`,
      credentialEnv: "DRIVE_KEY",
    });
    const client = http(provider);
    const [first, second] = await Promise.all([
      client.json<{ auth: string }>("/drive/v3/files"),
      client.json<{ auth: string }>("/drive/v3/files"),
    ]);
    expect(first.data.auth).toBe("Bearer ya29.token-1");
    expect(second.data.auth).toBe("Bearer ya29.token-1");
    expect(issued).toBe(1);
    expect(claims[0]).toMatchObject({
      header: { alg: "RS256" },
      iss: key.client_email,
      sub: "admin@example.com",
      scope: "https://www.googleapis.com/auth/drive.readonly",
      aud: GOOGLE_TOKEN_URL,
    });
    expect(provider.secrets()).toContain(key.private_key);
  });
});

describe("cookie session with a login step (MediaWiki bot passwords)", () => {
  it("logs in once with a login token, and logs in again when the session expires", async () => {
    const sessions = new Set<string>();
    let logins = 0;
    const cookieOf = (request: FixtureRequest) =>
      /wiki_session=([^;]+)/.exec(request.headers.cookie ?? "")?.[1];
    api.route("GET", "/api.php", (request) => {
      if (request.query.get("meta") === "tokens") {
        return {
          headers: { "set-cookie": "wiki_session=anon; Path=/; HttpOnly" },
          json: { query: { tokens: { logintoken: "abc+\\" } } },
        };
      }
      const session = cookieOf(request);
      if (request.query.get("assert") === "user" && (!session || !sessions.has(session))) {
        return { json: { error: { code: "assertuserfailed", info: "You are no longer logged in" } } };
      }
      return { json: { query: { pages: [{ title: "Main Page" }] } } };
    });
    api.route("POST", "/api.php", (request) => {
      const fields = form(request);
      if (fields.get("lgtoken") !== "abc+\\" || cookieOf(request) !== "anon")
        return { json: { login: { result: "Failed" } } };
      if (fields.get("lgname") !== "Bot@sync" || fields.get("lgpassword") !== "bot-password-123") {
        return { json: { login: { result: "Failed" } } };
      }
      const session = `s${++logins}`;
      sessions.add(session);
      return {
        headers: { "set-cookie": `wiki_session=${session}; Path=/; HttpOnly` },
        json: { login: { result: "Success" } },
      };
    });

    const base = api.url;
    const session = new CookieSession({
      credentialEnv: "WIKI_BOT_PASSWORD",
      secrets: ["bot-password-123"],
      async login(client) {
        const tokens = (await (
          await client.fetch(`${base}/api.php?action=query&meta=tokens&type=login&format=json`)
        ).json()) as {
          query: { tokens: { logintoken: string } };
        };
        const answer = (await (
          await client.fetch(`${base}/api.php`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
              action: "login",
              format: "json",
              lgname: "Bot@sync",
              lgpassword: "bot-password-123",
              lgtoken: tokens.query.tokens.logintoken,
            }).toString(),
          })
        ).json()) as { login: { result: string } };
        if (answer.login.result !== "Success") throw new Error("login refused");
      },
      isExpired: async (response) =>
        ((await response.json().catch(() => undefined)) as { error?: { code?: string } } | undefined)?.error
          ?.code === "assertuserfailed",
    });
    const client = http(session);
    const query = { action: "query", assert: "user", format: "json" };
    const results = await Promise.all([
      client.json("/api.php", { query }),
      client.json("/api.php", { query }),
    ]);
    expect(results.map((result) => result.data)).toEqual([
      { query: { pages: [{ title: "Main Page" }] } },
      { query: { pages: [{ title: "Main Page" }] } },
    ]);
    expect(logins).toBe(1);

    sessions.clear(); // the wiki forgets the session
    const again = await client.json("/api.php", { query });
    expect(again.data).toEqual({ query: { pages: [{ title: "Main Page" }] } });
    expect(logins).toBe(2);
    expect(cookieOf(api.requests.at(-1)!)).toBe("s2");
  });
});
