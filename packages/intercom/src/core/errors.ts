import type { HeaderReader } from "./header-reader.js";
/** One entry of Intercom's `error.list` body, or one issue found by a local schema check. */
export interface IntercomErrorDetail {
  /** Intercom's error code (`parameter_invalid`, `rate_limit_exceeded`…) or the zod issue code. */
  code: string;
  message?: string;
  /** The offending field, as Intercom names it or as a dotted path for local schema issues. */
  field?: string;
}

/** What every Intercom error is built from. */
export interface IntercomErrorInit {
  method: string;
  /** Concrete request path without the query string (query strings may hold personal data). */
  path: string;
  /** HTTP status; undefined when no response arrived or the request was refused locally. */
  status?: number;
  requestId?: string;
  errors?: readonly IntercomErrorDetail[];
  /** Extra text for the message when `errors` says nothing (a proxy's HTML page, a timeout). */
  detail?: string;
  cause?: unknown;
}

function describe(init: IntercomErrorInit): string {
  const outcome = init.status === undefined ? "failed" : `failed with ${init.status}`;
  const parts = [`Intercom ${init.method} ${init.path} ${outcome}`];
  const details = (init.errors ?? []).map((error) => {
    const field = error.field ? ` (field ${error.field})` : "";
    return error.message ? `${error.code}: ${error.message}${field}` : `${error.code}${field}`;
  });
  if (details.length > 0) parts.push(details.join("; "));
  if (init.detail) parts.push(init.detail);
  let message = parts.join(": ");
  if (init.requestId) message += ` [request id ${init.requestId}]`;
  return message;
}

/**
 * Any failure of a call to Intercom. Messages name the method, path, status, error codes and request
 * id so a log line is enough to ask Intercom support about it; they never contain the access token.
 */
export class IntercomError extends Error {
  override name = "IntercomError";
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly errors: IntercomErrorDetail[];
  /** The first error's code, the one callers usually branch on. */
  readonly code: string | undefined;
  readonly method: string;
  readonly path: string;

  constructor(init: IntercomErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.requestId = init.requestId;
    this.errors = [...(init.errors ?? [])];
    this.code = this.errors[0]?.code;
    this.method = init.method;
    this.path = init.path;
  }
}

/** 401 or 403: the token is missing, revoked, or lacks the scope for this endpoint. */
export class IntercomAuthError extends IntercomError {
  override name = "IntercomAuthError";
}

/** 404: the object (or the endpoint in this API version) does not exist. */
export class IntercomNotFoundError extends IntercomError {
  override name = "IntercomNotFoundError";
}

/**
 * 400 or 422 from Intercom, or a request that failed its schema before being sent. `errors` carries
 * one entry per problem with its field.
 */
export class IntercomValidationError extends IntercomError {
  override name = "IntercomValidationError";
}

/** 429 after the retries ran out (or when the reset is too far away to wait for in-process). */
export class IntercomRateLimitError extends IntercomError {
  override name = "IntercomRateLimitError";
  /** When Intercom's rate-limit window resets, in unix seconds (`X-RateLimit-Reset`), if it said. */
  readonly resetAt: number | undefined;

  constructor(init: IntercomErrorInit & { resetAt?: number }) {
    super(init);
    this.resetAt = init.resetAt;
  }
}

/** 5xx: Intercom (or a proxy in front of it) failed. */
export class IntercomServerError extends IntercomError {
  override name = "IntercomServerError";
}

/** No HTTP response: connection refused or reset, DNS failure, or the attempt timed out. */
export class IntercomNetworkError extends IntercomError {
  override name = "IntercomNetworkError";
  /** True when the attempt ran past its `timeoutMs`. */
  readonly timedOut: boolean;

  constructor(init: IntercomErrorInit & { timedOut: boolean }) {
    super(init);
    this.timedOut = init.timedOut;
  }
}

/**
 * The response did not have the expected shape: it failed its schema in `strict` validation mode, was
 * not valid JSON, or a list page had no item array.
 */
export class IntercomResponseValidationError extends IntercomError {
  override name = "IntercomResponseValidationError";
}

export function isIntercomError(error: unknown): error is IntercomError {
  return error instanceof IntercomError;
}
export function isIntercomAuthError(error: unknown): error is IntercomAuthError {
  return error instanceof IntercomAuthError;
}
export function isIntercomNotFoundError(error: unknown): error is IntercomNotFoundError {
  return error instanceof IntercomNotFoundError;
}
export function isIntercomValidationError(error: unknown): error is IntercomValidationError {
  return error instanceof IntercomValidationError;
}
export function isIntercomRateLimitError(error: unknown): error is IntercomRateLimitError {
  return error instanceof IntercomRateLimitError;
}
export function isIntercomServerError(error: unknown): error is IntercomServerError {
  return error instanceof IntercomServerError;
}
export function isIntercomNetworkError(error: unknown): error is IntercomNetworkError {
  return error instanceof IntercomNetworkError;
}
export function isIntercomResponseValidationError(error: unknown): error is IntercomResponseValidationError {
  return error instanceof IntercomResponseValidationError;
}

/** Headers that carry a request id when the body has none (proxies, non-JSON error pages). */
const REQUEST_ID_HEADERS = ["x-request-id", "x-intercom-request-id", "request-id"] as const;

/** Longest piece of a non-JSON error body kept in a message. */
const MAX_BODY_EXCERPT = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** What an error response said, taken from an `error.list` body and the headers. */
export interface ParsedErrorBody {
  requestId?: string;
  errors: IntercomErrorDetail[];
  detail?: string;
}

/**
 * Reads Intercom's `{ type: "error.list", request_id, errors: [{ code, message, field? }] }` body, and
 * copes with whatever else a proxy may answer. `redact` scrubs text that came from the server before
 * it reaches a message (a server echoing the token back must not leak it into logs).
 */
export function parseErrorBody(
  body: unknown,
  headers: HeaderReader | undefined,
  redact: (text: string) => string,
): ParsedErrorBody {
  const parsed: ParsedErrorBody = { errors: [] };
  if (isRecord(body)) {
    const requestId = optionalString(body.request_id);
    if (requestId) parsed.requestId = redact(requestId);
    if (Array.isArray(body.errors)) {
      for (const entry of body.errors) {
        if (!isRecord(entry)) continue;
        const detail: IntercomErrorDetail = { code: redact(optionalString(entry.code) ?? "unknown") };
        const message = optionalString(entry.message);
        if (message) detail.message = redact(message);
        const field = optionalString(entry.field);
        if (field) detail.field = redact(field);
        parsed.errors.push(detail);
      }
    }
    if (parsed.errors.length === 0) {
      const message = optionalString(body.message) ?? optionalString(body.error);
      if (message) parsed.detail = redact(message);
    }
  } else if (typeof body === "string" && body.trim().length > 0) {
    const text = body.replace(/\s+/g, " ").trim();
    parsed.detail = redact(text.length > MAX_BODY_EXCERPT ? `${text.slice(0, MAX_BODY_EXCERPT)}…` : text);
  }
  if (!parsed.requestId && headers) {
    for (const name of REQUEST_ID_HEADERS) {
      const value = headers.get(name);
      if (value) {
        parsed.requestId = redact(value);
        break;
      }
    }
  }
  return parsed;
}

/** Picks the error class for an HTTP status. */
export function errorForStatus(
  init: IntercomErrorInit & { status: number; resetAt?: number },
): IntercomError {
  const { status } = init;
  if (status === 401 || status === 403) return new IntercomAuthError(init);
  if (status === 404) return new IntercomNotFoundError(init);
  if (status === 400 || status === 422) return new IntercomValidationError(init);
  if (status === 429) return new IntercomRateLimitError(init);
  if (status >= 500) return new IntercomServerError(init);
  return new IntercomError(init);
}
