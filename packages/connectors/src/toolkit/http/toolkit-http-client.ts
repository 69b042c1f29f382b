import { type NetworkOptions, networkFetch } from "@content-sync/intercom";
import {
  type BackoffOptions,
  RETRY_AFTER,
  type WaitHeader,
  waitFromHeaders,
  withRetries,
} from "@content-sync/intercom/retry";
import type { Logger } from "pino";
import { ConnectorError, type ConnectorErrorKind } from "../../errors.js";
import { parseXml, type ParseXmlOptions } from "../bodies/parse-xml.js";
import { readCapped } from "../bodies/read-capped.js";
import { type RequestBudget, UNLIMITED_BUDGET } from "../budget/request-budget.js";
import type { CredentialProvider } from "../credentials/credential-provider.js";
import { Redactor } from "./redactor.js";

export interface ToolkitHttpOptions {
  sourceId: string;
  /** Base URL that relative paths resolve against. */
  baseUrl: string;
  logger: Logger;
  /** Where auth headers come from, per attempt. Default none (anonymous). */
  credentials?: CredentialProvider;
  /** The source's request budget, drawn from before every attempt. Default unlimited. */
  budget?: RequestBudget;
  /** Proxy and CA settings (`caFile`, and `env` for HTTPS_PROXY/NO_PROXY/NODE_EXTRA_CA_CERTS). */
  network?: NetworkOptions;
  /** Headers sent with every request that are not secret (`Accept-Version`). */
  headers?: Readonly<Record<string, string>>;
  /** Retries after the first attempt on 408/425/429/5xx and network errors. Default 4. */
  maxRetries?: number;
  /** Time allowed for one attempt, body included. Default 30 000 ms. */
  timeoutMs?: number;
  /** Backoff between retries (full jitter). Defaults: base 500 ms, cap 30 000 ms. */
  backoff?: BackoffOptions;
  /** Longest server-requested wait honoured in-process; longer ones fail as `rate_limited`. Default 120 000 ms. */
  maxWaitMs?: number;
  /**
   * Headers that say when to retry, first present wins. Default `Retry-After` only; add product
   * headers such as `{ name: "x-ratelimit-reset", format: "unix-seconds" }`.
   */
  waitHeaders?: readonly WaitHeader[];
  /**
   * Statuses retried besides 408/425/429/5xx-as-usual, for products with their own (Notion's 529
   * `service_overload`). Default none.
   */
  retryStatuses?: readonly number[];
  /**
   * Says whether a non-2xx answer is the product throttling under another status (Drive's 403 with
   * reason `rateLimitExceeded`), given a clone of the response: such answers are retried like a 429
   * and fail as `rate_limited`. Default: only 429 throttles.
   */
  throttled?: (response: Response) => Promise<boolean>;
  /** Replaces the network fetch (tests). */
  fetch?: typeof fetch;
  /** Abortable wait between retries; injectable so tests control the clock. Default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface ToolkitRequest {
  method?: string;
  query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Readonly<Record<string, string>>;
  /** Sent as is (XML for PROPFIND, bytes). */
  body?: string | Uint8Array;
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
  /** Statuses returned to the caller instead of thrown (404 for fetch-by-id). */
  allowStatuses?: readonly number[];
  /** Overrides the client's per-attempt timeout (long downloads). */
  timeoutMs?: number;
  /**
   * False for requests that must not be repeated after the server may have acted (a POST that
   * creates). Default true: connectors read, and reads are safe to repeat.
   */
  idempotent?: boolean;
  /**
   * `manual` returns a 3xx as is (allow its status) instead of following it, for a redirect to
   * another host that must not receive the credentials (Graph's pre-authenticated download URLs).
   * Default `follow`.
   */
  redirect?: "follow" | "manual";
}

export interface ToolkitResponse<T> {
  status: number;
  headers: Headers;
  /** The parsed body; undefined for allowed non-2xx statuses and empty bodies. */
  data: T;
  url: string;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** One failed attempt, before the retries decide; turned into a ConnectorError when they give up. */
class AttemptFailed extends Error {
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly waitMs?: number,
    /** Kept unread for `fetch` callers (SDKs), who get the last answer rather than an error. */
    readonly response?: Response,
    readonly refreshCredentials?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * The HTTP client every connector (and every vendor SDK a connector uses) sends through. Per
 * attempt it draws from the source's budget, asks the credential provider for headers, and sends
 * through the source's network (proxy, private CA). It retries 408/425/429/5xx and network failures
 * with the shared retry policy (full jitter, cap, `Retry-After` or product headers, cancellation),
 * refreshes credentials once after a 401 and then fails as `auth`, and scrubs every secret the
 * provider knows from its messages. Header values are never logged.
 */
export class ToolkitHttpClient {
  /** A `fetch` for vendor SDKs: budget, retries, credentials and redaction apply; statuses are returned, not thrown. */
  readonly fetch: typeof fetch;
  private readonly transport: typeof fetch;
  private readonly budget: RequestBudget;
  private readonly redactor: Redactor;
  private readonly retryable: ReadonlySet<number>;

  constructor(private readonly options: ToolkitHttpOptions) {
    this.retryable = new Set([...RETRYABLE, ...(options.retryStatuses ?? [])]);
    this.transport = options.fetch ?? networkFetch(options.network ?? {});
    this.budget = options.budget ?? UNLIMITED_BUDGET;
    this.redactor = new Redactor(() => options.credentials?.secrets() ?? []);
    options.credentials?.attach?.({ fetch: this.transport });
    this.fetch = (input, init) => this.fetchForSdk(input, init);
  }

  /** Removes every known secret (and its encoded forms) from a text. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** Resolves a path or absolute URL against the base URL and appends the query. */
  url(pathOrUrl: string, query?: ToolkitRequest["query"]): URL {
    const base = this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`;
    const url = /^https?:\/\//.test(pathOrUrl)
      ? new URL(pathOrUrl)
      : new URL(pathOrUrl.replace(/^\//, ""), base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** JSON answer. A 2xx body that is not JSON is a `bad_response`. */
  async json<T>(pathOrUrl: string, request: ToolkitRequest = {}): Promise<ToolkitResponse<T>> {
    return this.read(
      pathOrUrl,
      { ...request, headers: { accept: "application/json", ...request.headers } },
      (text, url, status) => {
        try {
          return JSON.parse(text) as T;
        } catch (cause) {
          throw this.error(
            "bad_response",
            `${this.describe("GET", url)} returned a body that is not JSON`,
            url,
            status,
            cause,
          );
        }
      },
    );
  }

  /** Text answer (UTF-8). */
  async text(pathOrUrl: string, request: ToolkitRequest = {}): Promise<ToolkitResponse<string>> {
    return this.read(pathOrUrl, request, (text) => text);
  }

  /** XML answer, parsed (see parseXml); malformed XML is a `bad_response`. */
  async xml<T>(
    pathOrUrl: string,
    request: ToolkitRequest & { xml?: ParseXmlOptions } = {},
  ): Promise<ToolkitResponse<T>> {
    return this.read(
      pathOrUrl,
      { ...request, headers: { accept: "application/xml, text/xml", ...request.headers } },
      (text, url, status) => {
        try {
          return parseXml<T>(text, request.xml);
        } catch (cause) {
          throw this.error(
            "bad_response",
            `${this.describe("GET", url)} returned malformed XML: ${(cause as Error).message}`,
            url,
            status,
            cause,
          );
        }
      },
    );
  }

  /**
   * A binary download, streamed and aborted as soon as it passes `maxBytes` (DownloadTooLargeError
   * naming `documentName` and the size). Allowed non-2xx statuses resolve with empty data.
   */
  async download(
    pathOrUrl: string,
    request: ToolkitRequest & { maxBytes: number; documentName: string },
  ): Promise<ToolkitResponse<Uint8Array>> {
    const response = await this.send(pathOrUrl, request);
    const url = response.url || this.url(pathOrUrl, request.query).href;
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, headers: response.headers, data: new Uint8Array(), url };
    }
    const data = await readCapped(response, request.maxBytes, request.documentName);
    return { status: response.status, headers: response.headers, data, url };
  }

  /**
   * Sends with budget, credentials, retries and error mapping; resolves with the response of a
   * successful (or allowed) status, body unread, for callers that stream it.
   */
  async send(pathOrUrl: string, request: ToolkitRequest = {}): Promise<Response> {
    const url = this.url(pathOrUrl, request.query);
    const { headers, body } = this.encodeBody(request);
    return this.sendWithRetries(
      url,
      { ...request, headers, ...(body === undefined ? {} : { body }) },
      false,
      true,
    );
  }

  private async read<T>(
    pathOrUrl: string,
    request: ToolkitRequest,
    parse: (text: string, url: URL, status: number) => T,
  ): Promise<ToolkitResponse<T>> {
    const url = this.url(pathOrUrl, request.query);
    const response = await this.send(pathOrUrl, request);
    const text = await response.text();
    const data = response.ok && text.length > 0 ? parse(text, url, response.status) : undefined;
    return {
      status: response.status,
      headers: response.headers,
      data: data as T,
      url: this.redact(url.href),
    };
  }

  private encodeBody(request: ToolkitRequest): {
    headers: Record<string, string>;
    body?: string | Uint8Array;
  } {
    const headers: Record<string, string> = { ...request.headers };
    if (request.json !== undefined) {
      headers["content-type"] ??= "application/json";
      return { headers, body: JSON.stringify(request.json) };
    }
    if (request.form !== undefined) {
      headers["content-type"] ??= "application/x-www-form-urlencoded";
      return { headers, body: new URLSearchParams({ ...request.form }).toString() };
    }
    return request.body === undefined ? { headers } : { headers, body: request.body };
  }

  private async fetchForSdk(input: Parameters<typeof fetch>[0], init: RequestInit = {}): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(input instanceof Request ? input.headers : init.headers));
    const method = init.method ?? (input instanceof Request ? input.method : "GET");
    let body: string | Uint8Array | undefined;
    const raw = init.body ?? (input instanceof Request && input.body ? await input.arrayBuffer() : undefined);
    if (typeof raw === "string") body = raw;
    else if (raw instanceof ArrayBuffer) body = new Uint8Array(raw);
    else if (raw instanceof Uint8Array) body = raw;
    else if (raw instanceof URLSearchParams) body = raw.toString();
    else if (raw !== undefined && raw !== null)
      body = new Uint8Array(
        await new Response(raw as ConstructorParameters<typeof Response>[0]).arrayBuffer(),
      );
    const signal = init.signal ?? undefined;
    return this.sendWithRetries(
      url,
      { method, headers, ...(body === undefined ? {} : { body }), ...(signal ? { signal } : {}) },
      true,
      true,
    );
  }

  private async sendWithRetries(
    url: URL,
    request: ToolkitRequest & { headers: Record<string, string>; body?: string | Uint8Array },
    returnStatuses: boolean,
    mayRefresh: boolean,
  ): Promise<Response> {
    const { logger, credentials } = this.options;
    const method = (request.method ?? "GET").toUpperCase();
    const idempotent = request.idempotent ?? true;
    try {
      return await withRetries(
        async () => {
          await this.budget.acquire(request.signal);
          const sent = credentials
            ? await credentials.headers({ url, ...(request.signal ? { signal: request.signal } : {}) })
            : {};
          const response = await this.attempt(url, method, request, sent);
          credentials?.observe?.(response, url);
          const rejected = credentials
            ? credentials.rejects
              ? await credentials.rejects(response.clone())
              : response.status === 401
            : false;
          if (rejected && credentials?.refresh && mayRefresh) {
            await response.body?.cancel().catch(() => undefined);
            throw new AttemptFailed(
              "auth",
              "credentials refused",
              false,
              response.status,
              undefined,
              undefined,
              sent,
            );
          }
          if (response.ok && !rejected) return response;
          // A product's own throttling status is retried even where that status is allowed (404s
          // and 403s a caller reads itself), since the answer says nothing about the resource.
          const productThrottled =
            response.status !== 429 &&
            !rejected &&
            (await this.options.throttled?.(response.clone())) === true;
          const throttled = productThrottled || response.status === 429;
          if (request.allowStatuses?.includes(response.status) && !productThrottled) return response;
          if (returnStatuses && !this.retryable.has(response.status) && !rejected && !productThrottled)
            return response;
          if (!throttled && (rejected || response.status === 401 || response.status === 403)) {
            throw await this.authFailure(url, method, response);
          }
          const retryable =
            throttled || (this.retryable.has(response.status) && (idempotent || response.status === 408));
          const waitMs = waitFromHeaders(response.headers, this.options.waitHeaders ?? RETRY_AFTER);
          const detail = returnStatuses ? "" : await this.detail(response);
          const kind: ConnectorErrorKind = throttled
            ? "rate_limited"
            : response.status >= 500
              ? "unavailable"
              : "bad_response";
          if (throttled && waitMs !== undefined && waitMs > 0) await this.budget.pause?.(waitMs);
          throw new AttemptFailed(
            kind,
            `${this.describe(method, url)} answered ${response.status}${detail}`,
            retryable,
            response.status,
            waitMs,
            returnStatuses ? response : undefined,
          );
        },
        {
          maxRetries: this.options.maxRetries ?? 4,
          maxWaitMs: this.options.maxWaitMs ?? 120_000,
          ...this.options.backoff,
          ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
          classify: (error) =>
            error instanceof AttemptFailed
              ? {
                  retryable: error.retryable,
                  ...(error.waitMs === undefined ? {} : { waitMs: error.waitMs }),
                }
              : { retryable: false },
          onRetry: ({ error, attempt, delayMs }) => {
            const failed = error as AttemptFailed;
            void failed.response?.body?.cancel().catch(() => undefined);
            logger.warn({ url: url.pathname, status: failed.status, attempt, delayMs }, "retrying");
          },
        },
      );
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (!(error instanceof AttemptFailed)) throw error;
      if (error.refreshCredentials) {
        // Refresh once, then send again outside the retry budget; a second refusal is final.
        await credentials?.refresh?.(error.refreshCredentials, request.signal);
        return this.sendWithRetries(url, request, returnStatuses, false);
      }
      if (returnStatuses && error.response) return error.response;
      throw this.error(error.kind, error.message, url, error.status, error);
    }
  }

  /** One attempt within its timeout; network failures become retryable AttemptFailed. */
  private async attempt(
    url: URL,
    method: string,
    request: ToolkitRequest & { headers: Record<string, string>; body?: string | Uint8Array },
    credentialHeaders: Record<string, string>,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(request.timeoutMs ?? this.options.timeoutMs ?? 30_000);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const headers = { ...this.options.headers, ...request.headers, ...credentialHeaders };
    try {
      return await this.transport(url, {
        method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.redirect ? { redirect: request.redirect } : {}),
        signal,
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      const reason = timeout.aborted ? "timed out" : describeNetworkError(error);
      throw new AttemptFailed(
        "unavailable",
        `${this.describe(method, url)} failed: ${reason}`,
        request.idempotent ?? true,
      );
    }
  }

  private async authFailure(url: URL, method: string, response: Response): Promise<AttemptFailed> {
    const env = this.options.credentials?.credentialEnv;
    const credential = env ? ` (credential from env var ${env})` : "";
    const detail = await this.detail(response);
    return new AttemptFailed(
      "auth",
      `source "${this.options.sourceId}": ${this.describe(method, url)} was refused with ${response.status}${credential}${detail}`,
      false,
      response.status,
    );
  }

  /** A short, redacted excerpt of an error body for messages. */
  private async detail(response: Response): Promise<string> {
    const text = (await response.text().catch(() => "")).replace(/\s+/g, " ").trim().slice(0, 300);
    return text === "" ? "" : `: ${this.redact(text)}`;
  }

  private describe(method: string, url: URL): string {
    return `${method} ${url.origin}${url.pathname}`;
  }

  private error(
    kind: ConnectorErrorKind,
    message: string,
    url: URL,
    status: number | undefined,
    cause: unknown,
  ): ConnectorError {
    const env = this.options.credentials?.credentialEnv;
    return new ConnectorError(kind, this.redact(message), {
      sourceId: this.options.sourceId,
      url: this.redact(url.href),
      ...(status === undefined ? {} : { status }),
      ...(kind === "auth" && env ? { credentialEnv: env } : {}),
      ...(cause instanceof AttemptFailed ? {} : { cause }),
    });
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as (Error & { code?: unknown }) | undefined;
  if (cause instanceof Error)
    return typeof cause.code === "string"
      ? `${error.message} (${cause.code})`
      : `${error.message} (${cause.message})`;
  return error.message;
}
