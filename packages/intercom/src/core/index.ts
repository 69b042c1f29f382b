export * from "./errors.js";
export * from "./http-client.js";
export * from "./pagination.js";
export * from "./network.js";
export * from "./rate-limiter.js";
export { classifyIntercomFailure, isRetryable } from "./intercom-retry.js";
// The generic policy is also on the subpath `@content-sync/intercom/retry`; `sleep` stays here for
// callers that only need an abortable wait.
export { sleep } from "./retry-policy.js";
export * from "./types.js";
export type { QueryParams } from "./url.js";
export type { HeaderReader } from "./header-reader.js";
