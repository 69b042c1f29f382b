/**
 * `npm run bench [filter]`: runs every benchmark module in test/bench/ (each exports
 * `run(): Promise<BenchRow[]>`) one after another and prints one table. Benchmarks measure; they do
 * not assert, so a slow machine never turns the test suite red.
 */
import { readdir } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchRow } from "../test/bench/support/bench-row.js";

interface BenchModule {
  run(): Promise<BenchRow[]>;
}

const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "bench");
const filter = process.argv[2];

const files = (await readdir(benchDir))
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
  .filter((file) => !filter || file.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(filter ? `no benchmark in test/bench matches "${filter}"` : "no benchmarks in test/bench");
  process.exit(1);
}

const rows: BenchRow[] = [];
for (const file of files) {
  process.stderr.write(`running ${file}…\n`);
  const module = (await import(pathToFileURL(join(benchDir, file)).href)) as Partial<BenchModule>;
  if (typeof module.run !== "function") throw new Error(`test/bench/${file} does not export run()`);
  try {
    rows.push(...(await module.run()));
  } catch (error) {
    // One broken benchmark must not lose the rows of the others: it gets a row saying what broke.
    process.stderr.write(
      `${file} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    rows.push({
      benchmark: file.replace(/\.ts$/, ""),
      metric: `FAILED: ${message}`,
      value: Number.NaN,
      unit: "",
    });
    process.exitCode = 1;
  }
}

const format = (value: number) =>
  Number.isNaN(value)
    ? "—"
    : Number.isInteger(value)
      ? value.toLocaleString("en-US")
      : value.toLocaleString("en-US", { maximumFractionDigits: 2 });
const table = [
  ["benchmark", "metric", "value", "unit", "target"],
  ...rows.map((row) => [row.benchmark, row.metric, format(row.value), row.unit, row.target ?? ""]),
];
const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
const line = (cells: string[]) =>
  `| ${cells.map((cell, column) => (column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(" | ")} |`;
// The machine decides every absolute figure: say which one produced the table.
console.log(
  `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log();
console.log(line(table[0]!));
console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`);
for (const cells of table.slice(1)) console.log(line(cells));
