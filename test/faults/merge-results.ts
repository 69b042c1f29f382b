import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The fault suite's global setup: each scenario file writes its own counts into `.results/` (see
 * `writeFileResults` in support.ts), and after the last file this sums them into results.json, the
 * file the README's reliability section is generated from. A file that crashed before writing its
 * counts makes the merged file say so instead of silently counting less.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PARTIALS_DIR = path.join(HERE, ".results");
const RESULTS = path.join(HERE, "results.json");

export async function setup(): Promise<void> {
  await rm(PARTIALS_DIR, { recursive: true, force: true });
  await mkdir(PARTIALS_DIR, { recursive: true });
}

export async function teardown(): Promise<void> {
  const names = (await readdir(PARTIALS_DIR)).filter((name) => name.endsWith(".json")).sort();
  if (names.length === 0) return; // nothing ran (a filtered run): keep the last results
  let seed: number | undefined;
  const sums: Record<string, number> = {};
  for (const name of names) {
    const partial = JSON.parse(await readFile(path.join(PARTIALS_DIR, name), "utf8")) as Record<
      string,
      number
    >;
    for (const [key, value] of Object.entries(partial)) {
      if (key === "seed") seed = value;
      else sums[key] = (sums[key] ?? 0) + value;
    }
  }
  await writeFile(RESULTS, `${JSON.stringify({ seed, ...sums }, null, 2)}\n`);
  await rm(PARTIALS_DIR, { recursive: true, force: true });
}
