/** Why a connector failed, so the engine can decide between retrying, stopping and reporting. */
export type ConnectorErrorKind =
  /** Credentials missing, wrong or lacking rights (401/403). Permanent: no retries, no deletions. */
  | "auth"
  /** The product throttled us and retries ran out. Transient. */
  | "rate_limited"
  /** Network failure, timeout or 5xx after retries. Transient. */
  | "unavailable"
  /** The product answered with something this connector cannot understand. */
  | "bad_response"
  /** Options that only turn out wrong at run time (a root that does not exist, a missing space). */
  | "config"
  /**
   * The change feed no longer knows the cursor (Graph's 410 resync, an expired Drive page token,
   * recent changes older than the wiki keeps). Thrown by `listChanges` before it yields anything; the
   * engine then runs a full listing in its place.
   */
  | "cursor_expired";

export interface ConnectorErrorDetails {
  sourceId?: string;
  /** Name of the env var holding the credential, so the message can say which one to fix. */
  credentialEnv?: string;
  status?: number;
  url?: string;
  cause?: unknown;
}

/** A connector-level failure; the listing it interrupts is incomplete and must not cause deletions. */
export class ConnectorError extends Error {
  override readonly name = "ConnectorError";
  readonly kind: ConnectorErrorKind;
  readonly sourceId: string | undefined;
  readonly credentialEnv: string | undefined;
  readonly status: number | undefined;
  readonly url: string | undefined;

  constructor(kind: ConnectorErrorKind, message: string, details: ConnectorErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.sourceId = details.sourceId;
    this.credentialEnv = details.credentialEnv;
    this.status = details.status;
    this.url = details.url;
  }

  /** Permanent failures should not be retried by the job system. */
  get permanent(): boolean {
    return this.kind === "auth" || this.kind === "config";
  }
}

export const isConnectorError = (error: unknown): error is ConnectorError => error instanceof ConnectorError;

/** A webhook whose signature, timestamp or secret does not check out (answered 401). */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}

/** A verified webhook whose body cannot be understood (answered 400). */
export class WebhookPayloadError extends Error {
  override readonly name = "WebhookPayloadError";
}

export const isWebhookVerificationError = (error: unknown): error is WebhookVerificationError =>
  error instanceof WebhookVerificationError;
export const isWebhookPayloadError = (error: unknown): error is WebhookPayloadError =>
  error instanceof WebhookPayloadError;
