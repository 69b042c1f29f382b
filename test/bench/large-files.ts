// Peak memory of one sync process over a share that holds, beside 200 realistic articles, a 200 MB
// export, a truncated DOCX and a broken PDF (test/e2e-files/oversize-and-corrupt.test.ts checks that
// each is reported and skipped). The whole `content-sync sync` process is measured, start-up
// included, against a sandbox in sink mode in its own process; the second row adds a broken
// 45 MB PDF under the size cap, the third raises the filesystem connector's maxFileBytes above the
// export, so the conversion thread (heap cap, time limit), not the size check, has to bound them.
// Run alone: node --conditions=source --import tsx scripts/bench.ts large-files
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BenchRow } from "./support/bench-row.js";
import { BUILT_BIN, hasBuiltCli, SOURCE_BIN } from "./support/content-sync-run.js";
import { writeCorpus } from "./support/corpus.js";
import { round, runMeasured, startSandboxProcess, TSX_FLAGS } from "./support/measured-process.js";

const BENCHMARK = "large-files";
const TOKEN = "bench-token";
const MB = 1024 * 1024;
const ARTICLES = 200;

const TRUNCATED_DOCX = Buffer.concat([
  Buffer.from("PK\u0003\u0004\u0014\u0000\u0006\u0000"),
  Buffer.alloc(600, 7),
]);
/** A PDF header over bytes that are no PDF; `trailer` adds the `startxref` a whole PDF ends with. */
const brokenPdf = (bytes: number, trailer = false) =>
  Buffer.concat([
    Buffer.from("%PDF-1.7\n"),
    Buffer.alloc(bytes, 0x41),
    Buffer.from(trailer ? "\nstartxref\n9\n%%EOF" : "\n%%EOF"),
  ]);

/**
 * The articles and the three files of the e2e test; `scanMb` adds a broken PDF of that size under the
 * cap, cut off (no trailer: refused from its two ends) or with a trailer (pdf.js must parse it).
 */
async function writeShare(root: string, scanMb: number, scanTrailer = false): Promise<void> {
  await writeCorpus(root, ARTICLES);
  const exports = path.join(root, "exports");
  await mkdir(exports, { recursive: true });
  // Spaces, not zeros: a sparse file of zeros would cost the page cache nothing to read.
  await writeFile(path.join(exports, "export.pdf"), Buffer.alloc(200 * MB, 0x20));
  await writeFile(path.join(exports, "handover.docx"), TRUNCATED_DOCX);
  await writeFile(path.join(exports, "broken.pdf"), brokenPdf(4_000));
  // One 45 MB token: the worst a PDF parser meets, as it rebuilds the cross-reference table.
  if (scanMb > 0) await writeFile(path.join(exports, "scan.pdf"), brokenPdf(scanMb * MB, scanTrailer));
}

async function writeConfig(dir: string, apiUrl: string, root: string, maxFileSize?: number): Promise<string> {
  const file = path.join(dir, `content-sync-${path.basename(root)}.yaml`);
  await writeFile(
    file,
    `version: 1
dataDir: ${JSON.stringify(path.join(dir, `data-${path.basename(root)}`))}
intercom:
  tokenEnv: BENCH_INTERCOM_TOKEN
  baseUrl: ${apiUrl}
sources:
  - id: bench
    type: filesystem
    contentImportSource: { url: "https://help.example.com/" }
    availability: { aiAgent: true, aiCopilot: true }
    options:
      root: ${JSON.stringify(root)}
      urlTemplate: "https://help.example.com/articles/{slug}"
${maxFileSize === undefined ? "" : `      maxFileBytes: ${maxFileSize}\n`}`,
  );
  return file;
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "content-sync-large-files-"));
  const sink = await startSandboxProcess(TOKEN, ["--sink"]);
  const built = await hasBuiltCli();
  try {
    const rows: BenchRow[] = [];
    const cases: {
      label: string;
      scanMb: number;
      scanTrailer?: boolean;
      maxFileBytes?: number;
      failed: number;
    }[] = [
      { label: "default size cap (50 MB): the export is skipped by its size", scanMb: 0, failed: 3 },
      {
        label: "the same plus a cut-off 45 MB PDF under the cap (refused from its two ends)",
        scanMb: 45,
        failed: 4,
      },
      {
        label: "the same plus a 45 MB PDF with a trailer over garbage (parsed in the conversion thread)",
        scanMb: 45,
        scanTrailer: true,
        failed: 4,
      },
      {
        label: "maxFileBytes raised to 256 MB: the export is read and refused in the conversion thread",
        scanMb: 0,
        maxFileBytes: 256 * MB,
        failed: 3,
      },
    ];
    for (const [index, { label, scanMb, scanTrailer, maxFileBytes, failed }] of cases.entries()) {
      const root = path.join(dir, `share-${index}`);
      await writeShare(root, scanMb, scanTrailer);
      const config = await writeConfig(dir, sink.url, root, maxFileBytes);
      const args = ["sync", "bench", "--config", config, "--json", "--log-level", "warn"];
      const usage = built
        ? await runMeasured(BUILT_BIN, args, { env: { BENCH_INTERCOM_TOKEN: TOKEN } })
        : await runMeasured(SOURCE_BIN, args, { nodeFlags: TSX_FLAGS, env: { BENCH_INTERCOM_TOKEN: TOKEN } });
      // Exit 1: the broken files failed (`failed` of them), the articles synced.
      if (usage.exitCode !== 1) {
        throw new Error(
          `sync exited ${usage.exitCode}, expected 1 (the broken files failed): ${usage.stderr}`,
        );
      }
      const summary = usage.stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { type?: string; created?: number; failed?: number })
        .find((line) => line.type === "summary");
      if (summary?.created !== ARTICLES || summary.failed !== failed) {
        throw new Error(
          `expected ${ARTICLES} created and ${failed} failed, the run says ${JSON.stringify(summary)}`,
        );
      }
      rows.push({
        benchmark: BENCHMARK,
        metric: `${ARTICLES} articles + a 200 MB export + a truncated DOCX + a broken PDF, ${label}: peak RSS of the sync process (${built ? "built JS" : "tsx"})`,
        value: round(usage.peakRssMb ?? Number.NaN),
        unit: "MB",
        target: "< 300",
      });
      await rm(root, { recursive: true, force: true });
    }
    return rows;
  } finally {
    await sink.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
