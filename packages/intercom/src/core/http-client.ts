import { type Logger, pino } from "pino";
import type { z } from "zod";
import {
  errorForStatus,
  IntercomError,
  IntercomNetworkError,
  IntercomRateLimitError,
  IntercomResponseValidationError,
  parseErrorBody,
} from "./errors.js";
import { classifyIntercomFailure } from "./intercom-retry.js";
import { needsNetworkAgent, networkFetch } from "./network.js";
import { readRateLimitHeaders, TokenBucketRateLimiter } from "./rate-limiter.js";
import { withRetries } from "./retry-policy.js";
import { type AttemptResponse, createConnectionPools, type HeaderReader, sendAttempt } from "./transport.js";
import {
  API_VERSION,
  type ClientOptions,
  type RateLimiter,
  type RequestOptions,
  type ValidationMode,
} from "./types.js";
import { type QueryParams, resolveBaseUrl, resolveTarget } from "./url.js";
import { assertValidRequest, checkResponse } from "./validation.js";

/** One call as the resource modules describe it. */
export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path with params substituted and encoded (`/contacts/123`), or an absolute URL on the client's own origin (a `pages.next` link). */
  path: string;
  query?: QueryParams;
  body?: unknown;
  /** POST that is safe to retry on 5xx/network errors (e.g. POST /ai/external_pages is an upsert). GET/PUT/DELETE are retried by default, other POSTs only on 429/408. */
  idempotent?: boolean;
  /**
   * Validated before sending, always strictly: a failure throws IntercomValidationError and nothing is
   * sent. It checks `body` when the request has one, otherwise `query`.
   */
  requestSchema?: z.ZodType;
  /** Applied to the parsed response according to the client's ValidationMode. */
  responseSchema?: z.ZodType;
  /** Default "json"; "text" and "bytes" for non-JSON downloads (data export download). */
  responseType?: "json" | "text" | "bytes";
  /** Overrides Accept (default application/json). */
  accept?: string;
}

/** Sent as User-Agent so Intercom (and proxies) can tell this client's traffic apart. */
export const USER_AGENT = `content-sync-intercom/0.1.0 (content-sync; node ${process.versions.node})`;

const DEFAULT_TIMEOUT_MS = 30_000;
/** Connections are pooled per process: clients of the same origin share warm sockets. */
const sharedPools = createConnectionPools();
const DEFAULT_MAX_RETRIES = 3;
/**
 * Longest wait for `X-RateLimit-Reset` after a 429. Intercom's windows last 10 seconds, so a reset
 * further away means something else is wrong; the 429 is then thrown for the caller (a queue) to
 * reschedule instead of holding a worker.
 */
const MAX_RATE_LIMIT_WAIT_MS = 60_000;
const VALIDATION_MODES: readonly ValidationMode[] = ["strict", "warn", "off"];

function checkTimeout(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds, got ${value}`);
  }
  return value;
}

function checkRetries(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number >= 0, got ${value}`);
  }
  return value;
}

/**
 * The transport every resource module calls: bearer auth, `Intercom-Version`, JSON bodies, timeouts,
 * cancellation, rate limiting, retries with backoff, typed errors, and response validation.
 */
export class HttpClient {
  readonly baseUrl: string;
  readonly logger: Logger;
  // Private fields stay out of util.inspect and JSON.stringify, so logging the client cannot leak them.
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #rateLimiter: RateLimiter;
  readonly #validation: ValidationMode;
  readonly #onResponse: ClientOptions["onResponse"];
  readonly #fetch: typeof fetch | undefined;

  constructor(options: ClientOptions) {
    if (typeof options.token !== "string" || options.token.trim() === "") {
      throw new TypeError("ClientOptions.token must be a non-empty access token");
    }
    this.#token = options.token;
    this.baseUrl = resolveBaseUrl(options);
    this.#timeoutMs = checkTimeout("ClientOptions.timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.#maxRetries = checkRetries("ClientOptions.maxRetries", options.maxRetries ?? DEFAULT_MAX_RETRIES);
    const validation = options.validation ?? "warn";
    if (!VALIDATION_MODES.includes(validation)) {
      throw new TypeError(
        `ClientOptions.validation must be one of ${VALIDATION_MODES.join(", ")}, got "${validation}"`,
      );
    }
    this.#validation = validation;
    this.#rateLimiter = options.rateLimiter ?? new TokenBucketRateLimiter();
    this.logger = options.logger ?? pino({ level: "silent" });
    this.#onResponse = options.onResponse;
    // node:http(s) over keep-alive pools is the cheap default; a proxy or an extra CA file needs
    // undici's dispatcher (NODE_EXTRA_CA_CERTS alone is honoured by node:https itself).
    this.#fetch =
      options.fetch ?? (needsNetworkAgent(options.network) ? networkFetch(options.network) : undefined);
  }

  /** Sends the request with retries; resolves with the parsed body (undefined for 204 or an empty body). */
  async request<T>(request: ApiRequest, options: RequestOptions = {}): Promise<T> {
    const { signal } = options;
    signal?.throwIfAborted();
    const timeoutMs = checkTimeout("RequestOptions.timeoutMs", options.timeoutMs ?? this.#timeoutMs);
    const maxRetries = checkRetries("RequestOptions.maxRetries", options.maxRetries ?? this.#maxRetries);
    const { method } = request;
    const target = resolveTarget(this.baseUrl, method, request.path, request.query);
    const context = { method, path: target.path };
    if (request.requestSchema) {
      assertValidRequest(request.requestSchema, request.body ?? request.query ?? {}, context);
    }
    const headers = this.#headers(request);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);

    const idempotent = request.idempotent === true;
    return withRetries(
      async (attempt) => {
        await this.#rateLimiter.acquire(signal);
        signal?.throwIfAborted();
        const started = performance.now();
        let response: AttemptResponse;
        try {
          response = await sendAttempt({
            url: target.url,
            method,
            path: target.path,
            headers,
            ...(body === undefined ? {} : { body }),
            timeoutMs,
            ...(signal ? { signal } : {}),
            ...(this.#fetch ? { fetch: this.#fetch } : {}),
            pools: sharedPools,
          });
        } catch (error) {
          if (error instanceof IntercomNetworkError) this.#afterAttempt(context, undefined, started, attempt);
          throw error;
        }
        this.#afterAttempt(context, response.status, started, attempt);
        await this.#observeRateLimit(response.headers);
        if (response.status >= 200 && response.status < 300) {
          return this.#readSuccess<T>(request, context, response);
        }
        throw await this.#readFailure(context, response);
      },
      {
        maxRetries,
        ...(signal ? { signal } : {}),
        maxWaitMs: MAX_RATE_LIMIT_WAIT_MS,
        // Only Intercom's answers and lost connections are retried; a bug is thrown as is.
        classify: (error) =>
          error instanceof IntercomError
            ? classifyIntercomFailure(method, idempotent, error)
            : { retryable: false },
        onRetry: ({ error, attempt, delayMs }) => {
          const failure = error as IntercomError;
          this.logger.debug(
            { method, path: target.path, status: failure.status, code: failure.code, attempt, delayMs },
            "retrying Intercom request",
          );
        },
      },
    );
  }

  #headers(request: ApiRequest): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.#token}`,
      "Intercom-Version": API_VERSION,
      Accept: request.accept ?? "application/json",
      "User-Agent": USER_AGENT,
    };
    if (request.body !== undefined) headers["Content-Type"] = "application/json";
    return headers;
  }

  /** Removes the token from text that came from elsewhere (a server may echo it back). */
  #redact = (text: string): string => text.split(this.#token).join("[redacted]");

  #afterAttempt(
    context: { method: string; path: string },
    status: number | undefined,
    started: number,
    attempt: number,
  ) {
    const durationMs = Math.round(performance.now() - started);
    // Only fields built here are logged: never the headers, never the query string.
    this.logger.debug(
      { method: context.method, path: context.path, status, ms: durationMs, attempt },
      "Intercom attempt",
    );
    if (!this.#onResponse) return;
    try {
      this.#onResponse({ method: context.method, path: context.path, status, durationMs, attempt });
    } catch (error) {
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "onResponse hook threw",
      );
    }
  }

  async #observeRateLimit(headers: HeaderReader): Promise<void> {
    const snapshot = readRateLimitHeaders(headers);
    if (!snapshot) return;
    try {
      await this.#rateLimiter.observe(snapshot);
    } catch (error) {
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "rate limiter observe failed",
      );
    }
  }

  async #readFailure(
    context: { method: string; path: string },
    response: AttemptResponse,
  ): Promise<IntercomError> {
    const text = new TextDecoder().decode(response.body);
    let parsedBody: unknown = text;
    try {
      parsedBody = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page): the text itself becomes the message detail.
    }
    const parsed = parseErrorBody(parsedBody, response.headers, this.#redact);
    const resetHeader = Number(response.headers.get("x-ratelimit-reset") ?? Number.NaN);
    const resetAt = Number.isFinite(resetHeader) && resetHeader > 0 ? resetHeader : undefined;
    const error = errorForStatus({
      ...context,
      status: response.status,
      errors: parsed.errors,
      ...(parsed.requestId ? { requestId: parsed.requestId } : {}),
      ...(parsed.detail ? { detail: parsed.detail } : {}),
      ...(resetAt === undefined ? {} : { resetAt }),
    });
    if (error instanceof IntercomRateLimitError && error.resetAt !== undefined) {
      try {
        await this.#rateLimiter.block(error.resetAt);
      } catch (blockError) {
        this.logger.warn(
          { err: blockError instanceof Error ? blockError.message : String(blockError) },
          "rate limiter block failed",
        );
      }
    }
    return error;
  }

  #readSuccess<T>(
    request: ApiRequest,
    context: { method: string; path: string },
    response: AttemptResponse,
  ): T {
    const responseType = request.responseType ?? "json";
    if (response.status === 204 || response.body.length === 0) return undefined as T;
    if (responseType === "bytes") return response.body as T;
    const text = new TextDecoder().decode(response.body);
    if (responseType === "text") return text as T;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new IntercomResponseValidationError({
        ...context,
        status: response.status,
        errors: [{ code: "invalid_json", message: "the response body is not JSON" }],
        ...this.#requestIdOf(response.headers),
      });
    }
    if (request.responseSchema) {
      const requestId =
        typeof data === "object" &&
        data !== null &&
        "request_id" in data &&
        typeof data.request_id === "string"
          ? data.request_id
          : this.#requestIdOf(response.headers).requestId;
      checkResponse(request.responseSchema, data, this.#validation, {
        ...context,
        status: response.status,
        requestId,
        logger: this.logger,
      });
    }
    return data as T;
  }

  #requestIdOf(headers: HeaderReader): { requestId?: string } {
    const parsed = parseErrorBody(undefined, headers, this.#redact);
    return parsed.requestId ? { requestId: parsed.requestId } : {};
  }
}
