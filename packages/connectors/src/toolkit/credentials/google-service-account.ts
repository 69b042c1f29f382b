import type { Credentials } from "google-auth-library";
import { ConnectorError } from "../../errors.js";
import { TokenCache } from "./token-cache.js";

/** Google's token endpoint; the JWT assertion's audience is always this URL. */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

/** The two fields of a service account key file (the JSON Google hands out) that signing needs. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
}

export interface GoogleServiceAccountOptions {
  sourceId: string;
  key: ServiceAccountKey;
  /** OAuth scopes, e.g. `https://www.googleapis.com/auth/drive.readonly`. */
  scopes: readonly string[];
  /** User to impersonate through domain-wide delegation (`sub` claim). Default none. */
  subject?: string;
  /** Where the assertion is sent instead of Google's endpoint (tests, private access points). */
  tokenUrl?: string;
  /** Env var that holds the key, for error messages. */
  credentialEnv?: string;
  refreshBeforeMs?: number;
  now?: () => number;
}

/**
 * Reads a service account key file's JSON (from the env var the config names). A value that is not
 * such JSON is a config error that names the variable, never echoing the value.
 */
export function parseServiceAccountKey(
  raw: string,
  sourceId: string,
  credentialEnv: string,
): ServiceAccountKey {
  let parsed: Partial<ServiceAccountKey> | undefined;
  try {
    parsed = JSON.parse(raw) as Partial<ServiceAccountKey>;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed?.client_email !== "string" || typeof parsed.private_key !== "string") {
    throw new ConnectorError(
      "config",
      `source "${sourceId}": env var ${credentialEnv} must hold a service account key (JSON with client_email and private_key)`,
      { sourceId, credentialEnv },
    );
  }
  return { client_email: parsed.client_email, private_key: parsed.private_key };
}

/**
 * Google's service-account JWT bearer flow (RFC 7523) through google-auth-library: an RS256-signed
 * assertion for the scopes (and the delegated `subject`) is exchanged for an access token, cached
 * until shortly before it expires. The library's requests go through the toolkit's network (proxy,
 * CA); each token is fetched by a fresh JWT client so the library's own cache never serves a token
 * the API has just refused.
 */
export function googleServiceAccount(options: GoogleServiceAccountOptions): TokenCache {
  return new TokenCache({
    ...(options.credentialEnv ? { credentialEnv: options.credentialEnv } : {}),
    ...(options.refreshBeforeMs === undefined ? {} : { refreshBeforeMs: options.refreshBeforeMs }),
    ...(options.now ? { now: options.now } : {}),
    secrets: [options.key.private_key],
    issue: async (transport) => {
      const tokenUrl = options.tokenUrl;
      const fetchImplementation: typeof fetch = (input, init) => {
        const target = input instanceof Request ? input.url : String(input);
        return transport.fetch(tokenUrl && target === GOOGLE_TOKEN_URL ? tokenUrl : input, init);
      };
      // Loaded on first use: the library is large, and most processes never sync a Google source.
      const { JWT } = await import("google-auth-library");
      const client = new JWT({
        email: options.key.client_email,
        key: options.key.private_key,
        scopes: [...options.scopes],
        ...(options.subject ? { subject: options.subject } : {}),
        transporterOptions: { fetchImplementation },
      });
      let credentials: Credentials;
      try {
        credentials = await client.authorize();
      } catch (cause) {
        const status = (cause as { status?: unknown; response?: { status?: unknown } }).response?.status;
        const code = typeof status === "number" ? ` (${status})` : "";
        const credential = options.credentialEnv ? `; check env var ${options.credentialEnv}` : "";
        throw new ConnectorError(
          typeof status === "number" && status < 500 ? "auth" : "unavailable",
          `source "${options.sourceId}": Google refused the service account ${options.key.client_email}${code}${credential}`,
          {
            sourceId: options.sourceId,
            ...(options.credentialEnv ? { credentialEnv: options.credentialEnv } : {}),
            ...(typeof status === "number" ? { status } : {}),
          },
        );
      }
      if (!credentials.access_token) {
        throw new ConnectorError(
          "bad_response",
          `source "${options.sourceId}": Google issued no access token`,
          {
            sourceId: options.sourceId,
          },
        );
      }
      return {
        accessToken: credentials.access_token,
        ...(typeof credentials.expiry_date === "number" ? { expiresAt: credentials.expiry_date } : {}),
      };
    },
  });
}
