/** The transport a provider may use for its own requests (a token endpoint, a login form). */
export interface CredentialTransport {
  /** Goes through the source's network settings (proxy, CA); not through its budget or retries. */
  fetch: typeof fetch;
}

/**
 * Where a connector's request headers come from, asked per request attempt so a refreshed token or a
 * new session is used at once. Implementations cache what they fetch and refresh it themselves.
 */
export interface CredentialProvider {
  /** Env var holding the credential, named in auth errors so the operator knows what to fix. */
  readonly credentialEnv?: string;
  /** Headers for one attempt (`authorization`, `cookie`…) to `url`. */
  headers(request: { url: URL; signal?: AbortSignal }): Promise<Record<string, string>>;
  /**
   * Whether a response means "these credentials are no longer accepted" (default: status 401). A
   * session that expired may answer 200 with an error body (MediaWiki's `assertuserfailed`).
   */
  rejects?(response: Response): Promise<boolean>;
  /**
   * The server refused `rejected` (the headers that attempt sent). Get fresh credentials; resolve true
   * when the request is worth one more try. Called once per request at most; concurrent callers that
   * were refused the same credential share one refresh.
   */
  refresh?(rejected: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<boolean>;
  /** Sees every response (cookie sessions read `Set-Cookie` here). */
  observe?(response: Response, url: URL): void;
  /** Secret values to scrub from log lines and error messages, derived forms included. */
  secrets(): readonly string[];
  /** Called by the HTTP client that uses the provider, before its first request. */
  attach?(transport: CredentialTransport): void;
}
