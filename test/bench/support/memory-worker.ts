/**
 * The worker process of the memory bench: one full run of the synthetic source through the engine
 * into a sandbox in sink mode over real HTTP, with the state store inline runs use. Prints a JSON line
 * every 2 s (documents done, peak RSS so far) so a run stopped at its time limit still says how far it
 * got, and a last line with the run's counts.
 * Usage: node --conditions=source --import tsx memory-worker.ts <api-url> <token> <documents> <state-file> [revision]
 */
import { readFile, stat } from "node:fs/promises";
import { IntercomClient, TokenBucketRateLimiter } from "@content-sync/intercom";
import { ApiCallCounter, LmdbStateStore, runSync, type SourceConfig } from "@content-sync/sync";
import { SyntheticConnector } from "./synthetic-connector.js";

const [apiUrl = "", token = "", documentsArg = "", stateFile = "", revisionArg = "1"] = process.argv.slice(2);
const documents = Number(documentsArg);
if (!apiUrl || !token || !Number.isInteger(documents) || documents <= 0 || !stateFile) {
  process.stderr.write("usage: memory-worker.ts <api-url> <token> <documents> <state-file> [revision]\n");
  process.exit(2);
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** Where the memory is now (heap, buffers, and the rest of RSS: mapped files, native allocations). */
let peakHeapUsedMb = 0;
let peakAnonMb = 0;
let peakFileMb = 0;
const memoryMb = () => {
  const usage = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 1_048_576);
  peakHeapUsedMb = Math.max(peakHeapUsedMb, mb(usage.heapUsed));
  return {
    rssMb: mb(usage.rss),
    heapUsedMb: mb(usage.heapUsed),
    heapTotalMb: mb(usage.heapTotal),
    externalMb: mb(usage.external),
  };
};
/**
 * RSS split as Linux accounts it: anonymous memory (heap, buffers, native allocations) and
 * file-backed pages (the node binary and the state database, which LMDB maps into memory: pages it
 * has read stay resident, and the kernel reclaims them under pressure). Undefined off Linux.
 */
async function rssSplitMb(): Promise<{ anonMb: number; fileMb: number } | undefined> {
  const status = await readFile("/proc/self/status", "utf8").catch(() => undefined);
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status ?? "")?.[1]);
  const anon = kb("RssAnon");
  const file = kb("RssFile");
  if (!Number.isFinite(anon) || !Number.isFinite(file)) return undefined;
  return { anonMb: Math.round(anon / 1024), fileMb: Math.round(file / 1024) };
}
const apiCalls = new ApiCallCounter();
// The sink sends no rate-limit headers, so the client would pace itself at its default of a private
// app's 10,000 calls a minute (≈ 166/s) and the run would measure that pacing, not the engine: a
// 1M-document run would take 100 minutes by construction. The bench measures memory and the engine's
// own speed, so the client's budget is lifted as far as the sink's (off).
const unlimited = new TokenBucketRateLimiter({ callsPerWindow: 1_000_000_000 });
const client = new IntercomClient({
  token,
  baseUrl: apiUrl,
  onResponse: apiCalls.onResponse,
  rateLimiter: unlimited,
});
const source: SourceConfig = {
  id: "synthetic",
  name: "synthetic",
  type: "synthetic",
  enabled: true,
  contentImportSource: { url: "https://help.example.com/" },
  availability: { aiAgent: true, aiCopilot: true },
  rules: {},
  transform: {},
  deletion: { maxDeletes: 50, windowMs: 86_400_000 },
  concurrency: 16,
  options: {},
};
let done = 0;
const started = performance.now();
const report = setInterval(async () => {
  const split = await rssSplitMb();
  if (split !== undefined) {
    peakAnonMb = Math.max(peakAnonMb, split.anonMb);
    peakFileMb = Math.max(peakFileMb, split.fileMb);
  }
  process.stdout.write(
    `${JSON.stringify({ progress: done, seconds: (performance.now() - started) / 1000, peakRssMb: peakRssMb(), ...memoryMb() })}\n`,
  );
}, 2_000);
const state = await LmdbStateStore.open(stateFile);
const summary = await runSync({
  source,
  connector: new SyntheticConnector(documents, Number(revisionArg)),
  client,
  state,
  mode: "full",
  apiCalls,
  onProgress: (progress) => {
    done = progress.processed;
  },
});
await state.close();
clearInterval(report);
const { failures, ...counts } = summary;
process.stdout.write(
  `${JSON.stringify({
    result: { ...counts, failures: failures.slice(0, 3) },
    seconds: (performance.now() - started) / 1000,
    peakRssMb: peakRssMb(),
    peakHeapUsedMb,
    peakAnonMb,
    peakFileMb,
    stateFileMb: Math.round((await stat(stateFile)).size / 1_048_576),
  })}\n`,
);
