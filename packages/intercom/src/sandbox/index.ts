export { runSandboxCli, parseSandboxCliArgs, SANDBOX_CLI_USAGE, type SandboxCliIo } from "./cli.js";
export {
  SandboxOptionsError,
  isSandboxOptionsError,
  SandboxDataFileError,
  isSandboxDataFileError,
} from "./errors.js";
export { DEFAULT_SANDBOX_TOKEN } from "./sandbox-options.js";
export { seededRandom } from "./faults.js";
export { RATE_LIMIT_WINDOW_MS } from "./rate-limiter.js";
export { startSandbox } from "./server.js";
export type { SandboxSnapshot } from "./store.js";
export type {
  ContentImportSource,
  ExternalPage,
  FaultOptions,
  LatencySetting,
  RateLimitOptions,
  RunningSandbox,
  SandboxClock,
  SandboxOptions,
  SandboxStats,
  SandboxStoreReader,
} from "./types.js";
