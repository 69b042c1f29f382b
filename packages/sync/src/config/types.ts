import type { RequestRate, transformOptionsSchema } from "@content-sync/connectors/core";
import type { z } from "zod";

export type TransformOptions = z.output<typeof transformOptionsSchema>;

/** A matcher of a rule: every given field must match; a list matches any of its values. */
export interface RuleMatcher {
  path?: string | string[];
  labels?: string | string[];
  space?: string | string[];
  status?: string | string[];
  type?: string | string[];
  metadata?: Record<string, string | string[]>;
}

export interface RulesConfig {
  include?: RuleMatcher[];
  exclude?: RuleMatcher[];
  availability?: { match: RuleMatcher; aiAgent?: boolean; aiCopilot?: boolean }[];
  /** Documents that may be sent although they hold a credential in a well-known format. */
  allowSecrets?: RuleMatcher[];
}

export interface Availability {
  aiAgent: boolean;
  aiCopilot: boolean;
}

export interface ScheduleSpec {
  every?: string;
  cron?: string;
  timezone?: string;
}

export interface ScheduleConfig extends ScheduleSpec {
  full?: ScheduleSpec;
}

/** `maxDeletes` as written: a count of pages or a share of the source such as `"10%"`. */
export type MaxDeletes = number | string;

/** One source with the config's defaults merged in: what the engine and the services run. */
export interface SourceConfig {
  id: string;
  /** Display name; the id when the config gives none. */
  name: string;
  type: string;
  enabled: boolean;
  schedule?: ScheduleConfig;
  contentImportSource: { url: string; id?: number };
  availability: Availability;
  rules: RulesConfig;
  transform: TransformOptions;
  deletion: {
    maxDeletes: MaxDeletes;
    /** Rolling window (ms) over which deletions outside full runs share one budget of maxDeletes. */
    windowMs: number;
  };
  webhook?: { secretEnv: string };
  /** Push subscriptions at the product, renewed by the scheduler. */
  push?: { notificationUrl: string; fallbackEveryMs: number };
  concurrency: number;
  /** Override of the connector's default request rate (see connectorInitFor). */
  requestBudget?: RequestRate;
  /** Per-source network settings; `caFile` is absolute. */
  network?: { caFile?: string };
  /** Options validated by the connector's own schema; pass them to its `create`. */
  options: unknown;
}

export interface IntercomTargetConfig {
  /** `sandbox`: the in-process Intercom sandbox (no token); `intercom`: the token's workspace. */
  target: "intercom" | "sandbox";
  tokenEnv: string;
  region: "us" | "eu" | "au";
  baseUrl?: string;
  /** Absolute path of the embedded sandbox's data file. */
  sandboxDataFile: string;
}

export interface ContentSyncConfig {
  /** The file it was loaded from (as given). */
  file: string;
  /** Absolute folder for local state and the embedded sandbox. */
  dataDir: string;
  intercom: IntercomTargetConfig;
  redis: { url: string; keyPrefix: string; cluster: boolean };
  /** The conversion threads' limits (apply with `configureConversionPool` before the first run). */
  conversion: { maxHeapMb: number; threads?: number; timeoutSeconds: number };
  sources: SourceConfig[];
}

/** Built-in defaults where neither the source nor `defaults` says anything. */
export const BUILT_IN_DEFAULTS = {
  /** A fixed count rather than a share, so small sources can lose a few pages without --force-deletes. */
  maxDeletes: 50 as MaxDeletes,
  concurrency: 8,
  /** Rolling window of the deletion budget outside full runs. */
  deletionWindow: "24h",
} as const;
