import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { RateLimiter } from "@content-sync/intercom";
import { IntercomClient, REGION_BASE_URLS } from "@content-sync/intercom";
import { startSandbox } from "@content-sync/intercom/sandbox";
import type { Logger } from "pino";
import { pino } from "pino";
import type { ContentSyncConfig } from "../config/types.js";
import { ApiCallCounter } from "../engine/api-call-counter.js";

/** Where a run writes: a real workspace, or the sandbox embedded in this process. */
export interface IntercomTarget {
  kind: "intercom" | "sandbox";
  client: IntercomClient;
  /** Wired to the client's `onResponse`: pass it to runSync for the summary's call counts. */
  apiCalls: ApiCallCounter;
  /** API origin the client talks to. */
  baseUrl: string;
  /**
   * Distinguishes the state of different targets, so switching from the sandbox to a real workspace
   * never reuses page ids of the other one: `sandbox` or the API host.
   */
  stateKey: string;
  /** Set for the embedded sandbox: its pages outlive the process in `dataFile`. */
  sandbox?: { url: string; dataFile: string };
  close(): Promise<void>;
}

export interface OpenIntercomTargetOptions {
  /** Environment the token is read from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** Shared limiter (the services pass a Redis-backed one). Default: the client's in-process one. */
  rateLimiter?: RateLimiter;
}

/**
 * Opens the config's Intercom target. With the token env var set, the real API (region or base URL);
 * without it, an in-process sandbox persisted to `intercom.sandboxDataFile`, so a fresh machine can
 * run the whole job with no account.
 */
export async function openIntercomTarget(
  config: ContentSyncConfig,
  options: OpenIntercomTargetOptions = {},
): Promise<IntercomTarget> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? pino({ level: "silent" });
  const apiCalls = new ApiCallCounter();
  const token = env[config.intercom.tokenEnv];
  const clientOptions = {
    logger: logger.child({ module: "intercom" }),
    onResponse: apiCalls.onResponse,
    ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
  };

  if (token !== undefined && token !== "") {
    const baseUrl = config.intercom.baseUrl ?? REGION_BASE_URLS[config.intercom.region];
    // Proxies and extra CAs from the environment (HTTPS_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS).
    const client = new IntercomClient({ token, baseUrl, network: { env }, ...clientOptions });
    return {
      kind: "intercom",
      client,
      apiCalls,
      baseUrl,
      stateKey: new URL(baseUrl).host.replace(/[^a-zA-Z0-9.-]/g, "_"),
      close: async () => {},
    };
  }

  const dataFile = config.intercom.sandboxDataFile;
  await mkdir(path.dirname(dataFile), { recursive: true });
  // A fresh token per process: the embedded sandbox only listens on 127.0.0.1 and lives as long as we do.
  const sandboxToken = `sandbox-${randomBytes(12).toString("hex")}`;
  const sandbox = await startSandbox({
    port: 0,
    dataFile,
    tokens: [sandboxToken],
    logger: logger.child({ module: "sandbox" }),
  });
  logger.info(
    { url: sandbox.url, dataFile, tokenEnv: config.intercom.tokenEnv },
    "no Intercom token: syncing into the embedded sandbox",
  );
  // The embedded sandbox is on loopback: never through a proxy.
  const client = new IntercomClient({
    token: sandboxToken,
    baseUrl: sandbox.url,
    network: { env: {} },
    ...clientOptions,
  });
  return {
    kind: "sandbox",
    client,
    apiCalls,
    baseUrl: sandbox.url,
    stateKey: "sandbox",
    sandbox: { url: sandbox.url, dataFile },
    close: () => sandbox.close(),
  };
}

/** The inline state file of a config and target: `<dataDir>/state-<target>.json`. */
export function stateFileFor(config: ContentSyncConfig, target: Pick<IntercomTarget, "stateKey">): string {
  return path.join(config.dataDir, `state-${target.stateKey}.json`);
}
