// Three worker processes (`content-sync worker`, on real Redis) share one source's first full run
// against the sandbox at Intercom's limit scaled down for a short run: 100 calls per 10-second window
// (600/min). The sandbox counts, per window, the calls it let through and the ones it refused (429),
// so the rows say how full every window was and how many 429s the fleet met after the first window.
// Run alone: node --conditions=source --import tsx scripts/bench.ts fleet
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { createRedisConnection, purgeKeyspace, RedisKeyspace, resolveRedisUrl } from "@content-sync/sync";
import type { BenchRow } from "./support/bench-row.js";
import { writeCorpus } from "./support/corpus.js";
import { REPO_ROOT, round, startSandboxProcess, TSX_FLAGS } from "./support/measured-process.js";
import { sandboxStats } from "./support/sandbox-stats.js";

const BENCHMARK = "fleet";
const TOKEN = "bench-token";
const PER_MINUTE = 600;
const PER_WINDOW = PER_MINUTE / 6;
const DOCUMENTS = Number(process.env.BENCH_FLEET_DOCUMENTS ?? 700);
const WORKERS = 3;
const UPSERT = "POST /ai/external_pages";

/** `content-sync` (apps/scheduler) or, with `worker`, `content-sync-worker` (apps/worker), from the sources. */
function spawnCli(args: string[], env: Record<string, string>, entry: "cli" | "worker" = "cli") {
  const script = entry === "worker" ? "apps/worker/src/main.ts" : "apps/scheduler/src/bin.ts";
  const command = entry === "worker" ? ["--port", "0", ...args] : args;
  const child = spawn(process.execPath, [...TSX_FLAGS, script, ...command], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Ms until 8 s into a 10-second window (Intercom's and the sandbox's windows are aligned on the clock). */
function untilLateInWindow(now: number): number {
  const into = now % 10_000;
  return (8_000 - into + 10_000) % 10_000;
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "content-sync-fleet-"));
  const prefix = `cs-bench-${randomUUID()}`;
  const redisUrl = resolveRedisUrl(undefined);
  const sandbox = await startSandboxProcess(TOKEN, ["--rate-limit", String(PER_MINUTE)]);
  const workers: ReturnType<typeof spawnCli>[] = [];
  const redis = createRedisConnection({ url: redisUrl });
  try {
    const root = path.join(dir, "docs");
    await writeCorpus(root, DOCUMENTS);
    const config = path.join(dir, "content-sync.yaml");
    await writeFile(
      config,
      `version: 1
intercom: { tokenEnv: BENCH_INTERCOM_TOKEN, baseUrl: "${sandbox.url}" }
redis: { keyPrefix: ${prefix} }
sources:
  - id: bench
    type: filesystem
    contentImportSource: { url: "https://help.example.com/" }
    availability: { aiAgent: true, aiCopilot: true }
    concurrency: 8
    options: { root: ${JSON.stringify(root)}, urlTemplate: "https://help.example.com/{slug}" }
`,
    );
    const env = { BENCH_INTERCOM_TOKEN: TOKEN, REDIS_URL: redisUrl, CONTENT_SYNC_BATCH_SIZE: "50" };
    for (let index = 0; index < WORKERS; index++) {
      workers.push(
        spawnCli(["--config", config, "--concurrency", "3", "--log-level", "warn"], env, "worker"),
      );
    }
    // Start the run late in a window, every time: the first window then ends with budget left while
    // the fleet ramps up with calls in flight, which is when a call granted in one window reaches
    // Intercom in the next (the case the limiter's boundary guard is for). Started at a random
    // moment, most runs filled their first window and never met that case.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await new Promise((resolve) => setTimeout(resolve, untilLateInWindow(Date.now())));
    const backfill = spawnCli(["backfill", "bench", "--config", config], env);
    if ((await backfill.exited) !== 0) throw new Error(`backfill failed: ${backfill.output()}`);
    const deadline = Date.now() + (DOCUMENTS / PER_WINDOW + 6) * 10_000 + 120_000;
    for (;;) {
      const stats = await sandboxStats(sandbox.url);
      if ((stats.succeeded[UPSERT] ?? 0) >= DOCUMENTS) break;
      if (Date.now() > deadline)
        throw new Error(`the fleet wrote ${stats.succeeded[UPSERT] ?? 0} of ${DOCUMENTS} pages in time`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const windows = (await sandboxStats(sandbox.url)).rateLimitWindows.sort((a, b) => a.resetAt - b.resetAt);
    // The run starts inside the first window and ramps up (listing, fan-out) before the fleet can fill
    // one; steady state is from the first window it filled to the last-but-one (the last holds the
    // remainder). Every window's counts are in the first row, so nothing is hidden by that choice.
    const firstFull = windows.findIndex((window) => window.allowed >= PER_WINDOW);
    const steady = firstFull < 0 ? [] : windows.slice(firstFull, -1);
    const fills = steady.map((window) => window.allowed / PER_WINDOW);
    const refusedAfterFirst = windows.slice(1).reduce((sum, window) => sum + window.refused, 0);
    const perWindow = windows.map((window) => `${window.allowed}/${window.refused}`).join(" ");
    const row = (metric: string, value: number, unit: string, target?: string): BenchRow => ({
      benchmark: BENCHMARK,
      metric,
      value,
      unit,
      ...(target === undefined ? {} : { target }),
    });
    return [
      row(
        `${WORKERS} workers, ${DOCUMENTS} docs, ${PER_WINDOW} calls/10 s: windows let through/refused: ${perWindow}`,
        windows.length,
        "windows",
      ),
      row(
        "fill of the least full steady-state window (first filled to last-but-one)",
        round(fills.length === 0 ? 0 : Math.min(...fills), 3),
        "",
        "≥ 0.95",
      ),
      row("steady-state windows", steady.length, "windows"),
      row("ramp-up windows before the first filled one", Math.max(0, firstFull), "windows"),
      row("429 answers after the first window", refusedAfterFirst, "calls", "0"),
      row("429 answers in the first window", windows[0]?.refused ?? 0, "calls"),
    ];
  } finally {
    await Promise.all(
      workers.map(async (worker) => {
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGTERM");
        await worker.exited;
      }),
    );
    await purgeKeyspace(redis, new RedisKeyspace(prefix));
    await redis.quit();
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
