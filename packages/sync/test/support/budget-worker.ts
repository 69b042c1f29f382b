// One "worker process" of the shared-budget test: draws from the source's Redis budget and sends
// BUDGET_REQUESTS requests to BUDGET_TARGET, BUDGET_PARALLEL at a time, then exits.
import { connectorHttp } from "@content-sync/connectors";
import { pino } from "pino";
import { createRedisConnection, resolveRedisUrl } from "../../src/redis/redis-factory.js";
import { RedisKeyspace } from "../../src/redis/redis-keyspace.js";
import { RedisRequestBudget } from "../../src/redis/redis-request-budget.js";

const env = process.env;
const redis = createRedisConnection({ url: resolveRedisUrl(undefined) });
const budget = new RedisRequestBudget({
  redis,
  keyspace: new RedisKeyspace(env.BUDGET_PREFIX ?? "cs-budget"),
  sourceId: "notion-docs",
  rate: { perSecond: Number(env.BUDGET_RATE), burst: Number(env.BUDGET_BURST) },
});
const http = connectorHttp(
  { sourceId: "notion-docs", logger: pino({ level: "silent" }), env: {}, budget },
  { baseUrl: env.BUDGET_TARGET ?? "", headers: { "x-worker": env.BUDGET_WORKER ?? "?" } },
);
let next = 0;
const total = Number(env.BUDGET_REQUESTS);
await Promise.all(
  Array.from({ length: Number(env.BUDGET_PARALLEL ?? 4) }, async () => {
    while (next < total) {
      next++;
      await http.json("/v1/pages");
    }
  }),
);
await redis.quit();
