import { SandboxOptionsError } from "./errors.js";
import type { FaultOptions, LatencySetting } from "./types.js";

/** Fault options with every default filled in. */
export interface ResolvedFaults {
  seed: number;
  errorRate: number;
  errorStatuses: number[];
  dropRate: number;
  latencyMs: LatencySetting;
  failExternalIds: string[];
  failExternalIdStatus: number;
}

export type FaultDecision = { kind: "none" } | { kind: "drop" } | { kind: "error"; status: number };

const DEFAULT_ERROR_STATUSES = [500, 502, 503];

/** Small, fast, seedable PRNG (mulberry32): the same seed always yields the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function share(value: number | undefined, option: string): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new SandboxOptionsError(option, `must be a number from 0 to 1, got ${String(value)}`);
  }
  return value;
}

function status(value: unknown, option: string): number {
  if (!Number.isInteger(value) || (value as number) < 400 || (value as number) > 599) {
    throw new SandboxOptionsError(option, `must be an HTTP error status (400-599), got ${String(value)}`);
  }
  return value as number;
}

function milliseconds(value: unknown, option: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new SandboxOptionsError(option, `must be a number of milliseconds >= 0, got ${String(value)}`);
  }
  return value;
}

/** Checks fault options and fills in defaults; throws `SandboxOptionsError` naming the bad option. */
export function resolveFaults(options: FaultOptions = {}): ResolvedFaults {
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed))
    throw new SandboxOptionsError("faults.seed", `must be an integer, got ${seed}`);
  const statuses = options.errorStatuses ?? DEFAULT_ERROR_STATUSES;
  if (!Array.isArray(statuses) || statuses.length === 0) {
    throw new SandboxOptionsError("faults.errorStatuses", "must be a non-empty list of statuses");
  }
  const latency = options.latencyMs ?? 0;
  let latencyMs: LatencySetting;
  if (typeof latency === "object" && latency !== null) {
    const min = milliseconds(latency.min, "faults.latencyMs.min");
    const max = milliseconds(latency.max, "faults.latencyMs.max");
    if (max < min) throw new SandboxOptionsError("faults.latencyMs", `max (${max}) is below min (${min})`);
    latencyMs = { min, max };
  } else {
    latencyMs = milliseconds(latency, "faults.latencyMs");
  }
  const failExternalIds = options.failExternalIds ?? [];
  if (!Array.isArray(failExternalIds) || failExternalIds.some((id) => typeof id !== "string")) {
    throw new SandboxOptionsError("faults.failExternalIds", "must be a list of strings");
  }
  return {
    seed,
    errorRate: share(options.errorRate, "faults.errorRate"),
    errorStatuses: statuses.map((value, index) => status(value, `faults.errorStatuses[${index}]`)),
    dropRate: share(options.dropRate, "faults.dropRate"),
    latencyMs,
    failExternalIds: [...failExternalIds],
    failExternalIdStatus: status(options.failExternalIdStatus ?? 500, "faults.failExternalIdStatus"),
  };
}

/**
 * Decides, call by call, which faults to inject. Draws happen in a fixed order (latency, drop,
 * error, status) and only for the faults that are on, so a seed replays exactly.
 */
export class FaultInjector {
  readonly config: ResolvedFaults;
  private readonly random: () => number;
  private readonly failing: ReadonlySet<string>;

  constructor(options: FaultOptions = {}) {
    this.config = resolveFaults(options);
    this.random = seededRandom(this.config.seed);
    this.failing = new Set(this.config.failExternalIds);
  }

  /** True when no fault can happen (the server then skips the fault path entirely). */
  get inactive(): boolean {
    const { errorRate, dropRate, latencyMs } = this.config;
    return errorRate === 0 && dropRate === 0 && latencyMs === 0;
  }

  /** Delay before answering this call, in ms. */
  latency(): number {
    const { latencyMs } = this.config;
    if (typeof latencyMs === "number") return latencyMs;
    return latencyMs.min + Math.floor(this.random() * (latencyMs.max - latencyMs.min + 1));
  }

  decide(): FaultDecision {
    const { dropRate, errorRate, errorStatuses } = this.config;
    if (dropRate > 0 && this.random() < dropRate) return { kind: "drop" };
    if (errorRate > 0 && this.random() < errorRate) {
      const index = Math.floor(this.random() * errorStatuses.length);
      return { kind: "error", status: errorStatuses[index] as number };
    }
    return { kind: "none" };
  }

  /** The status to fail a write of this external id with, or undefined. */
  failureFor(externalId: string | undefined): number | undefined {
    if (externalId === undefined || !this.failing.has(externalId)) return undefined;
    return this.config.failExternalIdStatus;
  }
}
