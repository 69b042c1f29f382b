import type { Logger } from "pino";
import type { NetworkOptions } from "./network.js";

/** Intercom's hosting regions and their API hosts. */
export type Region = "us" | "eu" | "au";

export const REGION_BASE_URLS: Readonly<Record<Region, string>> = {
  us: "https://api.intercom.io",
  eu: "https://api.eu.intercom.io",
  au: "https://api.au.intercom.io",
};

/** The API version this client speaks; sent as `Intercom-Version` on every call. */
export const API_VERSION = "2.12";

/** Per-call knobs every client method accepts as its last argument. */
export interface RequestOptions {
  /** Cancels the call, including any wait for the rate limiter or a retry backoff. */
  signal?: AbortSignal;
  /** Time allowed for one attempt. Default: the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default: the client's `maxRetries`. */
  maxRetries?: number;
}

/** What one response's `X-RateLimit-*` headers said. */
export interface RateLimitSnapshot {
  /** Calls allowed in the current window (`X-RateLimit-Limit`). */
  limit: number;
  /** Calls left in the current window (`X-RateLimit-Remaining`). */
  remaining: number;
  /** When the window resets, in unix seconds (`X-RateLimit-Reset`). */
  resetAt: number;
}

/**
 * Decides when a call may be sent. The client calls `acquire` before every attempt and feeds back
 * what Intercom said. Implementations may be in-process (the default token bucket) or shared by many
 * processes (a Redis-backed limiter), so every method may be async.
 */
export interface RateLimiter {
  /** Resolves when one call may be sent; rejects with the signal's reason when aborted. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Feeds the `X-RateLimit-*` headers of a response. */
  observe(snapshot: RateLimitSnapshot): void | Promise<void>;
  /** A 429 arrived: nobody should send before `resetAt` (unix seconds). */
  block(resetAt: number): void | Promise<void>;
}

/** How response bodies are checked against the spec's schemas. */
export type ValidationMode = "strict" | "warn" | "off";

/** Facts about one finished HTTP attempt, for metrics and call counting. */
export interface ResponseInfo {
  method: string;
  /** The path template's concrete path, without query string, e.g. `/ai/external_pages/12`. */
  path: string;
  /** HTTP status, or undefined when the attempt failed at the network level. */
  status: number | undefined;
  durationMs: number;
  /** 0 for the first attempt. */
  attempt: number;
}

export interface ClientOptions {
  /** Access token (bearer). Never logged and never included in error messages. */
  token: string;
  /** Region of the workspace. Default `us`. Ignored when `baseUrl` is set. */
  region?: Region;
  /** Custom API origin (a proxy, the local sandbox). Wins over `region`. */
  baseUrl?: string;
  /** Time allowed for one attempt. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures. Default 3. */
  maxRetries?: number;
  /** Consulted before each attempt. Default: an in-process token bucket fed by the response headers. */
  rateLimiter?: RateLimiter;
  /** Response validation. Default `warn` (log and return the body as received). */
  validation?: ValidationMode;
  /** Injected logger; default silent. */
  logger?: Logger;
  /** Called after every attempt (metrics, call counters). Must not throw. */
  onResponse?: (info: ResponseInfo) => void;
  /**
   * Proxy and CA settings: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` and `NODE_EXTRA_CA_CERTS` from
   * `network.env` (default `process.env`), plus an optional `caFile`. Ignored when `fetch` is given.
   */
  network?: NetworkOptions;
  /**
   * Replaceable fetch (tests). Default: node:http(s) with keep-alive connections shared by the
   * process's clients (a third of the global fetch's CPU per call), or undici's fetch through the
   * `network` settings when a proxy or an extra CA file asks for it.
   */
  fetch?: typeof fetch;
}
