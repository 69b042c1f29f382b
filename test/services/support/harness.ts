import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (test/services/support → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export const redisUrl = (): string => process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Writes `count` small Markdown documents (`doc-00000.md` …) spread over folders of 500. */
export async function writeDocuments(
  root: string,
  count: number,
  body = (index: number) => `Body of document ${index}.`,
): Promise<void> {
  for (let start = 0; start < count; start += 500) {
    const folder = path.join(root, `part-${start / 500}`);
    await mkdir(folder, { recursive: true });
    await Promise.all(
      Array.from({ length: Math.min(500, count - start) }, (_, offset) => {
        const index = start + offset;
        const name = `doc-${String(index).padStart(5, "0")}.md`;
        return writeFile(path.join(folder, name), `# Document ${index}\n\n${body(index)}\n`);
      }),
    );
  }
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A `content-sync` CLI or `content-sync-worker` process (through tsx, against the TypeScript sources). */
export interface CliProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function spawnCli(args: string[], env: Record<string, string | undefined>): CliProcess {
  return spawnSource("apps/scheduler/src/bin.ts", args, env);
}

/**
 * A `content-sync-worker` process (apps/worker, the one worker entry point). Its health endpoint gets
 * a free port, so several run side by side.
 */
export function spawnWorker(args: string[], env: Record<string, string | undefined>): CliProcess {
  return spawnSource("apps/worker/src/main.ts", ["--port", "0", ...args], env);
}

function spawnSource(script: string, args: string[], env: Record<string, string | undefined>): CliProcess {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Stops a process started by the test (by its pid) and waits for it. */
export async function stopProcess(
  processToStop: CliProcess,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<void> {
  if (processToStop.child.exitCode !== null || processToStop.child.signalCode !== null) return;
  processToStop.child.kill(signal);
  await processToStop.exited;
}

/** A config file for the services with one filesystem source. */
export async function writeServiceConfig(
  file: string,
  options: {
    prefix: string;
    sandboxUrl: string;
    /** `redis.cluster: true` (REDIS_URL then names the cluster's seed nodes). Default false. */
    cluster?: boolean;
    sources: { id: string; root: string; schedule?: string; maxDeletes?: number; concurrency?: number }[];
  },
): Promise<void> {
  const sources = options.sources
    .map(
      (source) => `  - id: ${source.id}
    type: filesystem
    contentImportSource: { url: "https://${source.id}.example.test/" }
    availability: { aiAgent: false, aiCopilot: true }
    deletion: { maxDeletes: ${source.maxDeletes ?? 50} }
    concurrency: ${source.concurrency ?? 8}
${source.schedule ? `    schedule: ${source.schedule}\n` : ""}    options:
      root: ${JSON.stringify(source.root)}
      urlTemplate: "https://${source.id}.example.test/{path}"`,
    )
    .join("\n");
  await writeFile(
    file,
    `version: 1
intercom:
  tokenEnv: TEST_INTERCOM_TOKEN
  baseUrl: ${options.sandboxUrl}
redis:
  keyPrefix: ${options.prefix}
${options.cluster ? "  cluster: true\n" : ""}sources:
${sources}
`,
  );
}
