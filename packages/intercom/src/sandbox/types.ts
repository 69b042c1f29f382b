import type { Logger } from "pino";

/** A Content Import Source exactly as the API returns it (`content_import_source` in the spec). */
export interface ContentImportSource {
  type: "content_import_source";
  id: number;
  url: string;
  sync_behavior: "api" | "automated" | "manual";
  status: "active" | "deactivated";
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds; moves when the source itself changes. */
  updated_at: number;
  /** Unix seconds; moves whenever one of the source's pages is created, changed or deleted. */
  last_synced_at: number;
}

/** An External Page exactly as the API returns it (`external_page` in the spec). */
export interface ExternalPage {
  type: "external_page";
  /** Intercom gives page ids as strings (of digits). */
  id: string;
  title: string;
  html: string;
  /** Absent when the page was stored without a URL (Fin then does not cite it). */
  url?: string;
  ai_agent_availability: boolean;
  ai_copilot_availability: boolean;
  ai_sales_agent_availability: boolean;
  /** Deprecated by Intercom; mirrors `ai_agent_availability`. */
  fin_availability: boolean;
  locale: "en";
  source_id: number;
  external_id: string;
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds; moves only when a write changes something. */
  updated_at: number;
  /** Unix seconds; moves with `updated_at` (an unchanged re-upsert is not re-ingested). */
  last_ingested_at: number;
}

/** Source of "now" for timestamps and rate-limit windows; tests pass a fake one. */
export interface SandboxClock {
  /** Milliseconds since the unix epoch. */
  now(): number;
}

/** Intercom-like rate limiting: a per-minute budget enforced in six 10-second windows. */
export interface RateLimitOptions {
  /** Calls allowed per minute; each 10-second window allows `floor(perMinute / 6)`. At least 6. */
  perMinute: number;
}

/** Latency added before answering: a fixed delay or a range drawn by the seeded PRNG. */
export type LatencySetting = number | { min: number; max: number };

/**
 * Faults injected into API calls (never into the HTML page or the `/__sandbox` admin routes).
 * Every random decision comes from a PRNG seeded with `seed`, so the same seed and the same sequence
 * of calls give the same faults.
 */
export interface FaultOptions {
  /** Seed of the PRNG. Default 1. Setting faults re-seeds it. */
  seed?: number;
  /** Share (0..1) of API calls answered with a server error. Default 0. */
  errorRate?: number;
  /** Statuses those answers use, picked by the PRNG. Default [500, 502, 503]. */
  errorStatuses?: number[];
  /** Share (0..1) of API calls whose socket is destroyed without an answer. Default 0. */
  dropRate?: number;
  /** Delay before every API answer, in ms. Default 0. */
  latencyMs?: LatencySetting;
  /** External ids whose page writes (POST, PUT, DELETE) fail with `failExternalIdStatus`. Default none. */
  failExternalIds?: string[];
  /** Status of the answers for `failExternalIds`. Default 500. */
  failExternalIdStatus?: number;
}

export interface SandboxOptions {
  /** Port to listen on; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind. Default "127.0.0.1" (the sandbox has no real security: keep it local). */
  host?: string;
  /**
   * Origin the sandbox names in the `pages.next` links it builds (as Intercom names its own host),
   * e.g. the URL a proxy publishes it under. Default: its listening URL.
   */
  publicUrl?: string;
  /** Bearer tokens accepted by the API routes. Default ["sandbox-token"]. */
  tokens?: string[];
  /**
   * JSON file that holds the data; loaded at start when it exists, rewritten atomically after
   * changes. Default: none (memory only).
   */
  dataFile?: string;
  /**
   * How long changes may wait before being written to `dataFile`, in ms. Writes are coalesced: many
   * upserts in that time cost one write. A crash loses at most this much. Default 200.
   */
  persistDelayMs?: number;
  /** Rate limiting, or false for none. Default false. */
  rateLimit?: RateLimitOptions | false;
  /**
   * Sink mode, for load and memory benchmarks: page writes are validated and answered exactly as
   * usual (same checks, rate-limit headers, an id stable per source and external id) but no page is
   * kept, so the sandbox's memory stays flat however many pages are sent. Lists of pages are empty,
   * reading a page answers 404, and deleting one answers it with only its id. Sources are kept.
   * Cannot be combined with `dataFile`. Default false.
   */
  sink?: boolean;
  /** Faults to inject from the start. Default none. */
  faults?: FaultOptions;
  /** Items per list page. Default 50 (as Intercom). */
  perPage?: number;
  /** Largest request body accepted, in bytes; bigger ones get 413. Default 10 MiB. */
  maxBodyBytes?: number;
  /** Clock for timestamps and rate-limit windows. Default the system clock. */
  clock?: SandboxClock;
  /** Injected logger; default silent. Tokens are never logged. */
  logger?: Logger;
}

/** Call counters, readable over HTTP at `GET /__sandbox/stats`. */
export interface SandboxStats {
  /** Every API call by `METHOD /route/template` (e.g. `POST /ai/external_pages`), whatever its answer. */
  calls: Record<string, number>;
  /** API calls answered with a 2xx, by the same keys: the exact count of writes that took effect. */
  succeeded: Record<string, number>;
  /** API answers by HTTP status. */
  statuses: Record<string, number>;
  /** Calls refused with 429. */
  rateLimited: number;
  /** Calls refused with 401. */
  unauthorized: number;
  /** Faults injected: server errors, dropped connections, failures of listed external ids. */
  faults: { errors: number; drops: number; failedExternalIds: number };
  /** When the counters were last reset (unix ms, from the sandbox clock). */
  since: number;
  /**
   * With a rate limit on: each 10-second window that saw calls (the latest 360), by its reset time
   * (unix seconds), with the calls it let through and the calls it refused with 429. Empty when off.
   */
  rateLimitWindows: { resetAt: number; allowed: number; refused: number }[];
}

/** Read access to the sandbox data for tests; the objects are the stored ones: do not mutate them. */
export interface SandboxStoreReader {
  readonly sourceCount: number;
  readonly pageCount: number;
  getSource(id: number): Readonly<ContentImportSource> | undefined;
  getPage(id: string): Readonly<ExternalPage> | undefined;
  findPage(sourceId: number, externalId: string): Readonly<ExternalPage> | undefined;
  /** Sources in id order. */
  listSources(): Readonly<ContentImportSource>[];
  /** Pages in id order, optionally of one source. */
  listPages(sourceId?: number): Readonly<ExternalPage>[];
}

export interface RunningSandbox {
  /** Base URL, e.g. `http://127.0.0.1:41234`; give it to the client as `baseUrl`. */
  readonly url: string;
  readonly port: number;
  /** The first accepted token. */
  readonly token: string;
  /** Every accepted token. */
  readonly tokens: readonly string[];
  readonly store: SandboxStoreReader;
  stats(): SandboxStats;
  resetStats(): void;
  /** Replaces the fault configuration (and re-seeds the PRNG); `{}` turns faults off. */
  setFaults(faults: FaultOptions): void;
  /** Replaces the rate limit; `false` turns it off. Counting starts afresh. */
  setRateLimit(rateLimit: RateLimitOptions | false): void;
  /** Deletes every source and page and restarts the id counters. */
  reset(): void;
  /** Waits until every change so far is on disk (no-op without `dataFile`). */
  flush(): Promise<void>;
  /** Stops accepting connections, closes idle ones, writes pending data. Safe to call twice. */
  close(): Promise<void>;
}
