import { sleep } from "@content-sync/intercom";
import type { Logger } from "pino";
import { ConnectorError } from "../errors.js";

export interface ConnectorHttpOptions {
  sourceId: string;
  /** Base URL that relative paths resolve against. */
  baseUrl: string;
  /** Headers sent with every request (auth). Values are never logged. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Env var holding the credential, named in auth errors so the operator knows what to fix. */
  credentialEnv?: string;
  logger: Logger;
  /** Retries after the first attempt on 429, 5xx and network errors. Default 4. */
  maxRetries?: number;
  /** Per-attempt timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** First backoff step; doubles each retry, with full jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest wait honoured from a Retry-After header. Default 120 000 ms. */
  maxRetryAfterMs?: number;
  /**
   * Product-specific headers that carry the wait in delay-seconds when `Retry-After` is absent
   * (e.g. Contentful's `X-Contentful-RateLimit-Reset` on 429). Default none.
   */
  retryAfterHeaders?: readonly string[];
  fetch?: typeof fetch;
}

export interface HttpRequestOptions {
  method?: string;
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for fetch-by-id). */
  allowStatuses?: readonly number[];
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON body; undefined for allowed non-2xx statuses and empty bodies. */
  data: T;
  url: string;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * A small JSON-over-HTTP client for connectors: retries 429/5xx/network failures with exponential
 * backoff and full jitter, honours `Retry-After` (seconds or HTTP date), maps 401/403 to a permanent
 * ConnectorError that names the source and the credential's env var, and never logs header values.
 */
export class ConnectorHttp {
  private readonly options: Required<
    Omit<ConnectorHttpOptions, "headers" | "credentialEnv" | "fetch" | "retryAfterHeaders">
  > &
    Pick<ConnectorHttpOptions, "headers" | "credentialEnv" | "retryAfterHeaders">;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ConnectorHttpOptions) {
    this.options = {
      maxRetries: 4,
      timeoutMs: 30_000,
      baseDelayMs: 500,
      maxRetryAfterMs: 120_000,
      ...options,
    };
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Resolves a path or absolute URL against the base URL and appends the query. */
  url(pathOrUrl: string, query?: HttpRequestOptions["query"]): URL {
    const base = this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`;
    const url = new URL(pathOrUrl.replace(/^\//, ""), base);
    if (/^https?:\/\//.test(pathOrUrl)) url.href = pathOrUrl;
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  async json<T>(pathOrUrl: string, request: HttpRequestOptions = {}): Promise<HttpResponse<T>> {
    const url = this.url(pathOrUrl, request.query);
    const { logger, maxRetries } = this.options;
    for (let attempt = 0; ; attempt++) {
      request.signal?.throwIfAborted();
      let response: Response;
      try {
        response = await this.send(url, request);
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        if (attempt >= maxRetries) {
          throw new ConnectorError(
            "unavailable",
            `${this.describe(url)} failed: ${(error as Error).message}`,
            {
              sourceId: this.options.sourceId,
              url: url.href,
              cause: error,
            },
          );
        }
        const delay = this.backoff(attempt);
        logger.warn(
          { url: url.pathname, attempt, delayMs: delay, err: (error as Error).message },
          "retrying",
        );
        await sleep(delay, request.signal);
        continue;
      }

      if (response.ok || request.allowStatuses?.includes(response.status)) {
        const text = await response.text();
        let data: unknown;
        if (response.ok && text.length > 0) {
          try {
            data = JSON.parse(text);
          } catch (cause) {
            throw new ConnectorError(
              "bad_response",
              `${this.describe(url)} returned a body that is not JSON`,
              {
                sourceId: this.options.sourceId,
                status: response.status,
                url: url.href,
                cause,
              },
            );
          }
        }
        return { status: response.status, headers: response.headers, data: data as T, url: url.href };
      }

      const detail = (await response.text().catch(() => "")).slice(0, 300);
      if (response.status === 401 || response.status === 403) {
        const credential = this.options.credentialEnv
          ? ` (credential from env var ${this.options.credentialEnv})`
          : "";
        throw new ConnectorError(
          "auth",
          `source "${this.options.sourceId}": ${this.describe(url)} was refused with ${response.status}${credential}: ${detail}`,
          {
            sourceId: this.options.sourceId,
            status: response.status,
            url: url.href,
            ...(this.options.credentialEnv ? { credentialEnv: this.options.credentialEnv } : {}),
          },
        );
      }
      if (RETRYABLE.has(response.status) && attempt < maxRetries) {
        const delay = this.retryAfter(response.headers) ?? this.backoff(attempt);
        logger.warn({ url: url.pathname, status: response.status, attempt, delayMs: delay }, "retrying");
        await sleep(delay, request.signal);
        continue;
      }
      const kind =
        response.status === 429 ? "rate_limited" : response.status >= 500 ? "unavailable" : "bad_response";
      throw new ConnectorError(kind, `${this.describe(url)} answered ${response.status}: ${detail}`, {
        sourceId: this.options.sourceId,
        status: response.status,
        url: url.href,
      });
    }
  }

  private async send(url: URL, request: HttpRequestOptions): Promise<Response> {
    const configured =
      typeof this.options.headers === "function" ? this.options.headers() : (this.options.headers ?? {});
    const headers: Record<string, string> = { accept: "application/json", ...configured, ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers["content-type"] ??= "application/json";
    }
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    return this.fetchImpl(url, { method: request.method ?? "GET", headers, body, signal });
  }

  private describe(url: URL): string {
    return `GET ${url.origin}${url.pathname}`;
  }

  private backoff(attempt: number): number {
    const cap = this.options.baseDelayMs * 2 ** attempt;
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  }

  /** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
  private retryAfter(headers: Headers): number | undefined {
    const value =
      headers.get("retry-after") ??
      (this.options.retryAfterHeaders ?? []).map((name) => headers.get(name)).find((found) => found !== null);
    if (!value) return undefined;
    const seconds = Number(value);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
    if (!Number.isFinite(ms)) return undefined;
    return Math.min(Math.max(ms, 0), this.options.maxRetryAfterMs);
  }
}
