// Start-up of the CLI: `--help`, `config check` and a no-change `sync` of the demo help center (its
// embedded sandbox, no token), each a whole process from spawn to exit, on the JavaScript that
// `npm run build` emits and on the TypeScript sources through tsx (what `npm start` runs).
// Run alone: node --conditions=source --import tsx scripts/bench.ts startup
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BenchRow } from "./support/bench-row.js";
import { BUILT_BIN, type CliBuild, hasBuiltCli, SOURCE_BIN } from "./support/content-sync-run.js";
import { median, REPO_ROOT, round, runMeasured, TSX_FLAGS } from "./support/measured-process.js";

const BENCHMARK = "startup";
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "content-sync-startup-"));
  const builds: CliBuild[] = (await hasBuiltCli()) ? ["built", "tsx"] : ["tsx"];
  const rows: BenchRow[] = [];
  try {
    const config = path.join(dir, "demo.yaml");
    await writeFile(
      config,
      `version: 1
dataDir: ${JSON.stringify(path.join(dir, "data"))}
intercom:
  target: sandbox
  sandboxDataFile: ${JSON.stringify(path.join(dir, "data", "sandbox.json"))}
sources:
  - id: demo-help-center
    type: filesystem
    contentImportSource: { url: "https://help.example.com/" }
    availability: { aiAgent: true, aiCopilot: true }
    options:
      root: ${JSON.stringify(path.join(REPO_ROOT, "config/demo-docs"))}
      urlTemplate: https://help.example.com/articles/{slug}
`,
    );
    const commands: [string, string[]][] = [
      ["--help", ["--help"]],
      ["config check", ["config", "check", config]],
      ["no-change sync of the demo (embedded sandbox)", ["sync", "--all", "--config", config]],
    ];
    const cli = (build: CliBuild, args: string[]) =>
      build === "built"
        ? runMeasured(BUILT_BIN, args, { env: { BENCH_UNSET_TOKEN: "" } })
        : runMeasured(SOURCE_BIN, args, { nodeFlags: TSX_FLAGS, env: { BENCH_UNSET_TOKEN: "" } });
    // The first sync creates the pages; every measured one after it changes nothing.
    const first = await cli(builds[0] as CliBuild, ["sync", "--all", "--config", config]);
    if (first.exitCode !== 0) throw new Error(`demo sync failed: ${first.stdout}\n${first.stderr}`);
    for (const [name, args] of commands) {
      const results = new Map<CliBuild, { wall: number[]; cpu: number[] }>(
        builds.map((b) => [b, { wall: [], cpu: [] }]),
      );
      for (let runIndex = 0; runIndex < RUNS; runIndex++) {
        for (const build of builds) {
          const usage = await cli(build, args);
          if (usage.exitCode !== 0)
            throw new Error(`${name} (${build}) exited ${usage.exitCode}: ${usage.stderr}`);
          results.get(build)?.wall.push(usage.wallSeconds);
          results.get(build)?.cpu.push(usage.cpuSeconds);
        }
      }
      for (const build of builds) {
        const result = results.get(build);
        if (!result) continue;
        rows.push(
          {
            benchmark: BENCHMARK,
            metric: `${name}, ${build === "built" ? "built JS" : "tsx"}: wall, spawn to exit, median of ${RUNS}`,
            value: round(median(result.wall), 2),
            unit: "s",
            ...(build === "built" ? { target: "well under 1" } : {}),
          },
          {
            benchmark: BENCHMARK,
            metric: `${name}, ${build === "built" ? "built JS" : "tsx"}: CPU user+sys, median of ${RUNS}`,
            value: round(median(result.cpu), 2),
            unit: "s",
          },
        );
      }
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
