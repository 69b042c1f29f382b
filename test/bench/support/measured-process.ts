import { type ChildProcess, spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (test/bench/support → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Node flags that run the TypeScript sources (workspace packages export them under `source`). */
export const TSX_FLAGS = ["--conditions=source", "--import", "tsx"];

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every common platform. */
const CLOCK_TICKS_PER_SECOND = 100;

const REPORT_USAGE = fileURLToPath(new URL("./report-usage.mjs", import.meta.url));

/** What one finished child process cost, start-up included. */
export interface ProcessUsage {
  exitCode: number | null;
  wallSeconds: number;
  /** User + system CPU seconds of the child (and any children it waited for). */
  cpuSeconds: number;
  /** How `cpuSeconds` was read: the OS accounting of reaped children, or the child's own getrusage. */
  cpuSource: "proc-children" | "self-report";
  /** Largest resident set of the child process, MB (its own getrusage at exit). */
  peakRssMb: number | undefined;
  stdout: string;
  stderr: string;
}

/**
 * CPU seconds of this process's reaped children (`cutime + cstime` of /proc/self/stat), which the
 * kernel adds when a child is waited for; undefined where there is no /proc.
 */
async function reapedChildrenCpu(): Promise<number | undefined> {
  try {
    const stat = await readFile("/proc/self/stat", "utf8");
    // Fields after the command name (which may hold spaces): cutime is field 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface RunMeasuredOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Extra node flags before the script (e.g. TSX_FLAGS). */
  nodeFlags?: readonly string[];
  /** Kill the child after this many ms (it is then reported with exit code null). */
  timeoutMs?: number;
}

/**
 * Runs `node [flags] script args…` to completion and measures it from outside: wall time from spawn
 * to exit, CPU from the kernel's accounting of reaped children (Linux), peak RSS from the child's
 * own getrusage, written at exit by a preloaded module. Hazard: another child of this process
 * reaped during the run would be counted too; callers keep their other children alive meanwhile.
 */
export async function runMeasured(
  script: string,
  args: readonly string[],
  options: RunMeasuredOptions = {},
): Promise<ProcessUsage> {
  const usageFile = path.join(tmpdir(), `bench-usage-${process.pid}-${Date.now()}-${Math.random()}.json`);
  const cpuBefore = await reapedChildrenCpu();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), "--import", REPORT_USAGE, script, ...args],
    {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env, BENCH_USAGE_FILE: usageFile },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const wallSeconds = (performance.now() - started) / 1000;
  if (timer) clearTimeout(timer);
  const cpuAfter = await reapedChildrenCpu();
  let report: { cpuSeconds: number; maxRssKb: number } | undefined;
  try {
    report = JSON.parse(await readFile(usageFile, "utf8"));
  } catch {
    report = undefined;
  }
  await rm(usageFile, { force: true });
  const fromProc = cpuBefore !== undefined && cpuAfter !== undefined;
  return {
    exitCode,
    wallSeconds,
    cpuSeconds: fromProc ? cpuAfter - cpuBefore : (report?.cpuSeconds ?? Number.NaN),
    cpuSource: fromProc ? "proc-children" : "self-report",
    peakRssMb: report === undefined ? undefined : report.maxRssKb / 1024,
    stdout,
    stderr,
  };
}

/** A long-lived helper process (sandbox, sink) that prints `listening on <url>` when ready. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node [flags] -e code` and waits for its `listening on http://…` line. */
export function startServerProcess(
  code: string,
  options: { nodeFlags?: readonly string[]; env?: Record<string, string | undefined> } = {},
): Promise<ServerProcess> {
  return startServer([...(options.nodeFlags ?? TSX_FLAGS), "--input-type=module", "-e", code], options.env);
}

/** Starts `node [flags] script args…` and waits for its `listening on http://…` line. */
export function startServerScript(
  script: string,
  args: readonly string[],
  options: { nodeFlags?: readonly string[]; env?: Record<string, string | undefined> } = {},
): Promise<ServerProcess> {
  return startServer([...(options.nodeFlags ?? TSX_FLAGS), script, ...args], options.env);
}

async function startServer(
  nodeArgs: readonly string[],
  env: Record<string, string | undefined> | undefined,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (status) => reject(new Error(`server process exited early (${status}): ${output}`)));
  });
  return {
    child,
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The sandbox CLI (rate limit off unless `extraArgs` sets one) in its own process. */
export function startSandboxProcess(
  token: string,
  extraArgs: readonly string[] = [],
): Promise<ServerProcess> {
  const args = JSON.stringify(["--port", "0", "--token", token, ...extraArgs]);
  return startServerProcess(
    `import { runSandboxCli } from "@content-sync/intercom/sandbox";\nawait runSandboxCli(${args});`,
  );
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));
