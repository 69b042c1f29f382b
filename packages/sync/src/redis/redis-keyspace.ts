import { createHash } from "node:crypto";

/** The prefix every content-sync key starts with unless the config names another. */
export const DEFAULT_REDIS_PREFIX = "content-sync";

/**
 * Wraps a prefix in a Redis Cluster hash tag (`{prefix}`) unless it already carries one. Keys sharing
 * the tag live in one slot, which BullMQ's multi-key scripts and our own Lua scripts require.
 */
export function hashTaggedPrefix(prefix: string): string {
  if (prefix.length === 0) throw new Error("redis prefix must not be empty");
  if (/\{[^}]+\}/.test(prefix)) return prefix;
  if (prefix.includes("{") || prefix.includes("}")) {
    throw new Error(`redis prefix "${prefix}" has unbalanced braces; use a hash tag like "{name}"`);
  }
  return `{${prefix}}`;
}

/** Ids go into key names; refuse characters that would let one id's keys collide with another's. */
function assertKeyPart(label: string, value: string): string {
  if (value.length === 0 || /[\s{}:]/.test(value)) {
    throw new Error(`${label} "${value}" cannot be used in a redis key (no spaces, braces or colons)`);
  }
  return value;
}

/**
 * Names of every key content-sync writes, in one place so tests can clean up by prefix and so the
 * layout is documented: all keys share one hash tag.
 */
export class RedisKeyspace {
  /** The hash-tagged prefix, also handed to BullMQ as its `prefix`. */
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_REDIS_PREFIX) {
    this.prefix = hashTaggedPrefix(prefix);
  }

  /** Hash: the source's record fields (`contentImportSourceId`, `cursor`, `checkpoint`). */
  sourceRecord(sourceId: string): string {
    return `${this.prefix}:state:${assertKeyPart("source id", sourceId)}:source`;
  }

  /** Hash: externalId → JSON PageRecord. */
  pages(sourceId: string): string {
    return `${this.prefix}:state:${assertKeyPart("source id", sourceId)}:pages`;
  }

  /** Hash: the fleet's view of Intercom's current rate-limit window. */
  rateLimitWindow(): string {
    return `${this.prefix}:ratelimit:window`;
  }

  /** String with expiry: unix ms before which nobody may call Intercom (set on a 429). */
  rateLimitBlock(): string {
    return `${this.prefix}:ratelimit:block`;
  }

  /** Counter used while no headers have been seen yet, per fixed slot of time. */
  rateLimitSlot(slot: number): string {
    return `${this.prefix}:ratelimit:slot:${slot}`;
  }

  /** Hash with expiry: the source's request budget (token bucket) shared by the fleet's connectors. */
  requestBudget(sourceId: string): string {
    return `${this.prefix}:budget:${assertKeyPart("source id", sourceId)}`;
  }

  /** String with expiry: the run that currently owns the source. */
  sourceLock(sourceId: string): string {
    return `${this.prefix}:lock:${assertKeyPart("source id", sourceId)}`;
  }

  /** Set: external ids a fanned-out full run has seen in its listing. */
  runSeen(runId: string): string {
    return `${this.prefix}:run:${assertKeyPart("run id", runId)}:seen`;
  }

  /** Hash: counters and facts of one run (fan-out batches add to it). */
  run(runId: string): string {
    return `${this.prefix}:run:${assertKeyPart("run id", runId)}`;
  }

  /** List: the latest run summaries of a source, newest first (JSON). */
  runHistory(sourceId: string): string {
    return `${this.prefix}:history:${assertKeyPart("source id", sourceId)}`;
  }

  /** Hash: fleet-wide counters for metrics (field names encode metric and labels). */
  stats(): string {
    return `${this.prefix}:stats`;
  }

  /** Set: external ids whose webhook arrived while their targeted job was active (coalescing). */
  dirtyDocuments(sourceId: string): string {
    return `${this.prefix}:dirty:${assertKeyPart("source id", sourceId)}`;
  }

  /** String with expiry: the targeted job currently writing these documents (sha1 of their ids). */
  documentLock(sourceId: string, externalIds: string): string {
    const digest = createHash("sha1").update(externalIds).digest("hex");
    return `${this.prefix}:doclock:${assertKeyPart("source id", sourceId)}:${digest}`;
  }

  /** String with expiry: a webhook burst for one document is in progress (sha1 of its id). */
  burstMarker(sourceId: string, digest: string): string {
    return `${this.prefix}:burst:${assertKeyPart("source id", sourceId)}:${digest}`;
  }

  /** Pattern matching every key under this prefix (for cleanup in tests and `reset` tooling). */
  pattern(): string {
    return `${this.prefix}*`;
  }
}
