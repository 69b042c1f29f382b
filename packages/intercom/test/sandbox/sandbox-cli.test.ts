import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readDataFile } from "../../src/sandbox/data-file.js";
import {
  parseSandboxCliArgs,
  type RunningSandbox,
  runSandboxCli,
  SANDBOX_CLI_USAGE,
  SandboxOptionsError,
} from "../../src/sandbox/index.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "sandbox-cli-"));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("content-sync sandbox (CLI)", () => {
  it("turns flags into options", () => {
    expect(
      parseSandboxCliArgs([
        "--port",
        "0",
        "--data",
        "x.json",
        "--token",
        "a",
        "--token",
        "b",
        "--rate-limit",
        "600",
        "--host",
        "0.0.0.0",
      ]),
    ).toEqual({
      port: 0,
      dataFile: "x.json",
      tokens: ["a", "b"],
      rateLimit: { perMinute: 600 },
      host: "0.0.0.0",
    });
    expect(parseSandboxCliArgs([])).toEqual({ port: 4010 });
    expect(parseSandboxCliArgs(["--help"])).toBe("help");
  });

  it("names the flag that is wrong", () => {
    expect(() => parseSandboxCliArgs(["--port", "http"])).toThrow(SandboxOptionsError);
    expect(() => parseSandboxCliArgs(["--port", "70000"])).toThrow(
      /--port: must be an integer from 0 to 65535/,
    );
    expect(() => parseSandboxCliArgs(["--rate-limit", "3"])).toThrow(/--rate-limit/);
    expect(() => parseSandboxCliArgs(["--colour", "red"])).toThrow(/--colour/);
  });

  it("prints usage for --help without starting anything", async () => {
    let output = "";
    await runSandboxCli(["--help"], { stdout: { write: (text: string) => (output += text) } });
    expect(output).toBe(SANDBOX_CLI_USAGE);
  });

  it("prints the URL and token, serves until stopped, then writes its data file", async () => {
    const dataFile = path.join(directory, "cli.json");
    const stop = new AbortController();
    let output = "";
    let started: RunningSandbox | undefined;
    const running = runSandboxCli(["--port", "0", "--data", dataFile, "--token", "cli-token"], {
      stdout: { write: (text: string) => (output += text) },
      signal: stop.signal,
      onStarted: (sandbox) => {
        started = sandbox;
      },
    });
    await expect.poll(() => started).toBeDefined();
    const sandbox = started as RunningSandbox;
    expect(output).toContain(`Intercom sandbox listening on ${sandbox.url}\n`);
    expect(output).toContain("Token: cli-token\n");
    const answer = await fetch(`${sandbox.url}/ai/content_import_sources`, {
      method: "POST",
      headers: { Authorization: "Bearer cli-token" },
      body: JSON.stringify({ sync_behavior: "api", url: "https://docs.example.com" }),
    });
    expect(answer.status).toBe(200);
    stop.abort();
    await running;
    expect(output).toContain("Intercom sandbox stopped.\n");
    expect((await readDataFile(dataFile))?.sources).toHaveLength(1);
    await expect(fetch(`${sandbox.url}/me`)).rejects.toThrow();
  });

  it("closes cleanly on SIGTERM when run as a process", async () => {
    const code = `import { runSandboxCli } from "@content-sync/intercom/sandbox";
await runSandboxCli(["--port", "0", "--token", "proc-token"]);`;
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "--input-type=module", "-e", code],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1] !== undefined && output.includes("Token: proc-token")) resolve(match[1]);
      });
      child.once("exit", (status) => reject(new Error(`exited early (${status}): ${output}`)));
    });
    const me = await fetch(`${url}/me`, { headers: { Authorization: "Bearer proc-token" } });
    expect(me.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (status) => resolve(status)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("Intercom sandbox stopped.");
  }, 30_000);
});
