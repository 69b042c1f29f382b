import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { RateLimiter } from "@content-sync/intercom";
import { IntercomClient, REGION_BASE_URLS } from "@content-sync/intercom";
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

/** The config targets Intercom but its token env var is unset: refused, never silently redirected. */
export class MissingTokenError extends Error {
  override readonly name = "MissingTokenError";
  constructor(readonly tokenEnv: string) {
    super(
      `the env var ${tokenEnv} holding the Intercom access token is not set (export it, or set intercom.target: sandbox to sync into a local sandbox instead)`,
    );
  }
}

/**
 * Opens the config's Intercom target: the real API (region or base URL) with the token from
 * `intercom.tokenEnv`, or, only when the config says `intercom.target: sandbox` (the demo does), an
 * in-process sandbox persisted to `intercom.sandboxDataFile`, so a fresh machine can run the whole job
 * with no account. A missing token is an error, never a reason to write somewhere else.
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

  if (config.intercom.target === "intercom") {
    if (token === undefined || token === "") throw new MissingTokenError(config.intercom.tokenEnv);
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
  // The sandbox server is imported only by runs that target it, never by those that reach Intercom.
  const { startSandbox } = await import("@content-sync/intercom/sandbox");
  const sandbox = await startSandbox({
    port: 0,
    dataFile,
    tokens: [sandboxToken],
    logger: logger.child({ module: "sandbox" }),
  });
  logger.info(
    { url: sandbox.url, dataFile },
    "intercom.target is sandbox: syncing into the embedded sandbox",
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

/**
 * The inline state of a config and target: an LMDB file `<dataDir>/state-<target>.lmdb`, and the JSON
 * file earlier versions kept (`state-<target>.json`), imported on first use.
 */
export function stateFilesFor(
  config: ContentSyncConfig,
  target: Pick<IntercomTarget, "stateKey">,
): { database: string; legacyJsonFile: string } {
  return {
    database: path.join(config.dataDir, `state-${target.stateKey}.lmdb`),
    legacyJsonFile: path.join(config.dataDir, `state-${target.stateKey}.json`),
  };
}
