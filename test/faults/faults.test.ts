import { createHmac, randomUUID } from "node:crypto";
import type { Connector, SourceEvent } from "@content-sync/connectors";
import { ConnectorError, ghostConnector } from "@content-sync/connectors";
import type { IncomingWebhook, SourceConfig } from "@content-sync/sync";
import { createRedisConnection, createSyncQueue, RedisKeyspace, receiveWebhook } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  article,
  bufferLogger,
  collected,
  comparePages,
  counts,
  FaultHarness,
  prng,
  SEED,
  secretsFound,
  stateDumps,
  writeFileResults,
} from "./support.js";

const INTERCOM_TOKEN = `fault-intercom-${SEED.toString(36)}-Zq9xR2`;
/** Summaries and state files of every scenario, for the secrets scan (scenario D). */
const artifacts: string[] = [];
/** The `deletion.maxDeletes` the fault harness gives its sources. */
const MAX_DELETES = 10;
const SOURCE_TOKEN = `fault-source-${SEED.toString(36)}-Kp4wV7`;
const WEBHOOK_SECRET = `fault-webhook-${SEED.toString(36)}-Hs8mN3`;
const CONTENT_KEY = `fault-content-key-${SEED.toString(36)}`;

console.log(`fault suite seed ${SEED} (set FAULTS_SEED to replay)`);

/** Each document carries a revision marker its page must show. */
const body = (id: string, revision: number) => `Document ${id}, revision rev-${revision}-${id}.`;
const marker = (id: string, revision: number) => `rev-${revision}-${id}`;

async function seedDocuments(h: FaultHarness, n: number, random: () => number): Promise<Map<string, number>> {
  const revisions = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    // A few folders, chosen by the seed, so paths differ between seeds.
    const id = `${["guides", "faq", "api", "billing"][Math.floor(random() * 4)]}/doc-${i}.md`;
    revisions.set(id, 1);
    await h.write(id, article(`Document ${i}`, body(id, 1)));
  }
  return revisions;
}

const expectedOf = (revisions: ReadonlyMap<string, number>) =>
  new Map([...revisions].map(([id, revision]) => [id, marker(id, revision)]));

describe("scenario A: Intercom faults (5xx, dropped connections, latency up to 2 s, 429 storms)", () => {
  let h: FaultHarness;
  const random = prng(SEED);
  let revisions: Map<string, number>;

  beforeAll(async () => {
    h = await FaultHarness.start("faults-intercom", INTERCOM_TOKEN, {
      faults: { seed: SEED, errorRate: 0.15, dropRate: 0.05, latencyMs: { min: 0, max: 20 } },
    });
    revisions = await seedDocuments(h, 200, random);
  });
  afterAll(async () => {
    await h?.close();
  });

  const converge = async (phase: string) => {
    const { summaries, thrown } = await h.runUntilSucceeded(8);
    artifacts.push(JSON.stringify(summaries), ...thrown);
    const last = summaries.at(-1);
    expect(last?.status, `${phase}: ${last?.headline} ${thrown.join("; ")}`).toBe("succeeded");
    expect(h.importSources()).toBe(1);
    return summaries;
  };

  /** Injected by the sandbox: server errors, dropped connections and 429 refusals. */
  const faultsSoFar = () => {
    const stats = h.sandbox.stats();
    return stats.faults.errors + stats.faults.drops + stats.faults.failedExternalIds + stats.rateLimited;
  };

  it("a full sync of 200 documents through 5xx answers and dropped connections converges", async () => {
    counts.scenariosRun++;
    await converge("5xx + drops");
    const result = comparePages(expectedOf(revisions), await h.pages());
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [] });
    expect(result.compared).toBe(200);
  });

  it("edits, additions and deletions under latency up to 2 s converge", async () => {
    counts.scenariosRun++;
    const synced = new Set(revisions.keys());
    h.sandbox.setFaults({ seed: SEED + 1, latencyMs: { min: 0, max: 2000 } });
    const ids = [...revisions.keys()];
    for (let i = 0; i < 6; i++) {
      const id = ids[Math.floor(random() * ids.length)] as string;
      revisions.set(id, (revisions.get(id) ?? 1) + 1);
      await h.write(id, article(`Edited ${id}`, body(id, revisions.get(id) ?? 0)));
    }
    for (const id of ids.slice(0, 3)) {
      revisions.delete(id);
      await h.remove(id);
    }
    for (let i = 0; i < 3; i++) {
      const id = `new/doc-${i}.md`;
      revisions.set(id, 1);
      await h.write(id, article(`New ${i}`, body(id, 1)));
    }
    await converge("latency");
    const result = comparePages(expectedOf(revisions), await h.pages(), synced);
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [] });
  });

  it("a 429 storm (a low per-minute limit with Retry-After) converges", async () => {
    counts.scenariosRun++;
    h.sandbox.setFaults({ seed: SEED + 2 });
    h.sandbox.setRateLimit({ perMinute: 240 });
    const ids = [...revisions.keys()];
    for (const id of ids.slice(0, 60)) {
      revisions.set(id, (revisions.get(id) ?? 1) + 1);
      await h.write(id, article(`Stormed ${id}`, body(id, revisions.get(id) ?? 0)));
    }
    await converge("429 storm");
    h.sandbox.setRateLimit(false);
    counts.faultsInjected += faultsSoFar();
    const result = comparePages(expectedOf(revisions), await h.pages(), new Set(revisions.keys()));
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [] });
  });
});

/** The filesystem connector with its full listing cut: `after` events, then `fault`. */
function faultyListing(inner: Connector, after: number, fault: "http500" | "empty"): Connector {
  return {
    ...inner,
    async *listAll(ctx): AsyncIterable<SourceEvent> {
      if (fault === "empty") return;
      let n = 0;
      for await (const event of inner.listAll(ctx)) {
        if (n++ === after) {
          throw new ConnectorError("unavailable", "source answered 500 Internal Server Error", {
            status: 500,
          });
        }
        yield event;
      }
    },
  };
}

describe("scenario B: source faults (500 half way through a listing, a listing that returns nothing)", () => {
  let h: FaultHarness;
  let revisions: Map<string, number>;

  beforeAll(async () => {
    h = await FaultHarness.start("faults-source", SOURCE_TOKEN);
    revisions = await seedDocuments(h, 200, prng(SEED + 10));
    const first = await h.run();
    artifacts.push(JSON.stringify(first));
    expect(first.status).toBe("succeeded");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a 500 half way through a full listing deletes nothing; the next clean run converges", async () => {
    counts.scenariosRun++;
    const synced = new Set(revisions.keys());
    const ids = [...revisions.keys()];
    for (const id of ids.slice(150, 160)) {
      revisions.set(id, 2);
      await h.write(id, article(`Edited ${id}`, body(id, 2)));
    }
    const cut = await h.run(faultyListing(h.connector(), 100, "http500"));
    counts.faultsInjected++;
    artifacts.push(JSON.stringify(cut));
    expect(cut).toMatchObject({ listingComplete: false, deleted: 0 });
    expect(cut.status).not.toBe("succeeded");
    expect(cut.listingError).toMatch(/500/);
    const clean = await h.run();
    artifacts.push(JSON.stringify(clean));
    expect(clean.status, clean.headline).toBe("succeeded");
    const result = comparePages(expectedOf(revisions), await h.pages(), synced);
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [] });
  });

  it("a listing that suddenly returns nothing deletes nothing beyond deletion.maxDeletes", async () => {
    counts.scenariosRun++;
    const synced = new Set(revisions.keys());
    const empty = await h.run(faultyListing(h.connector(), 0, "empty"));
    counts.faultsInjected++;
    artifacts.push(JSON.stringify(empty));
    expect(empty.deleted).toBeLessThanOrEqual(MAX_DELETES);
    expect(empty.deletionsBlocked?.candidates).toBe(200);
    expect(empty.status).not.toBe("succeeded");
    const pages = await h.pages();
    // Whatever the limit let through (nothing, here) must come back with the next clean run.
    const clean = await h.run();
    artifacts.push(JSON.stringify(clean));
    expect(clean.status, clean.headline).toBe("succeeded");
    expect(200 - pages.length).toBeLessThanOrEqual(MAX_DELETES);
    const result = comparePages(expectedOf(revisions), await h.pages(), synced);
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [] });
  });
});

describe("scenario C: forged webhooks against the real intake and a real Redis queue", () => {
  const env = { FAULT_GHOST_WEBHOOK_SECRET: WEBHOOK_SECRET, FAULT_GHOST_KEY: CONTENT_KEY };
  const redis = createRedisConnection({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
  const keyspace = new RedisKeyspace(`cs-faults-${randomUUID()}`);
  const queue = createSyncQueue(redis, keyspace);
  const source: SourceConfig = {
    id: "faults-ghost",
    name: "faults-ghost",
    type: "ghost",
    enabled: true,
    contentImportSource: { url: "https://blog.example.com/faults" },
    availability: { aiAgent: false, aiCopilot: true },
    rules: {},
    transform: {},
    deletion: { maxDeletes: 10, windowMs: 86_400_000 },
    concurrency: 1,
    webhook: { secretEnv: "FAULT_GHOST_WEBHOOK_SECRET" },
    options: ghostConnector.optionsSchema.parse({
      apiUrl: "http://127.0.0.1:9/",
      contentApiKeyEnv: "FAULT_GHOST_KEY",
    }),
  };
  const connector = ghostConnector.create(source.options as never, {
    sourceId: source.id,
    logger: bufferLogger(),
    env,
  });
  const intake = {
    queue,
    redis,
    keyspace,
    coalesceWindowMs: 100,
    sources: () => new Map([[source.id, source]]),
    connectorFor: () => connector,
    env,
    logger: bufferLogger(),
  };
  const sign = (secret: string, raw: string, t: number) =>
    `sha256=${createHmac("sha256", secret).update(`${raw}${t}`).digest("hex")}, t=${t}`;
  const post = (raw: string, signature?: string): IncomingWebhook => ({
    headers: {
      "content-type": "application/json",
      ...(signature === undefined ? {} : { "x-ghost-signature": signature }),
    },
    rawBody: Buffer.from(raw),
    query: {},
    method: "POST",
    path: `/webhooks/${source.id}`,
  });
  const jobs = () => queue.getJobCounts("wait", "delayed", "active", "prioritized", "completed", "failed");
  const total = async () => Object.values(await jobs()).reduce((a, b) => a + b, 0);

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    const keys = await redis.keys(`${keyspace.prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("accepts none of unsigned, wrongly signed, replayed and non-JSON bodies; a genuine one is queued", async () => {
    counts.scenariosRun++;
    const random = prng(SEED + 20);
    const body = (id: string) => JSON.stringify({ post: { current: { id }, previous: {} } });
    const now = Date.now();
    const captured = body("captured-post");
    const forgeries: [string, IncomingWebhook][] = [
      ["unsigned", post(body("unsigned-post"))],
      [
        "signed with a wrong secret",
        post(body("wrong-secret"), sign(`${WEBHOOK_SECRET}x`, body("wrong-secret"), now)),
      ],
      ["signature of another body", post(body("other-body"), sign(WEBHOOK_SECRET, body("original"), now))],
      ["malformed signature header", post(body("malformed"), "sha256=zz, t=1")],
      // A request captured an hour ago, sent again: outside the timestamp tolerance.
      ["replayed", post(captured, sign(WEBHOOK_SECRET, captured, now - 3_600_000))],
      [
        "timestamp in the future",
        post(body("future"), sign(WEBHOOK_SECRET, body("future"), now + 3_600_000)),
      ],
    ];
    for (let i = 0; i < 20; i++) {
      const bytes = Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256)));
      forgeries.push([
        `random signature ${i}`,
        post(body(`random-${i}`), `sha256=${bytes.toString("hex").slice(0, 64)}, t=${now}`),
      ]);
    }
    const accepted: string[] = [];
    for (const [name, request] of forgeries) {
      const answer = await receiveWebhook(intake, source.id, request);
      counts.forgedWebhooksSent++;
      counts.faultsInjected++;
      if (answer.status < 400 || answer.enqueued > 0) accepted.push(name);
    }
    // Signed correctly but not JSON: verified, then refused by the parser, nothing queued.
    const notJson = "this is not json {";
    const refused = await receiveWebhook(
      intake,
      source.id,
      post(notJson, sign(WEBHOOK_SECRET, notJson, now)),
    );
    counts.forgedWebhooksSent++;
    counts.faultsInjected++;
    if (refused.status < 400 || refused.enqueued > 0) accepted.push("not JSON");
    expect(refused.status).toBe(400);
    counts.forgedWebhooksAccepted += accepted.length;
    expect(accepted).toEqual([]);
    expect(await total()).toBe(0);

    const genuine = body("genuine-post");
    const ok = await receiveWebhook(
      intake,
      source.id,
      post(genuine, sign(WEBHOOK_SECRET, genuine, Date.now())),
    );
    expect(ok).toMatchObject({ status: 202, enqueued: 1 });
    expect(await total()).toBe(1);
  });
});

describe("scenario D: secrets in logs, summaries and state files", () => {
  it("none of the tokens or secrets used appears, plain, base64 of a Basic credential or URL-encoded", () => {
    counts.scenariosRun++;
    // The scan must have something to read, or it proves nothing.
    expect(collected.length).toBeGreaterThan(0);
    expect(stateDumps.length).toBeGreaterThan(0);
    const found = secretsFound([INTERCOM_TOKEN, SOURCE_TOKEN, WEBHOOK_SECRET, CONTENT_KEY], artifacts);
    expect(found).toEqual([]);
  });
});

afterAll(async () => {
  await writeFileResults(import.meta.url);
});
