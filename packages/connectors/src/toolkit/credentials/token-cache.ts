import type { CredentialProvider, CredentialTransport } from "./credential-provider.js";

/** An access token and when it stops working (unix ms; undefined when the issuer did not say). */
export interface IssuedToken {
  accessToken: string;
  expiresAt?: number;
}

export interface TokenCacheOptions {
  /** Fetches a new token; `transport` is the network of the client using the provider. */
  issue: (transport: CredentialTransport, signal?: AbortSignal) => Promise<IssuedToken>;
  /** Tokens are renewed this long before they expire, so no request goes out with a dying one. Default 60 000 ms. */
  refreshBeforeMs?: number;
  credentialEnv?: string;
  /** Long-lived secrets behind the token (client secret, private key), scrubbed from messages too. */
  secrets?: readonly string[];
  /** Clock in unix ms. Default Date.now. */
  now?: () => number;
}

/**
 * A bearer-token provider that caches one token until shortly before it expires and fetches a new
 * one on a single flight: however many requests ask at once, one token request goes out. A 401
 * drops the token that was refused (unless a newer one already replaced it), so the next attempt
 * fetches a fresh one; whether that fresh one works is the server's answer to the retried request.
 */
export class TokenCache implements CredentialProvider {
  readonly credentialEnv?: string;
  private transport: CredentialTransport = { fetch: globalThis.fetch };
  private current: IssuedToken | undefined;
  private pending: Promise<IssuedToken> | undefined;
  private readonly issued = new Set<string>();

  constructor(private readonly options: TokenCacheOptions) {
    if (options.credentialEnv) this.credentialEnv = options.credentialEnv;
  }

  attach(transport: CredentialTransport): void {
    this.transport = transport;
  }

  async headers(request: { signal?: AbortSignal }): Promise<Record<string, string>> {
    const token = await this.token(request.signal);
    return { authorization: `Bearer ${token.accessToken}` };
  }

  async refresh(rejected: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<boolean> {
    const refused = rejected.authorization?.replace(/^Bearer /, "");
    if (this.current && this.current.accessToken === refused) this.current = undefined;
    await this.token(signal);
    return true;
  }

  secrets(): readonly string[] {
    return [...(this.options.secrets ?? []), ...this.issued];
  }

  private fresh(token: IssuedToken | undefined): token is IssuedToken {
    if (token === undefined) return false;
    if (token.expiresAt === undefined) return true;
    const now = (this.options.now ?? Date.now)();
    return token.expiresAt - (this.options.refreshBeforeMs ?? 60_000) > now;
  }

  private token(signal?: AbortSignal): Promise<IssuedToken> {
    if (this.fresh(this.current)) return Promise.resolve(this.current);
    this.pending ??= this.options
      .issue(this.transport, signal)
      .then((token) => {
        this.current = token;
        this.issued.add(token.accessToken);
        return token;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
