import { createHash } from "node:crypto";

/** The prefix every content-sync key starts with unless the config names another. */
export const DEFAULT_REDIS_PREFIX = "content-sync";

/** A prefix becomes part of key names; refuse what would break the layout or the hash tags below. */
export function checkRedisPrefix(prefix: string): string {
  if (prefix.length === 0) throw new Error("redis prefix must not be empty");
  if (/[\s{}]/.test(prefix)) {
    throw new Error(
      `redis prefix "${prefix}" must not contain spaces or braces: content-sync places its own Redis Cluster hash tags`,
    );
  }
  return prefix;
}

/** Ids go into key names; refuse characters that would let one id's keys collide with another's. */
function assertKeyPart(label: string, value: string): string {
  if (value.length === 0 || /[\s{}:]/.test(value)) {
    throw new Error(`${label} "${value}" cannot be used in a redis key (no spaces, braces or colons)`);
  }
  return value;
}

/**
 * Run ids are BullMQ job ids, and those of job schedulers contain colons (`repeat:<scheduler>:<ms>`).
 * They are always the last part of a key, so colons cannot make two keys collide; braces would move
 * the key to another cluster slot, spaces break tooling.
 */
function assertRunId(value: string): string {
  if (value.length === 0 || /[\s{}]/.test(value)) {
    throw new Error(`run id "${value}" cannot be used in a redis key (no spaces or braces)`);
  }
  return value;
}

/**
 * Names of every key content-sync writes, in one place so the layout is documented and tests can
 * clean up by prefix. Keys are spread over Redis Cluster slots by hash tags, and keys that one Lua
 * script or transaction touches together share a tag:
 * - `{<source>}`: everything of one source (state, lock, ledger, history, webhook markers);
 * - `{sync}`: the BullMQ queue (its name is the tag, BullMQ's per-queue convention);
 * - `{ratelimit}`: the fleet's Intercom budget; `{fleet}`: the epoch, the source registry and counters.
 */
export class RedisKeyspace {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_REDIS_PREFIX) {
    this.prefix = checkRedisPrefix(prefix);
  }

  /** BullMQ's `prefix` option; the queue name carries the hash tag. */
  get queuePrefix(): string {
    return this.prefix;
  }

  private source(sourceId: string, ...rest: string[]): string {
    return [`${this.prefix}:src:{${assertKeyPart("source id", sourceId)}}`, ...rest].join(":");
  }

  /** Hash: the source's record fields (`contentImportSourceId`, `cursor`, `checkpoint`, `generation`…). */
  sourceRecord(sourceId: string): string {
    return this.source(sourceId, "source");
  }

  /** Hash: externalId → JSON PageRecord. */
  pages(sourceId: string): string {
    return this.source(sourceId, "pages");
  }

  /** Set: external ids the run of this generation saw in its listing. */
  seen(sourceId: string, generation: number): string {
    return this.source(sourceId, "seen", String(generation));
  }

  /** Hash: ledger key → JSON FailureRecord. */
  failures(sourceId: string): string {
    return this.source(sourceId, "failures");
  }

  /** Sorted set: ledger key scored by its next retry time (ms). */
  failuresDue(sourceId: string): string {
    return this.source(sourceId, "failures-due");
  }

  /** Sorted set: deletions made outside full runs, scored by time, for the rolling deletion limit. */
  deletionLog(sourceId: string): string {
    return this.source(sourceId, "deletions");
  }

  /** String with expiry: the run that currently owns the source. */
  sourceLock(sourceId: string): string {
    return this.source(sourceId, "lock");
  }

  /** String with expiry: the job currently writing one document (sha1 of its ids). */
  documentLock(sourceId: string, externalIds: string): string {
    const digest = createHash("sha1").update(externalIds).digest("hex");
    return this.source(sourceId, "doclock", digest);
  }

  /** Set: external ids touched by webhooks while a run held the source (checked again after it). */
  dirtyDocuments(sourceId: string): string {
    return this.source(sourceId, "dirty");
  }

  /** String with expiry: a webhook burst for one document is in progress (sha1 of its id). */
  burstMarker(sourceId: string, digest: string): string {
    return this.source(sourceId, "burst", digest);
  }

  /** Hash: counters and facts of one fanned-out run (its batches add to it). */
  /** Marks a verified webhook delivery as received, so the same signed request is not taken twice. */
  webhookDelivery(sourceId: string, digest: string): string {
    return this.source(sourceId, "webhook-delivery", digest);
  }

  run(sourceId: string, runId: string): string {
    return this.source(sourceId, "run", assertRunId(runId));
  }

  /** List: the latest run summaries of a source, newest first (JSON). */
  runHistory(sourceId: string): string {
    return this.source(sourceId, "history");
  }

  /** List: the page changes (audit trail) of one run, in order (JSON lines). */
  runChanges(sourceId: string, runId: string): string {
    return this.source(sourceId, "changes", assertRunId(runId));
  }

  /** Hash: the fleet's view of Intercom's rate limit: limit, current window's end, calls granted in it. */
  rateLimitWindow(): string {
    return `${this.prefix}:{ratelimit}:window`;
  }

  /** String with expiry: unix ms before which nobody may call Intercom (set on a 429). */
  rateLimitBlock(): string {
    return `${this.prefix}:{ratelimit}:block`;
  }

  /** Hash: the source's push subscription (JSON), its health and its last notification time. */
  pushSubscription(sourceId: string): string {
    return this.source(sourceId, "push");
  }

  /** Hash with expiry: the source's request budget (token bucket) shared by the fleet's connectors. */
  requestBudget(sourceId: string): string {
    return this.source(sourceId, "budget");
  }

  /** Hash: fleet-wide counters for metrics (field names encode metric and labels). */
  stats(): string {
    return `${this.prefix}:{fleet}:stats`;
  }

  /**
   * String: the keyspace's epoch. Written once when the fleet first meets this Redis; its absence
   * later means the keyspace was wiped (a restart without persistence, a flush): state, locks,
   * checkpoints and job schedulers are gone and must be rebuilt.
   */
  epoch(): string {
    return `${this.prefix}:{fleet}:epoch`;
  }

  /** Set: ids of sources whose state lives here (finds sources that left the config). */
  knownSources(): string {
    return `${this.prefix}:{fleet}:sources`;
  }

  /** Set: sources that must finish a recovery run (rebuild from Intercom, full listing) before being ready. */
  recovering(): string {
    return `${this.prefix}:{fleet}:recovering`;
  }

  /** Pattern matching every key under this prefix (for cleanup in tests and `reset` tooling). */
  pattern(): string {
    return `${this.prefix}:*`;
  }
}
