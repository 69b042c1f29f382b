// Preloaded (`node --import`) into the processes the bench measures: at exit, writes the process's
// own getrusage (CPU since the process started, peak resident set) to $BENCH_USAGE_FILE. Plain
// JavaScript so that preloading it costs the measured process no TypeScript loader.
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, maxRssKb: usage.maxRSS }),
    );
  });
}
