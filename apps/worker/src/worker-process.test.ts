import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import {
  builtInRegistry,
  enqueueSourceRun,
  loadConfig,
  purgeKeyspace,
  ServiceContext,
} from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const main = path.join(import.meta.dirname, "main.ts");
const tsx = import.meta.resolve("tsx");

interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** The real `content-sync-worker` executable (its TypeScript source through tsx). */
function spawnWorker(args: string[], env: Record<string, string | undefined>, cwd: string): WorkerProcess {
  const child = spawn(process.execPath, ["--conditions=source", "--import", tsx, main, ...args], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
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

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("content-sync-worker process (real Redis, sandbox)", { timeout: 120_000 }, () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let context: ServiceContext;
  let env: Record<string, string | undefined>;
  const prefix = `cs-test-${randomUUID()}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-worker-"));
    await mkdir(path.join(dir, "docs"));
    await writeFile(path.join(dir, "docs/hello.md"), "# Hello\n\nFrom the worker test.\n");
    sandbox = await startSandbox();
    await writeFile(
      path.join(dir, "content-sync.yaml"),
      `intercom: { tokenEnv: TEST_INTERCOM_TOKEN, baseUrl: "${sandbox.url}" }
redis: { keyPrefix: ${prefix} }
sources:
  - id: docs
    type: filesystem
    contentImportSource: { url: "https://docs.example.test/" }
    availability: { aiAgent: false, aiCopilot: true }
    options: { root: ./docs }
`,
    );
    env = { REDIS_URL: process.env.REDIS_URL, TEST_INTERCOM_TOKEN: sandbox.token };
    const registry = builtInRegistry();
    const config = await loadConfig(path.join(dir, "content-sync.yaml"), { registry, env, cwd: dir });
    context = new ServiceContext({ config, registry, env, role: "test" });
  });
  afterAll(async () => {
    await purgeKeyspace(context.connection, context.keyspace);
    await context.close();
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a bad flag or value with exit 2, and a missing token with exit 2 naming the variable", async () => {
    const flag = spawnWorker(["--concurency", "2"], env, dir);
    expect(await flag.exited).toBe(2);
    expect(flag.output()).toContain("content-sync-worker: Unknown option '--concurency'");
    const level = spawnWorker(["--log-level", "loud"], env, dir);
    expect(await level.exited).toBe(2);
    expect(level.output()).toContain("--log-level: ");
    const tokenless = spawnWorker([], { ...env, TEST_INTERCOM_TOKEN: undefined }, dir);
    expect(await tokenless.exited).toBe(2);
    expect(tokenless.output()).toMatch(/intercom\.tokenEnv: the env var TEST_INTERCOM_TOKEN .* is not set/);
  });

  it("serves health, readiness and its metrics, runs jobs, and drains on SIGTERM", async () => {
    const worker = spawnWorker(["--port", "0", "--concurrency", "2"], env, dir);
    try {
      const address = await until("the worker's health endpoint", () => {
        const started = worker
          .output()
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as { msg?: string; health?: string })
          .find((line) => line.msg === "worker started");
        return started?.health;
      });
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      const base = `http://${address}`;
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);

      const runId = await enqueueSourceRun(context.queue, {
        sourceId: "docs",
        mode: "full",
        trigger: "manual",
      });
      await until("the run", async () =>
        (await context.ledger.history("docs")).find((run) => run.runId === runId),
      );
      expect(sandbox.store.pageCount).toBe(1);

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^process_cpu_seconds_total \d/m);
      expect(metrics).toMatch(/^nodejs_heap_size_used_bytes \d/m);
      expect(metrics).not.toContain("content_sync_process_");
      expect(metrics).toContain("content_sync_worker_up 1");
      expect(metrics).toContain("content_sync_worker_concurrency 2");
      expect(metrics).toMatch(/content_sync_worker_jobs_total\{job="sync.source",result="completed"\} 1/);
      expect((await fetch(`${base}/status`)).status).toBe(404);
    } finally {
      worker.child.kill("SIGTERM");
    }
    expect(await worker.exited).toBe(0);
  });
});
