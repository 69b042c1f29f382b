export { purgeKeyspace } from "./purge-keyspace.js";
export {
  createRedisConnection,
  DEFAULT_REDIS_URL,
  dataNodes,
  type RedisClient,
  type RedisConnectionOptions,
  redactRedisUrl,
  resolveRedisUrl,
} from "./redis-factory.js";
export { checkRedisPrefix, DEFAULT_REDIS_PREFIX, RedisKeyspace } from "./redis-keyspace.js";
export { RedisRateLimiter, type RedisRateLimiterOptions } from "./redis-rate-limiter.js";
export { RedisRequestBudget, type RedisRequestBudgetOptions } from "./redis-request-budget.js";
export {
  CorruptStateError,
  isCorruptStateError,
  RedisStateStore,
  type RedisStateStoreOptions,
} from "./redis-state-store.js";
