/**
 * Throughput of the Intercom sandbox: upserts per second through several keep-alive connections.
 * The sandbox runs in a child process (one event loop, so one core at most) so the load generator
 * does not steal its CPU time; its peak memory is read from /proc where there is one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, request } from "node:http";
import type { BenchRow } from "./support/bench-row.js";

const BENCHMARK = "sandbox-throughput";
const UPSERTS = 10_000;
const CONNECTIONS = 16;
const TOKEN = "bench-token";
/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every common platform. */
const CLOCK_TICKS_PER_SECOND = 100;

interface StartedChild {
  child: ChildProcess;
  url: string;
}

/** Starts the sandbox CLI in a child process and waits for its "listening on" line. */
async function startChild(extraArgs: string[] = []): Promise<StartedChild> {
  const args = JSON.stringify(["--port", "0", "--token", TOKEN, ...extraArgs]);
  const code = `import { runSandboxCli } from "@content-sync/intercom/sandbox";
await runSandboxCli(${args});`;
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "--input-type=module", "-e", code],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once("exit", (status) =>
      reject(new Error(`sandbox child exited early (status ${status}): ${output}`)),
    );
  });
  return { child, url };
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await exited;
}

function call(
  agent: Agent,
  url: string,
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          "Content-Type": "application/json",
          ...(payload === undefined ? {} : { "Content-Length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, json: text === "" ? undefined : JSON.parse(text) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Sends `total` upserts through `CONNECTIONS` workers; returns the rate and latency percentiles. */
async function upserts(
  agent: Agent,
  url: string,
  sourceId: number,
  total: number,
  revision: number,
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const html = `<h1>Document</h1><p>${"Lorem ipsum dolor sit amet. ".repeat(20)}</p>`;
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const sent = performance.now();
      const { status } = await call(agent, url, "POST", "/ai/external_pages", {
        title: `Document ${index} (revision ${revision})`,
        html,
        url: `https://docs.example.com/${index}`,
        locale: "en",
        source_id: sourceId,
        external_id: `doc-${index}`,
        ai_agent_availability: true,
      });
      if (status !== 200) throw new Error(`upsert ${index} answered ${status}`);
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (share: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? 0;
  return { perSecond: total / seconds, p50: at(0.5), p99: at(0.99) };
}

async function peakRssMb(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux); undefined elsewhere. */
async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

/** One sandbox process: warm-up, then creates and updates; rows labelled with `mode`. */
async function measure(mode: string, extraArgs: string[]): Promise<BenchRow[]> {
  const { child, url } = await startChild(extraArgs);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const source = await call(agent, url, "POST", "/ai/content_import_sources", {
      sync_behavior: "api",
      url: "https://docs.example.com",
    });
    const sourceId = (source.json as { id: number }).id;
    // Warm-up: lets V8 optimise the hot path before measuring.
    await upserts(agent, url, sourceId, 1_000, 0);
    const cpuBefore = await cpuSeconds(child.pid);
    const created = await upserts(agent, url, sourceId, UPSERTS, 1);
    const updated = await upserts(agent, url, sourceId, UPSERTS, 2);
    const cpuAfter = await cpuSeconds(child.pid);
    const stats = await call(agent, url, "GET", "/__sandbox/stats", undefined);
    const succeeded =
      (stats.json as { succeeded: Record<string, number> }).succeeded["POST /ai/external_pages"] ?? 0;
    const expected = 1_000 + 2 * UPSERTS;
    if (succeeded !== expected) throw new Error(`sandbox counted ${succeeded} upserts, expected ${expected}`);
    const rss = await peakRssMb(child.pid);
    const row = (metric: string, value: number, unit: string, target?: string): BenchRow => ({
      benchmark: BENCHMARK,
      metric: `${mode}: ${metric}`,
      value,
      unit,
      ...(target === undefined ? {} : { target }),
    });
    const rows = [
      row(
        `upserts/s, ${UPSERTS} creates, ${CONNECTIONS} keep-alive connections`,
        round(created.perSecond),
        "ops/s",
        "> 5000",
      ),
      row(`upserts/s, ${UPSERTS} updates of existing pages`, round(updated.perSecond), "ops/s", "> 5000"),
      row("upsert latency p50 (creates)", round(created.p50, 2), "ms"),
      row("upsert latency p99 (creates)", round(created.p99, 2), "ms"),
    ];
    if (cpuBefore !== undefined && cpuAfter !== undefined && cpuAfter > cpuBefore) {
      // CPU time per call does not depend on what else the machine runs, unlike the rates above.
      const perUpsert = (cpuAfter - cpuBefore) / (2 * UPSERTS);
      rows.push(
        row("sandbox CPU time per upsert", round(perUpsert * 1e6), "µs"),
        row(
          "upserts/s one free core could serve (1 / CPU per upsert)",
          round(1 / perUpsert),
          "ops/s",
          "> 5000",
        ),
      );
    }
    if (rss !== undefined)
      rows.push(row(`sandbox peak RSS with ${UPSERTS + 1_000} pages`, round(rss, 1), "MB"));
    return rows;
  } finally {
    agent.destroy();
    await stopChild(child);
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows = await measure("memory", []);
  const directory = await mkdtemp(path.join(tmpdir(), "sandbox-bench-"));
  try {
    rows.push(...(await measure("data file", ["--data", path.join(directory, "sandbox.json")])));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  return rows;
}
