// Everything the package offers: the inline engine (`./inline.ts`) plus the services' queue and Redis
// parts (BullMQ jobs, the Redis state store, leases, budgets, the keyspace).
export * from "./inline.js";
export * from "./queue/index.js";
export * from "./redis/index.js";
