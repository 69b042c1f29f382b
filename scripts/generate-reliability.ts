/**
 * Rewrites the README's reliability section (between `<!-- reliability:start -->` and
 * `<!-- reliability:end -->`) from test/faults/results.json, the counts of the last fault-suite run
 * (`npm run test:faults`), so the section is never typed by hand.
 *
 * Run: node --conditions=source --import tsx scripts/generate-reliability.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

export const START = "<!-- reliability:start -->";
export const END = "<!-- reliability:end -->";
export const RESULTS_FILE = fileURLToPath(new URL("../test/faults/results.json", import.meta.url));
export const README_FILE = fileURLToPath(new URL("../README.md", import.meta.url));

export interface FaultResults {
  seed: number;
  scenariosRun: number;
  faultsInjected: number;
  pagesCompared: number;
  pagesLost: number;
  pagesDuplicated: number;
  pagesStale: number;
  pagesWronglyDeleted: number;
  forgedWebhooksSent: number;
  forgedWebhooksAccepted: number;
}

/** The section's body (without the markers) for a results file. */
export function renderReliability(results: FaultResults): string {
  const rows: [string, number][] = [
    ["Scenarios run", results.scenariosRun],
    ["Faults injected (Intercom, source, process and Redis faults; forged webhooks)", results.faultsInjected],
    ["Pages compared with the source, page by page", results.pagesCompared],
    ["Pages lost", results.pagesLost],
    ["Pages duplicated", results.pagesDuplicated],
    ["Pages stale", results.pagesStale],
    ["Pages wrongly deleted", results.pagesWronglyDeleted],
    ["Forged webhooks sent", results.forgedWebhooksSent],
    ["Forged webhooks accepted", results.forgedWebhooksAccepted],
  ];
  return [
    "",
    `Generated from \`test/faults/results.json\` by \`scripts/generate-reliability.ts\`: the counts of the last`,
    `fault-suite run (\`npm run test:faults\`, seed ${results.seed}; set \`FAULTS_SEED\` to replay it).`,
    "",
    ...alignedTable(["Measure", "Count"], rows),
    "",
  ].join("\n");
}

/** A Markdown table padded the way the repository's formatter (biome) writes it, counts right-aligned. */
function alignedTable(header: [string, string], rows: [string, number][]): string[] {
  const cells = rows.map(([name, value]): [string, string] => [name, String(value)]);
  const nameWidth = Math.max(header[0].length, ...cells.map(([name]) => name.length));
  const countWidth = Math.max(header[1].length, 4, ...cells.map(([, value]) => value.length));
  return [
    `| ${header[0].padEnd(nameWidth)} | ${header[1].padStart(countWidth)} |`,
    `| ${"-".repeat(nameWidth)} | ${"-".repeat(countWidth - 1)}: |`,
    ...cells.map(([name, value]) => `| ${name.padEnd(nameWidth)} | ${value.padStart(countWidth)} |`),
  ];
}

/** The text between the markers of a README, or undefined when the markers are missing. */
export function sectionOf(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + START.length, end);
}

export function readResults(file = RESULTS_FILE): FaultResults {
  return JSON.parse(readFileSync(file, "utf8")) as FaultResults;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readme = readFileSync(README_FILE, "utf8");
  if (sectionOf(readme) === undefined) {
    console.error(`README.md has no ${START} … ${END} markers`);
    process.exit(1);
  }
  const start = readme.indexOf(START) + START.length;
  const end = readme.indexOf(END);
  writeFileSync(
    README_FILE,
    `${readme.slice(0, start)}${renderReliability(readResults())}${readme.slice(end)}`,
  );
  console.log("README.md reliability section rewritten from test/faults/results.json");
}
