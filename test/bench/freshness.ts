// Webhook → page updated: the real `serve` (scheduler, webhook receiver and worker in one process, on
// real Redis) against the sandbox (its own process, rate limit off). Each event edits one Markdown
// file, sends its signed webhook, and polls the page in the sandbox every 2 ms until the edit shows;
// events are 150 ms apart, so each is a lone event (no coalescing). The sandbox's call counters give
// the Intercom calls each event cost (the bench's own polling excluded).
// Run alone: node --conditions=source --import tsx scripts/bench.ts freshness
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRedisConnection, purgeKeyspace, RedisKeyspace, resolveRedisUrl } from "@content-sync/sync";
import type { BenchRow } from "./support/bench-row.js";
import { median, round, startSandboxProcess, startServerScript } from "./support/measured-process.js";
import { sandboxStats, totalCalls } from "./support/sandbox-stats.js";
import { signBenchWebhook } from "./support/webhook-files-connector.js";

const BENCHMARK = "freshness";
const TOKEN = "bench-token";
const SECRET = "bench-webhook-secret";
const EVENTS = Number(process.env.BENCH_FRESHNESS_EVENTS ?? 100);
const DOCUMENTS = 10;
const SERVE = fileURLToPath(new URL("./support/serve-process.ts", import.meta.url));
const POLL_ROUTE = "GET /ai/external_pages/{id}";
/** An edit not in the sandbox this long after its webhook is counted as missed (and reported). */
const MISS_AFTER_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const article = (index: number, edit: number) =>
  `# Article ${index}\n\nEdit ${edit} of article ${index}: what changed and who to ask.\n`;

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "content-sync-freshness-"));
  const prefix = `cs-bench-${randomUUID()}`;
  const redisUrl = resolveRedisUrl(undefined);
  const redis = createRedisConnection({ url: redisUrl });
  const sandbox = await startSandboxProcess(TOKEN);
  let serve: Awaited<ReturnType<typeof startServerScript>> | undefined;
  try {
    const root = path.join(dir, "docs");
    await mkdir(root, { recursive: true });
    const ids = Array.from({ length: DOCUMENTS }, (_, index) => `article-${index}.md`);
    await Promise.all(ids.map((id, index) => writeFile(path.join(root, id), article(index, 0))));
    const config = path.join(dir, "content-sync.yaml");
    await writeFile(
      config,
      `version: 1
intercom: { tokenEnv: BENCH_INTERCOM_TOKEN, baseUrl: "${sandbox.url}" }
redis: { keyPrefix: ${prefix} }
sources:
  - id: bench
    type: bench-webhook-files
    contentImportSource: { url: "https://help.example.com/" }
    availability: { aiAgent: true, aiCopilot: true }
    webhook: { secretEnv: BENCH_WEBHOOK_SECRET }
    options: { root: ${JSON.stringify(root)}, urlTemplate: "https://help.example.com/{slug}" }
`,
    );
    serve = await startServerScript(SERVE, [config], {
      env: { BENCH_INTERCOM_TOKEN: TOKEN, BENCH_WEBHOOK_SECRET: SECRET, REDIS_URL: redisUrl },
    });
    const send = async (changed: string[]) => {
      const body = JSON.stringify({ changed });
      const response = await fetch(`${serve?.url}/webhooks/bench`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-signature": signBenchWebhook(SECRET, body) },
        body,
      });
      if (response.status !== 202)
        throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
    };
    const headers = { Authorization: `Bearer ${TOKEN}` };
    const pageIds = new Map<string, string>();
    // Creates every page once, through the same webhook path.
    await send(ids);
    for (const deadline = Date.now() + 60_000; pageIds.size < DOCUMENTS; await sleep(50)) {
      if (Date.now() > deadline) throw new Error(`only ${pageIds.size} of ${DOCUMENTS} pages were created`);
      const list = (await (
        await fetch(`${sandbox.url}/ai/external_pages?per_page=150`, { headers })
      ).json()) as {
        data: { id: string; external_id: string }[];
      };
      for (const page of list.data) pageIds.set(page.external_id, page.id);
    }
    await sleep(500);

    const latencies: number[] = [];
    const callsPerEvent: number[] = [];
    let missed = 0;
    for (let edit = 1; edit <= EVENTS; edit++) {
      const index = edit % DOCUMENTS;
      const id = ids[index] as string;
      const marker = `Edit ${edit} of article ${index}:`;
      const before = await sandboxStats(sandbox.url);
      await writeFile(path.join(root, id), article(index, edit));
      const started = performance.now();
      await send([id]);
      let seen = false;
      while (!seen && performance.now() - started < MISS_AFTER_MS) {
        const response = await fetch(`${sandbox.url}/ai/external_pages/${pageIds.get(id)}`, { headers });
        seen = ((await response.json()) as { html?: string }).html?.includes(marker) === true;
        if (!seen) await sleep(2);
      }
      if (seen) latencies.push(performance.now() - started);
      else missed++;
      await sleep(150);
      const after = await sandboxStats(sandbox.url);
      const polls = (after.calls[POLL_ROUTE] ?? 0) - (before.calls[POLL_ROUTE] ?? 0);
      callsPerEvent.push(totalCalls(after) - totalCalls(before) - polls);
    }
    latencies.sort((a, b) => a - b);
    if (latencies.length === 0) latencies.push(Number.NaN);
    const at = (share: number) =>
      latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * share) - 1)] ?? 0;
    const row = (metric: string, value: number, unit: string, target?: string): BenchRow => ({
      benchmark: BENCHMARK,
      metric,
      value,
      unit,
      ...(target === undefined ? {} : { target }),
    });
    return [
      row(
        `webhook → page updated, p50 of ${EVENTS} lone events (serve + sandbox, 2 ms polling)`,
        round(at(0.5), 1),
        "ms",
        "< 100",
      ),
      row(`webhook → page updated, p99 of ${EVENTS} lone events`, round(at(0.99), 1), "ms", "< 500"),
      row(
        `events whose edit was not in the sandbox ${MISS_AFTER_MS / 1000} s after the webhook`,
        missed,
        "events",
        "0",
      ),
      row("Intercom calls per event, median (sandbox counters)", median(callsPerEvent), "calls", "1"),
      row("Intercom calls per event, most", Math.max(...callsPerEvent), "calls", "1"),
    ];
  } finally {
    await serve?.stop();
    await purgeKeyspace(redis, new RedisKeyspace(prefix));
    await redis.quit();
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
