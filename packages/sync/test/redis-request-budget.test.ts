import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeKeyspace } from "../src/redis/purge-keyspace.js";
import { createRedisConnection, type RedisClient, resolveRedisUrl } from "../src/redis/redis-factory.js";
import { RedisKeyspace } from "../src/redis/redis-keyspace.js";
import { RedisRequestBudget } from "../src/redis/redis-request-budget.js";

const WORKER = fileURLToPath(new URL("./support/budget-worker.ts", import.meta.url));
const RATE = 10;
const BURST = 5;
/** Requests a window may gain because grants (Redis's clock) and arrivals (the server's) differ a little. */
const JITTER = 2;

/** A product API that notes when (by its own clock) each request arrived and from which worker. */
let server: Server;
let url: string;
let arrivals: { at: number; worker: string }[] = [];
let redis: RedisClient;
const keyspaces: RedisKeyspace[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    arrivals.push({ at: Date.now(), worker: String(req.headers["x-worker"]) });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  redis = createRedisConnection({ url: resolveRedisUrl(undefined) });
});
afterAll(async () => {
  for (const keyspace of keyspaces) await purgeKeyspace(redis, keyspace);
  await redis.quit();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function runWorker(worker: string, prefix: string, requests: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", WORKER], {
      env: {
        ...process.env,
        BUDGET_PREFIX: prefix,
        BUDGET_TARGET: url,
        BUDGET_WORKER: worker,
        BUDGET_REQUESTS: String(requests),
        BUDGET_RATE: String(RATE),
        BUDGET_BURST: String(BURST),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`worker ${worker} exited ${code}: ${stderr}`)),
    );
  });
}

/** Most requests the server received in any one-second window (sliding, by arrival). */
function busiestSecond(): number {
  const times = arrivals.map((arrival) => arrival.at).sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; start < times.length; start++) {
    while (end < times.length && (times[end] ?? 0) < (times[start] ?? 0) + 1000) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

describe("RedisRequestBudget shared by worker processes", () => {
  it("holds two worker processes together to the source's rate, counted per window at the server", async () => {
    const prefix = `cs-test-${randomUUID()}`;
    keyspaces.push(new RedisKeyspace(prefix));
    arrivals = [];
    await Promise.all([runWorker("a", prefix, 20), runWorker("b", prefix, 20)]);
    expect(arrivals).toHaveLength(40);
    expect(new Set(arrivals.map((arrival) => arrival.worker))).toEqual(new Set(["a", "b"]));
    // A token bucket of 10/s with a burst of 5 grants at most 5 + 10 requests in any second of
    // Redis's clock; arrivals at the server add a little jitter to the grant times (JITTER).
    expect(busiestSecond()).toBeLessThanOrEqual(BURST + RATE + JITTER);
  });

  it("pauses every user of the budget after a 429", async () => {
    const keyspace = new RedisKeyspace(`cs-test-${randomUUID()}`);
    keyspaces.push(keyspace);
    const waits: number[] = [];
    const options = { redis, keyspace, sourceId: "graph", rate: { perMinute: 600 } };
    const one = new RedisRequestBudget({ ...options, sleep: async () => {} });
    const other = new RedisRequestBudget({
      ...options,
      maxPollMs: 60_000,
      sleep: async (ms) => {
        waits.push(ms);
        await redis.hset(keyspace.requestBudget("graph"), "pausedUntil", 0);
      },
    });
    await one.pause(30_000);
    await other.acquire();
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(29_000);
    expect(waits[0]).toBeLessThanOrEqual(30_000);
  });
});
