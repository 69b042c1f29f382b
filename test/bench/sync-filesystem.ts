// Benchmark of the main job on a generated corpus: 20,000 Markdown files synced by the filesystem
// connector into the sandbox over HTTP, a no-change re-run, raw transform throughput and peak RSS.
// Run alone: node --conditions=source --import tsx test/bench/sync-filesystem.ts
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { filesystemConnector, toCleanHtml } from "@content-sync/connectors";
import { IntercomClient } from "@content-sync/intercom";
import { startSandbox } from "@content-sync/intercom/sandbox";
import type { SourceConfig } from "@content-sync/sync";
import { ApiCallCounter, LmdbStateStore, runSync } from "@content-sync/sync";
import { pino } from "pino";
import type { BenchRow } from "./support/bench-row.js";

const DOCUMENTS = Number(process.env.BENCH_SYNC_DOCUMENTS ?? 20_000);
const CONCURRENCY = 16;
const BENCHMARK = "sync-filesystem";

/** A help-article-shaped Markdown file: front matter, headings, a list, a table, a code block. */
function markdownArticle(index: number): string {
  const topic = ["billing", "accounts", "integrations", "security", "reports"][index % 5];
  return `---
title: "${topic} article ${index}"
---

# How to handle ${topic} case ${index}

This article explains step ${index} of the ${topic} workflow, what to check first and who to ask
when the result is not what you expected.

## Steps

1. Open **Settings → ${topic}**.
2. Select the item numbered ${index}.
3. Click **Save** and wait for the confirmation.

| Plan | Available | Limit |
| ---- | --------- | ----- |
| Starter | yes | ${index % 100} |
| Business | yes | ${(index % 100) * 10} |

\`\`\`bash
curl -s https://api.example.com/v1/${topic}/${index}
\`\`\`

See also [the ${topic} overview](../${topic}/overview.md).
`;
}

/** Writes `count` articles in 40 folders under `root`. */
export async function generateCorpus(root: string, count = DOCUMENTS): Promise<void> {
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const writes: Promise<void>[] = [];
    for (let index = start; index < Math.min(start + batch, count); index++) {
      const folder = path.join(root, `section-${index % 40}`);
      if (index < 40) await mkdir(folder, { recursive: true });
      writes.push(writeFile(path.join(folder, `article-${index}.md`), markdownArticle(index)));
    }
    await Promise.all(writes);
  }
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "content-sync-bench-"));
  const root = path.join(dir, "docs");
  await mkdir(root, { recursive: true });
  const sandbox = await startSandbox({ port: 0, tokens: ["bench-token"] });
  const logger = pino({ level: "silent" });
  const apiCalls = new ApiCallCounter();
  const client = new IntercomClient({
    token: "bench-token",
    baseUrl: sandbox.url,
    onResponse: apiCalls.onResponse,
    logger,
  });
  const source: SourceConfig = {
    id: "bench",
    name: "bench",
    type: "filesystem",
    enabled: true,
    contentImportSource: { url: "https://bench.example.com/" },
    availability: { aiAgent: true, aiCopilot: true },
    rules: {},
    transform: {},
    deletion: { maxDeletes: 50, windowMs: 86_400_000 },
    concurrency: CONCURRENCY,
    options: { root, urlTemplate: "https://bench.example.com/{path}" },
  };
  const connector = () =>
    filesystemConnector.create(
      { root, urlTemplate: "https://bench.example.com/{path}" },
      {
        sourceId: "bench",
        logger,
        env: {},
      },
    );
  const rows: BenchRow[] = [];
  try {
    await generateCorpus(root);
    const state = await LmdbStateStore.open(path.join(dir, "state.lmdb"));
    const sync = () =>
      runSync({ source, connector: connector(), client, state, mode: "full", apiCalls, logger });

    const first = await sync();
    if (first.created !== DOCUMENTS || first.failed !== 0) {
      throw new Error(`first sync created ${first.created} of ${DOCUMENTS} (failed ${first.failed})`);
    }
    rows.push({
      benchmark: BENCHMARK,
      metric: `first sync of ${DOCUMENTS} docs`,
      value: first.durationMs / 1000,
      unit: "s",
    });
    rows.push({
      benchmark: BENCHMARK,
      metric: "first sync throughput",
      value: Math.round(DOCUMENTS / (first.durationMs / 1000)),
      unit: "docs/s",
    });

    sandbox.resetStats();
    const again = await sync();
    const writes = Object.entries(sandbox.stats().calls)
      .filter(([route]) => !route.startsWith("GET"))
      .reduce((sum, [, count]) => sum + count, 0);
    if (again.unchanged !== DOCUMENTS) throw new Error(`no-change re-run saw ${again.unchanged} unchanged`);
    rows.push({
      benchmark: BENCHMARK,
      metric: "no-change re-run",
      value: again.durationMs / 1000,
      unit: "s",
      target: "< 5 s",
    });
    rows.push({
      benchmark: BENCHMARK,
      metric: "no-change re-run write calls",
      value: writes,
      unit: "calls",
      target: "0",
    });

    // Transform alone: the same corpus through toCleanHtml, files already in memory.
    const sample = await Promise.all(
      Array.from({ length: Math.min(DOCUMENTS, 5_000) }, (_, index) =>
        readFile(path.join(root, `section-${index % 40}`, `article-${index}.md`), "utf8"),
      ),
    );
    const started = performance.now();
    for (const [index, markdown] of sample.entries()) {
      await toCleanHtml(
        { body: { kind: "markdown", markdown }, url: `https://bench.example.com/a/${index}` },
        {},
      );
    }
    const seconds = (performance.now() - started) / 1000;
    rows.push({
      benchmark: BENCHMARK,
      metric: "transform throughput (markdown)",
      value: Math.round(sample.length / seconds),
      unit: "docs/s",
    });
    rows.push({
      benchmark: BENCHMARK,
      metric: "peak RSS",
      value: Math.round(process.resourceUsage().maxRSS / 1024),
      unit: "MB",
    });
    return rows;
  } finally {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const row of await run()) {
    process.stdout.write(
      `${row.metric.padEnd(40)} ${String(row.value).padStart(10)} ${row.unit}${row.target ? `  (target ${row.target})` : ""}\n`,
    );
  }
}
