import type { CredentialProvider, CredentialTransport } from "./credential-provider.js";

/** What a login step may do: send requests that carry and collect the session's cookies. */
export interface LoginClient {
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
}

export interface CookieSessionOptions {
  /**
   * Logs in, e.g. MediaWiki bot passwords: GET a login token, then POST `action=login`. Cookies the
   * answers set are kept. Throw a ConnectorError of kind `auth` when the product refuses.
   */
  login(client: LoginClient, signal?: AbortSignal): Promise<void>;
  /**
   * Whether a response means the session is gone. Default: status 401. MediaWiki answers 200 with
   * `{"error":{"code":"assertuserfailed"}}` to requests sent with `assert=user`: read a clone.
   */
  isExpired?(response: Response): Promise<boolean>;
  credentialEnv?: string;
  /** The password and anything else secret the login sends, scrubbed from messages. */
  secrets: readonly string[];
}

/**
 * A cookie session with a login step. The first request logs in (one login however many requests
 * wait for it); when a response says the session expired, the cookies are dropped and it logs in
 * again, once, for everyone who was refused the same session. One session belongs to one site:
 * its cookies go to every request of the client that uses it.
 */
export class CookieSession implements CredentialProvider {
  readonly credentialEnv?: string;
  private transport: CredentialTransport = { fetch: globalThis.fetch };
  private readonly jar = new Map<string, string>();
  private loggedIn: Promise<void> | undefined;

  constructor(private readonly options: CookieSessionOptions) {
    if (options.credentialEnv) this.credentialEnv = options.credentialEnv;
  }

  attach(transport: CredentialTransport): void {
    this.transport = transport;
  }

  async headers(request: { signal?: AbortSignal }): Promise<Record<string, string>> {
    await this.session(request.signal);
    const cookie = this.cookieHeader();
    return cookie === "" ? {} : { cookie };
  }

  async rejects(response: Response): Promise<boolean> {
    return this.options.isExpired ? this.options.isExpired(response) : response.status === 401;
  }

  async refresh(rejected: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<boolean> {
    // Someone else already logged in again since this request was sent: just try with that session.
    if ((rejected.cookie ?? "") === this.cookieHeader()) {
      this.jar.clear();
      this.loggedIn = undefined;
    }
    await this.session(signal);
    return true;
  }

  observe(response: Response): void {
    for (const line of response.headers.getSetCookie()) this.store(line);
  }

  secrets(): readonly string[] {
    return [...this.options.secrets, ...this.jar.values()];
  }

  private session(signal?: AbortSignal): Promise<void> {
    if (!this.loggedIn) {
      const client: LoginClient = {
        fetch: async (url, init = {}) => {
          const headers = new Headers(init.headers);
          const cookie = this.cookieHeader();
          if (cookie !== "") headers.set("cookie", cookie);
          const response = await this.transport.fetch(url, { ...init, headers });
          this.observe(response);
          return response;
        },
      };
      this.loggedIn = this.options.login(client, signal);
      // A failed login is not cached: the next request tries again.
      this.loggedIn.catch(() => {
        this.loggedIn = undefined;
      });
    }
    return this.loggedIn;
  }

  private cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** One `Set-Cookie` line: name=value, deleted again by `Max-Age<=0` or an `Expires` in the past. */
  private store(line: string): void {
    const [pair = "", ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let expired = false;
    for (const attribute of attributes) {
      const [key = "", raw = ""] = attribute.split("=").map((part) => part.trim());
      if (key.toLowerCase() === "max-age" && Number(raw) <= 0) expired = true;
      if (key.toLowerCase() === "expires" && Date.parse(raw) < Date.now()) expired = true;
    }
    if (expired) this.jar.delete(name);
    else this.jar.set(name, value);
  }
}
