import type { Logger } from "pino";
import { pino } from "pino";
import { SandboxOptionsError } from "./errors.js";
import type { FaultOptions, RateLimitOptions, SandboxClock, SandboxOptions } from "./types.js";

export const DEFAULT_SANDBOX_TOKEN = "sandbox-token";

export interface ResolvedSandboxOptions {
  port: number;
  host: string;
  publicUrl: string | undefined;
  tokens: string[];
  dataFile: string | undefined;
  persistDelayMs: number;
  rateLimit: RateLimitOptions | false;
  sink: boolean;
  faults: FaultOptions;
  perPage: number;
  maxBodyBytes: number;
  clock: SandboxClock;
  logger: Logger;
}

const systemClock: SandboxClock = { now: () => Date.now() };

function integerIn(value: number, option: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SandboxOptionsError(option, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Checks `startSandbox` options and fills in defaults; throws `SandboxOptionsError` naming the option. */
export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const tokens = options.tokens ?? [DEFAULT_SANDBOX_TOKEN];
  if (!Array.isArray(tokens) || tokens.length === 0) {
    throw new SandboxOptionsError("tokens", "must list at least one token");
  }
  tokens.forEach((token, index) => {
    if (typeof token !== "string" || !/^[\x21-\x7e]+$/.test(token)) {
      throw new SandboxOptionsError(
        `tokens[${index}]`,
        "must be a non-empty string of visible ASCII characters",
      );
    }
  });
  const host = options.host ?? "127.0.0.1";
  if (typeof host !== "string" || host === "")
    throw new SandboxOptionsError("host", "must be a non-empty string");
  if (options.dataFile !== undefined && (typeof options.dataFile !== "string" || options.dataFile === "")) {
    throw new SandboxOptionsError("dataFile", "must be a file path");
  }
  if (options.sink === true && options.dataFile !== undefined) {
    throw new SandboxOptionsError("sink", "keeps no pages, so it cannot be combined with dataFile");
  }
  let publicUrl: string | undefined;
  if (options.publicUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(options.publicUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      throw new SandboxOptionsError(
        "publicUrl",
        `must be an absolute http(s) URL, got ${String(options.publicUrl)}`,
      );
    }
    publicUrl = `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
  }
  return {
    port: integerIn(options.port ?? 0, "port", 0, 65_535),
    host,
    publicUrl,
    tokens: [...tokens],
    dataFile: options.dataFile,
    persistDelayMs: integerIn(options.persistDelayMs ?? 200, "persistDelayMs", 0, 60_000),
    rateLimit: options.rateLimit ?? false,
    sink: options.sink ?? false,
    faults: options.faults ?? {},
    perPage: integerIn(options.perPage ?? 50, "perPage", 1, 150),
    maxBodyBytes: integerIn(options.maxBodyBytes ?? 10 * 1024 * 1024, "maxBodyBytes", 1, 1024 * 1024 * 1024),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? pino({ level: "silent" }),
  };
}
