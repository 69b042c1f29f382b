import { access, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { type ProcessUsage, REPO_ROOT, runMeasured, TSX_FLAGS } from "./measured-process.js";

/** How the CLI is started: the TypeScript sources through tsx, or the JavaScript `npm run build` emits. */
export type CliBuild = "built" | "tsx";

export const BUILT_BIN = path.join(REPO_ROOT, "apps/scheduler/dist/bin.js");
export const SOURCE_BIN = path.join(REPO_ROOT, "apps/scheduler/src/bin.ts");

/** True when `npm run build` has emitted the CLI. */
export async function hasBuiltCli(): Promise<boolean> {
  try {
    await access(BUILT_BIN);
    return true;
  } catch {
    return false;
  }
}

/** Writes a config with one filesystem source over `root` that targets `apiUrl`; returns its path. */
export async function writeBenchConfig(
  dir: string,
  options: { apiUrl: string; root: string; concurrency?: number },
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "content-sync.yaml");
  await writeFile(
    file,
    `version: 1
dataDir: ${JSON.stringify(path.join(dir, "data"))}
intercom:
  tokenEnv: BENCH_INTERCOM_TOKEN
  baseUrl: ${options.apiUrl}
sources:
  - id: bench
    type: filesystem
    contentImportSource: { url: "https://help.example.com/" }
    availability: { aiAgent: true, aiCopilot: true }
    deletion: { maxDeletes: 50 }
    concurrency: ${options.concurrency ?? 16}
    options:
      root: ${JSON.stringify(options.root)}
      urlTemplate: "https://help.example.com/articles/{slug}"
`,
  );
  return file;
}

/** `content-sync sync bench --config FILE`, measured as a whole process (its summary table on stdout). */
export function runContentSync(
  build: CliBuild,
  configFile: string,
  token: string,
  extraArgs: readonly string[] = [],
): Promise<ProcessUsage> {
  const args = ["sync", "bench", "--config", configFile, "--log-level", "warn", ...extraArgs];
  return build === "built"
    ? runMeasured(BUILT_BIN, args, { env: { BENCH_INTERCOM_TOKEN: token } })
    : runMeasured(SOURCE_BIN, args, { nodeFlags: TSX_FLAGS, env: { BENCH_INTERCOM_TOKEN: token } });
}
