import type { Logger } from "pino";
import type { z } from "zod";
import type { RequestBudget, RequestRate } from "./toolkit/budget/request-budget.js";

/**
 * The body of a document as its product hands it over. Transforms turn every kind into clean HTML;
 * binary kinds (DOCX, PDF) carry their bytes and media type.
 */
export type DocumentBody =
  | { kind: "html"; html: string }
  | { kind: "markdown"; markdown: string }
  | { kind: "text"; text: string }
  | { kind: "binary"; mediaType: string; data: Uint8Array };

/**
 * Metadata the engine's include/exclude and availability rules match on. Every connector fills what
 * its product knows; unknown keys are allowed so rules can match product-specific facts.
 */
export interface DocumentMetadata {
  /** Path within the source (file path, page hierarchy, slug). */
  path?: string;
  /** Labels, tags or categories. */
  labels?: readonly string[];
  /** Space, site, collection or content type grouping. */
  space?: string;
  /** Publication status as the product names it (publish, draft, private, trash…). */
  status?: string;
  /** Kind of document (post, page, entry content type, file extension…). */
  type?: string;
  author?: string;
  [key: string]: string | readonly string[] | undefined;
}

/** A fully fetched document, ready for the transforms. */
export interface FetchedDocument {
  /** Stable and unique within the source; becomes the External Page's `external_id`. */
  externalId: string;
  /** Cheap change marker (etag, revision, mtime+size). Same version ⇒ same content. */
  version: string;
  /** Title as the product knows it; when absent the transforms derive one from the HTML. */
  title?: string;
  /** Canonical URL of the document; Fin cites only pages that have one. */
  url?: string;
  updatedAt?: Date;
  metadata: DocumentMetadata;
  body: DocumentBody;
}

/**
 * A document as a listing sees it. The body is loaded lazily so the engine can skip documents whose
 * `version` matches what it synced last time without fetching them.
 */
export interface ListedDocument {
  externalId: string;
  /** Cheap change marker; an empty string means "no cheap version": the engine loads and hashes. */
  version: string;
  updatedAt?: Date;
  metadata: DocumentMetadata;
  /** Loads the full document. May be called at most once per listing. */
  load(signal?: AbortSignal): Promise<FetchedDocument>;
}

/**
 * What listings and change feeds yield, in order:
 * - `document`: exists now (created or possibly changed);
 * - `deleted`: the product itself confirms the document is gone: a tombstone in a change feed, trash
 *   status, a delete-log entry, Contentful's DeletedEntry, a verified delete webhook;
 * - `missing`: fetched by id and not returned (404/410, a 401/403 for one document on an anonymous
 *   source, ENOENT, a file that became a folder…). Not proof of deletion: a refusal or an unmounted
 *   share looks the same. The engine records it as a failure; only a later complete listing that
 *   lacks the document may delete it. (A refusal of the source's own credentials is a thrown
 *   ConnectorError of kind `auth`, not an event.);
 * - `failed`: the document exists but could not be read; it must NOT be treated as deleted;
 * - `cursor`: everything yielded before it is covered by this cursor; the engine persists the last one
 *   it saw only after the writes of the events before it succeeded, so a crash never skips changes.
 */
export type SourceEvent =
  | { kind: "document"; document: ListedDocument }
  | { kind: "deleted"; externalId: string }
  | { kind: "missing"; externalId: string; reason: string }
  | { kind: "failed"; externalId: string; error: Error }
  | { kind: "cursor"; cursor: string };

/** Passed to every listing call. */
export interface ListContext {
  signal: AbortSignal;
  logger: Logger;
}

/** A webhook request exactly as received: verification needs the raw bytes. */
export interface WebhookRequest {
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
  query: Readonly<Record<string, string | undefined>>;
  /** The source's webhook secret, resolved from the env var the config names. */
  secret: string | undefined;
  /** Injected clock for timestamp tolerance checks. */
  now: Date;
  /** HTTP method as received (e.g. "POST"); schemes that sign the request line need it (Contentful). */
  method?: string;
  /** Request target as received: path plus query string (e.g. "/webhooks/docs?x=1"). */
  path?: string;
}

/** What a webhook asks the engine to do, as document ids. */
export interface WebhookEvents {
  changed: string[];
  deleted: string[];
  /**
   * The product says something changed without naming the documents (a Graph change notification, a
   * Drive `changes.watch` message): the scheduler queues an incremental run of the source.
   */
  resync?: boolean;
}

/** The answer to a product's handshake request. */
export interface WebhookHandshake {
  status: number;
  body: string;
  contentType?: string;
  /**
   * Something only the admin may see, from a handshake that carries a secret the operator must
   * configure (Notion's verification token): the scheduler holds it for the admin-only status and
   * never logs it or answers it to the sender.
   */
  adminNotice?: { message: string; secret: string };
}

/** A connector's webhook support: verification first, then parsing, optionally a handshake. */
export interface WebhookHandler {
  /**
   * Some products (Microsoft Graph, Notion) first send a verification request that must be answered
   * in a specific way. Return the answer to send, or undefined when this is not a handshake.
   */
  handshake?(request: WebhookRequest): WebhookHandshake | undefined;
  /** Throws WebhookVerificationError when the signature, timestamp or secret does not check out. */
  verify(request: WebhookRequest): void;
  /** Only called after `verify` passed. Throws WebhookPayloadError on a body it cannot understand. */
  parse(request: WebhookRequest): WebhookEvents;
  /**
   * What makes one verified delivery unique (the signature with the timestamp it covers, or the
   * product's delivery id), for the intake's replay guard: the same value again within the replay
   * window is a replay and queues nothing. Define it only when the signature covers a timestamp or a
   * delivery id: without one, the same bytes twice may be two genuine events.
   */
  deliveryId?(request: WebhookRequest): string | undefined;
}

/** A push subscription at the product (a Graph subscription, a Drive channel): it expires. */
export interface PushSubscription {
  /** The product's id of the subscription (or channel). */
  id: string;
  /** When the product stops delivering unless it is renewed. */
  expiresAt: Date;
  /** What the product needs to renew or remove it later (resource id, channel resource id…). */
  data?: Readonly<Record<string, string>>;
}

/**
 * A connector's push notifications. The scheduler creates a subscription for each source that asks for
 * push, renews it before it expires, removes it when the source leaves the config, and falls back to
 * polling while it cannot. Notifications then arrive on the source's webhook (verified by `webhook`).
 */
export interface PushSubscriptionHandler {
  create(params: {
    notificationUrl: string;
    clientState: string;
    signal: AbortSignal;
  }): Promise<PushSubscription>;
  /** Extends the subscription; may return a new one (Drive channels cannot be extended: a new one replaces it). */
  renew(
    subscription: PushSubscription,
    params: { notificationUrl: string; clientState: string; signal: AbortSignal },
  ): Promise<PushSubscription>;
  remove(subscription: PushSubscription, signal: AbortSignal): Promise<void>;
}

/** A configured connector instance for one source. */
export interface Connector {
  /** Everything that exists now. Only a listing that finishes without throwing allows deletions. */
  listAll(ctx: ListContext): AsyncIterable<SourceEvent>;
  /**
   * Changes since a cursor from an earlier `cursor` event. Absent when the product offers no change
   * feed; the engine then runs full listings.
   */
  listChanges?(cursor: string, ctx: ListContext): AsyncIterable<SourceEvent>;
  /**
   * Documents by id (webhooks, targeted reindex): `document` for found ids, `missing` for ids the
   * product did not return, `deleted` only where the product confirms the deletion (trash status).
   */
  fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent>;
  webhook?: WebhookHandler;
  /** Push notifications that must be subscribed to (and renewed) at the product. */
  push?: PushSubscriptionHandler;
  /** Releases sockets, pools, temp files. */
  close?(): Promise<void>;
}

/** What a connector's factory receives besides its own options. */
export interface ConnectorInit {
  sourceId: string;
  logger: Logger;
  /** Environment to resolve credential env vars from (injected so tests need not touch process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The source's request budget (the definition's `defaultRate` unless the config overrides it),
   * shared by every worker through Redis in the services. Absent: unlimited (tests).
   */
  budget?: RequestBudget;
  /** The source's network settings; proxies and `NODE_EXTRA_CA_CERTS` come from `env`. */
  network?: { caFile?: string };
}

/** A connector type: its name in the config, its options schema, and its factory. */
export interface ConnectorDefinition<Options = unknown> {
  /** The `type` of a source in the config, e.g. `filesystem`, `wordpress`. */
  type: string;
  /** Validates the source's `options`; unknown keys must be rejected (use z.strictObject). */
  optionsSchema: z.ZodType<Options>;
  /** The product's documented request rate (or a polite one where it documents none). */
  defaultRate: RequestRate;
  create(options: Options, init: ConnectorInit): Connector;
}
