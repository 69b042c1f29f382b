export * from "./errors.js";
export * from "./http-client.js";
export * from "./pagination.js";
export * from "./rate-limiter.js";
export {
  backoffDelay,
  decideRetry,
  isRetryable,
  type RetryContext,
  type RetryDecision,
  type RetryPolicyOptions,
  sleep,
} from "./retry-policy.js";
export * from "./types.js";
export type { QueryParams } from "./url.js";
