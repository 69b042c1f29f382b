// Memory of one worker process as the source grows: full runs of a synthetic source (10k, 100k, 1M
// documents, ≈ 600-byte Markdown articles) through the engine with the inline state store, upserting
// over real HTTP into the sandbox in sink mode (its own process, keeps no pages, rate limit off);
// then a no-change run over the 100k state. Each run is a separate process: its peak RSS is its own
// getrusage, start-up and the tsx loader included. A run that reaches the time limit is stopped and
// reported with how far it got.
// Run alone: node --conditions=source --import tsx scripts/bench.ts memory
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./support/bench-row.js";
import {
  type ProcessUsage,
  round,
  runMeasured,
  startSandboxProcess,
  TSX_FLAGS,
} from "./support/measured-process.js";
import { sandboxStats, writeCalls } from "./support/sandbox-stats.js";

const BENCHMARK = "memory";
const TOKEN = "bench-token";
const SIZES = (process.env.BENCH_MEMORY_SIZES ?? "10000,100000,1000000").split(",").map(Number);
/** Longest one run may take before it is stopped, per size (the 1M run takes 7–17 min on 2 cores). */
const TIME_LIMIT_S = Number(process.env.BENCH_MEMORY_TIME_LIMIT_S ?? 1800);
const NO_CHANGE_SIZE = 100_000;
const WORKER = fileURLToPath(new URL("./support/memory-worker.ts", import.meta.url));

interface WorkerLine {
  progress?: number;
  result?: { created: number; unchanged: number; failed: number; writeCalls: number; processed?: number };
  seconds: number;
  peakRssMb: number;
  peakHeapUsedMb?: number;
  peakAnonMb?: number;
  peakFileMb?: number;
  stateFileMb?: number;
}

function lastLine(usage: ProcessUsage): WorkerLine | undefined {
  const lines = usage.stdout
    .trim()
    .split("\n")
    .filter((line) => line.startsWith("{"));
  const last = lines.at(-1);
  return last === undefined ? undefined : (JSON.parse(last) as WorkerLine);
}

const label = (count: number) => (count >= 1_000_000 ? `${count / 1_000_000}M` : `${count / 1_000}k`);

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "content-sync-memory-"));
  const sink = await startSandboxProcess(TOKEN, ["--sink"]);
  const rows: BenchRow[] = [];
  const row = (metric: string, value: number, unit: string, target?: string): BenchRow => ({
    benchmark: BENCHMARK,
    metric,
    value,
    unit,
    ...(target === undefined ? {} : { target }),
  });
  try {
    for (const documents of SIZES) {
      process.stderr.write(`  full run of ${documents} synthetic documents into the sink\n`);
      const stateFile = path.join(dir, `state-${documents}.lmdb`);
      const usage = await runMeasured(WORKER, [sink.url, TOKEN, String(documents), stateFile], {
        nodeFlags: TSX_FLAGS,
        timeoutMs: TIME_LIMIT_S * 1000,
      });
      const line = lastLine(usage);
      const finished = line?.result !== undefined && usage.exitCode === 0;
      if (finished && line?.result?.created !== documents) {
        throw new Error(
          `memory worker created ${line?.result?.created} of ${documents}: ${usage.stderr.slice(-1500)}`,
        );
      }
      const rss = usage.peakRssMb ?? line?.peakRssMb ?? Number.NaN;
      if (finished) {
        rows.push(
          row(
            `worker peak RSS, full run of ${label(documents)} docs into the sink`,
            round(rss),
            "MB",
            "< 300, flat",
          ),
          row(
            `full run of ${label(documents)} docs: largest heap used (sampled every 2 s)`,
            line?.peakHeapUsedMb ?? Number.NaN,
            "MB",
          ),
          row(
            `full run of ${label(documents)} docs: largest anonymous RSS (heap, buffers, native; sampled every 2 s)`,
            line?.peakAnonMb ?? Number.NaN,
            "MB",
          ),
          row(
            `full run of ${label(documents)} docs: largest file-backed RSS (node binary + the LMDB state file, ${line?.stateFileMb ?? "?"} MB at the end, mapped)`,
            line?.peakFileMb ?? Number.NaN,
            "MB",
          ),
          row(`full run of ${label(documents)} docs: wall (whole process)`, round(usage.wallSeconds, 1), "s"),
          row(
            `full run of ${label(documents)} docs: documents/s`,
            round(documents / usage.wallSeconds),
            "docs/s",
          ),
        );
      } else {
        const reached = line?.progress ?? 0;
        rows.push(
          row(
            `worker peak RSS, full run of ${label(documents)} docs: STOPPED at the ${TIME_LIMIT_S} s limit after ${reached} docs`,
            round(line?.peakRssMb ?? Number.NaN),
            "MB",
            "< 300, flat",
          ),
        );
        continue;
      }
      if (documents === NO_CHANGE_SIZE) {
        const before = writeCalls(await sandboxStats(sink.url));
        const again = await runMeasured(WORKER, [sink.url, TOKEN, String(documents), stateFile], {
          nodeFlags: TSX_FLAGS,
          timeoutMs: TIME_LIMIT_S * 1000,
        });
        const result = lastLine(again)?.result;
        if (again.exitCode !== 0 || result?.unchanged !== documents) {
          throw new Error(
            `no-change run saw ${result?.unchanged} unchanged of ${documents}: ${again.stderr.slice(-1500)}`,
          );
        }
        const writes = writeCalls(await sandboxStats(sink.url)) - before;
        rows.push(
          row(
            `no-change run of ${label(documents)} docs: wall (whole process, start-up included)`,
            round(again.wallSeconds, 2),
            "s",
            "< 5",
          ),
          row(`no-change run of ${label(documents)} docs: write calls the sink saw`, writes, "calls", "0"),
          row(
            `no-change run of ${label(documents)} docs: worker peak RSS`,
            round(again.peakRssMb ?? Number.NaN),
            "MB",
            "flat",
          ),
        );
      }
      await rm(stateFile, { force: true });
      await rm(`${stateFile}-lock`, { force: true });
    }
    return rows;
  } finally {
    await sink.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
