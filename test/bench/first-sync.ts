// First sync of a realistic help center, content-sync against what a user would write by hand.
// The corpus (seeded Markdown articles of 2–9 KB) is synced into a fresh sandbox process (rate limit
// off) by: a sequential `fetch` loop, a loop over the official `intercom-client` SDK (10 calls in
// flight), and `content-sync sync` on the built JavaScript and on the TypeScript sources (tsx). Each
// contender is a whole process measured from outside: wall time from spawn to exit and the kernel's
// CPU accounting of the reaped child, start-up included.
// Run alone: node --conditions=source --import tsx scripts/bench.ts first-sync
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./support/bench-row.js";
import { type CliBuild, hasBuiltCli, runContentSync, writeBenchConfig } from "./support/content-sync-run.js";
import { writeCorpus } from "./support/corpus.js";
import {
  median,
  type ProcessUsage,
  round,
  runMeasured,
  startSandboxProcess,
} from "./support/measured-process.js";
import { sandboxStats } from "./support/sandbox-stats.js";

const BENCHMARK = "first-sync";
const TOKEN = "bench-token";
const UPSERT = "POST /ai/external_pages";
const SIZES = (process.env.BENCH_FIRST_SYNC_SIZES ?? "1000,5000").split(",").map(Number);
/** Runs per contender and size; the table shows medians. */
const repeatsFor = (documents: number) => Number(process.env.BENCH_REPEATS ?? (documents <= 1_000 ? 3 : 1));
/** Intercom's real limit, 10,000 calls a minute, as calls per second. */
const INTERCOM_CALLS_PER_SECOND = 10_000 / 60;

const baselines = path.join(path.dirname(fileURLToPath(import.meta.url)), "baselines");

type Contender = "fetch loop" | "SDK loop" | `content-sync (${CliBuild})`;

interface Measured {
  wall: number;
  cpu: number;
  peakRssMb: number | undefined;
}

/** One run of one contender into a fresh sandbox; checks that every document arrived. */
async function runOnce(
  contender: Contender,
  root: string,
  documents: number,
  dir: string,
): Promise<Measured> {
  const sandbox = await startSandboxProcess(TOKEN);
  try {
    let usage: ProcessUsage;
    if (contender === "fetch loop") {
      usage = await runMeasured(path.join(baselines, "fetch-loop.mjs"), [sandbox.url, TOKEN, root]);
    } else if (contender === "SDK loop") {
      usage = await runMeasured(path.join(baselines, "sdk-loop.mjs"), [sandbox.url, TOKEN, root]);
    } else {
      const build: CliBuild = contender === "content-sync (built)" ? "built" : "tsx";
      const runDir = await mkdtemp(path.join(dir, "run-"));
      const config = await writeBenchConfig(runDir, { apiUrl: sandbox.url, root });
      usage = await runContentSync(build, config, TOKEN);
    }
    const upserts = (await sandboxStats(sandbox.url)).succeeded[UPSERT] ?? 0;
    if (usage.exitCode !== 0 || upserts !== documents) {
      throw new Error(
        `${contender} exited ${usage.exitCode} after ${upserts} of ${documents} upserts:\n${usage.stdout.slice(-1500)}\n${usage.stderr.slice(-1500)}`,
      );
    }
    return { wall: usage.wallSeconds, cpu: usage.cpuSeconds, peakRssMb: usage.peakRssMb };
  } finally {
    await sandbox.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "content-sync-first-sync-"));
  const contenders: Contender[] = ["fetch loop", "SDK loop", "content-sync (tsx)"];
  if (await hasBuiltCli()) contenders.splice(2, 0, "content-sync (built)");
  else
    process.stderr.write(
      "first-sync: apps/scheduler/dist/bin.js is missing (npm run build): built rows skipped\n",
    );
  const rows: BenchRow[] = [];
  try {
    for (const documents of SIZES) {
      const root = path.join(dir, `corpus-${documents}`);
      const bytes = await writeCorpus(root, documents);
      const repeats = repeatsFor(documents);
      const results = new Map<Contender, Measured[]>(contenders.map((contender) => [contender, []]));
      // Contenders take turns (A B C A B C…) so a drift in the machine's speed hits them alike.
      for (let repeat = 0; repeat < repeats; repeat++) {
        for (const contender of contenders) {
          process.stderr.write(`  ${documents} docs, ${contender}, run ${repeat + 1}/${repeats}\n`);
          results.get(contender)?.push(await runOnce(contender, root, documents, dir));
        }
      }
      const medianOf = (contender: Contender, field: "wall" | "cpu") =>
        median((results.get(contender) ?? []).map((result) => result[field]));
      const how = `${documents} docs (${round(bytes / documents / 1024, 1)} KB avg), median of ${repeats}`;
      const row = (metric: string, value: number, unit: string, target?: string): BenchRow => ({
        benchmark: BENCHMARK,
        metric,
        value,
        unit,
        ...(target === undefined ? {} : { target }),
      });
      for (const contender of contenders) {
        rows.push(
          row(`${contender}: wall, spawn to exit, ${how}`, round(medianOf(contender, "wall"), 2), "s"),
          row(`${contender}: CPU user+sys of the process, ${how}`, round(medianOf(contender, "cpu"), 2), "s"),
        );
      }
      for (const build of ["built", "tsx"] as const) {
        const contender: Contender = `content-sync (${build})`;
        if (!contenders.includes(contender)) continue;
        const wall = medianOf(contender, "wall");
        const cpu = medianOf(contender, "cpu");
        const target = documents === 1_000 && build === "built" ? "≤ 1.0" : undefined;
        rows.push(
          row(
            `${contender} ÷ SDK loop: CPU ratio, ${documents} docs`,
            round(cpu / medianOf("SDK loop", "cpu"), 2),
            "×",
            target,
          ),
          row(
            `${contender} ÷ SDK loop: wall ratio, ${documents} docs`,
            round(wall / medianOf("SDK loop", "wall"), 2),
            "×",
          ),
          row(
            `${contender} ÷ fetch loop: CPU ratio, ${documents} docs`,
            round(cpu / medianOf("fetch loop", "cpu"), 2),
            "×",
          ),
          row(
            `${contender} ÷ fetch loop: wall ratio, ${documents} docs`,
            round(wall / medianOf("fetch loop", "wall"), 2),
            "×",
          ),
          row(
            `${contender}: documents/s over the whole process (start-up included), ${documents} docs`,
            round(documents / wall),
            "docs/s",
            "≥ 166",
          ),
          row(
            `${contender}: cores busy at Intercom's 166 docs/s (CPU per doc × 166), ${documents} docs`,
            round((cpu / documents) * INTERCOM_CALLS_PER_SECOND, 2),
            "cores",
            "< 0.5",
          ),
        );
        const rss = median((results.get(contender) ?? []).map((result) => result.peakRssMb ?? Number.NaN));
        if (Number.isFinite(rss))
          rows.push(row(`${contender}: peak RSS, ${documents} docs`, round(rss), "MB"));
      }
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
