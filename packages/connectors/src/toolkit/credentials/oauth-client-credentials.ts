import { ConnectorError } from "../../errors.js";
import { TokenCache } from "./token-cache.js";

/** Longest wait for the token endpoint's answer. */
const TOKEN_TIMEOUT_MS = 30_000;

export interface OAuthClientCredentialsOptions {
  sourceId: string;
  /** The token endpoint, e.g. `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes (`https://graph.microsoft.com/.default`). Default none. */
  scope?: string;
  /** Extra form fields some issuers need (`audience`, `resource`). */
  extraParams?: Readonly<Record<string, string>>;
  /**
   * `body` sends client_id/client_secret as form fields (Microsoft identity platform); `basic` sends
   * them as HTTP Basic (RFC 6749 §2.3.1's preferred form). Default `body`.
   */
  clientAuth?: "body" | "basic";
  /** Env var of the client secret, for error messages. */
  credentialEnv?: string;
  /** Renew this long before `expires_in` runs out. Default 60 000 ms. */
  refreshBeforeMs?: number;
  now?: () => number;
}

/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4): POSTs `grant_type=client_credentials` to the
 * token endpoint, caches the access token until shortly before `expires_in`, refreshes on a single
 * flight, and drops a token the API refused with 401. A token endpoint that refuses the client is a
 * ConnectorError of kind `auth` naming the env var, never the secret.
 */
export function oauthClientCredentials(options: OAuthClientCredentialsOptions): TokenCache {
  const now = options.now ?? Date.now;
  const basic = Buffer.from(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  ).toString("base64");
  return new TokenCache({
    ...(options.credentialEnv ? { credentialEnv: options.credentialEnv } : {}),
    ...(options.refreshBeforeMs === undefined ? {} : { refreshBeforeMs: options.refreshBeforeMs }),
    now,
    secrets: [options.clientSecret, basic],
    issue: async (transport, signal) => {
      const form = new URLSearchParams({ grant_type: "client_credentials", ...options.extraParams });
      if (options.scope) form.set("scope", options.scope);
      const headers: Record<string, string> = {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      };
      if (options.clientAuth === "basic") headers.authorization = `Basic ${basic}`;
      else {
        form.set("client_id", options.clientId);
        form.set("client_secret", options.clientSecret);
      }
      const where = `source "${options.sourceId}": token endpoint ${new URL(options.tokenUrl).origin}${new URL(options.tokenUrl).pathname}`;
      const details = {
        sourceId: options.sourceId,
        url: options.tokenUrl,
        ...(options.credentialEnv ? { credentialEnv: options.credentialEnv } : {}),
      };
      let response: Response;
      try {
        response = await transport.fetch(options.tokenUrl, {
          method: "POST",
          headers,
          body: form.toString(),
          // A bounded wait of its own (a token endpoint that hangs must not hold the run forever),
          // combined into a fresh signal: undici refuses some callers' signals as "not an EventTarget".
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(TOKEN_TIMEOUT_MS)])
            : AbortSignal.timeout(TOKEN_TIMEOUT_MS),
        });
      } catch (cause) {
        if (signal?.aborted) throw signal.reason;
        throw new ConnectorError(
          "unavailable",
          `${where} could not be reached: ${(cause as Error).message}`,
          {
            ...details,
            cause,
          },
        );
      }
      const body = (await response.json().catch(() => undefined)) as
        | { access_token?: unknown; expires_in?: unknown; error?: unknown }
        | undefined;
      if (!response.ok || typeof body?.access_token !== "string" || body.access_token === "") {
        // OAuth error codes (`invalid_client`) are safe to show; descriptions may echo input, so not those.
        const code = typeof body?.error === "string" ? ` (${body.error.slice(0, 60)})` : "";
        const credential = options.credentialEnv ? `; check env var ${options.credentialEnv}` : "";
        const kind = response.status >= 500 ? "unavailable" : "auth";
        throw new ConnectorError(
          kind,
          `${where} answered ${response.status}${code} without an access token${credential}`,
          {
            ...details,
            status: response.status,
          },
        );
      }
      const expiresIn = Number(body.expires_in);
      return {
        accessToken: body.access_token,
        ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: now() + expiresIn * 1000 } : {}),
      };
    },
  });
}
