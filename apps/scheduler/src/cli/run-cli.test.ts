import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliCommand, CliContext } from "./command.js";
import { commands } from "./commands/index.js";
import { runCli } from "./run-cli.js";

function io(cwd: string, env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const ctx: CliContext = {
    stdout,
    stderr,
    env: { LOG_LEVEL: "silent", ...env },
    cwd,
    signal: new AbortController().signal,
  };
  return { ctx, out: () => out, err: () => err };
}

describe("content-sync command dispatch", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-cli-unit-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lists the commands on --help and exits 2 without a command", async () => {
    const help = io(dir);
    expect(await runCli(["--help"], help.ctx)).toBe(0);
    expect(help.out()).toMatch(/sync\s+sync one source/);
    expect(help.out()).toMatch(/config\s+config check/);
    const none = io(dir);
    expect(await runCli([], none.ctx)).toBe(2);
    expect(none.err()).toContain("Usage: content-sync <command>");
  });

  it("rejects unknown commands and flags with usage, exit 2", async () => {
    const unknown = io(dir);
    expect(await runCli(["synk"], unknown.ctx)).toBe(2);
    expect(unknown.err()).toContain('unknown command "synk"');
    const flag = io(dir);
    expect(await runCli(["sync", "--all", "--forse-deletes"], flag.ctx)).toBe(2);
    expect(flag.err()).toContain("content-sync sync: unknown flag --forse-deletes");
    expect(flag.err()).toContain("Usage: content-sync sync");
    const both = io(dir);
    expect(await runCli(["plan", "docs", "--all"], both.ctx)).toBe(2);
    expect(both.err()).toContain("either a source id or --all");
    const neither = io(dir);
    expect(await runCli(["sync"], neither.ctx)).toBe(2);
    expect(neither.err()).toContain("name a source id or pass --all");
    const concurrency = io(dir);
    expect(await runCli(["sync", "--all", "--concurrency", "0"], concurrency.ctx)).toBe(2);
    expect(concurrency.err()).toContain('--concurrency expects a positive integer, got "0"');
  });

  it("checks a config given as argument, --config or CONTENT_SYNC_CONFIG", async () => {
    const file = path.join(dir, "sources.yaml");
    await writeFile(
      file,
      "sources:\n  - id: docs\n    type: filesystem\n    contentImportSource: { url: https://d.example.com }\n    availability: { aiAgent: false, aiCopilot: true }\n    webhook: { secretEnv: DOCS_SECRET }\n    options: { root: . }\n",
    );
    const byEnv = io(dir, { CONTENT_SYNC_CONFIG: "sources.yaml", INTERCOM_ACCESS_TOKEN: "x" });
    expect(await runCli(["config", "check"], byEnv.ctx)).toBe(0);
    expect(byEnv.out()).toContain("sources.yaml is valid: 1 source(s): docs (filesystem)");
    expect(byEnv.out()).toContain("webhook secret DOCS_SECRET is not set");

    // A production config whose token is missing is a config error naming the variable, not a sandbox run.
    const noToken = io(dir, { CONTENT_SYNC_CONFIG: "sources.yaml" });
    expect(await runCli(["config", "check"], noToken.ctx)).toBe(2);
    expect(noToken.err()).toMatch(/intercom\.tokenEnv: the env var INTERCOM_ACCESS_TOKEN .* is not set/);
    const syncNoToken = io(dir, { CONTENT_SYNC_CONFIG: "sources.yaml" });
    expect(await runCli(["sync", "--all"], syncNoToken.ctx)).toBe(2);
    expect(syncNoToken.err()).toContain("INTERCOM_ACCESS_TOKEN");

    const json = io(dir, { INTERCOM_ACCESS_TOKEN: "x", DOCS_SECRET: "y" });
    expect(await runCli(["config", "check", "--config", file, "--json"], json.ctx)).toBe(0);
    expect(JSON.parse(json.out())).toEqual({ valid: true, file, sources: ["docs"], notes: [] });

    const missing = io(dir);
    expect(await runCli(["config", "check", "nope.yaml"], missing.ctx)).toBe(2);
    expect(missing.err()).toContain(`invalid config ${path.join(dir, "nope.yaml")} (1 problem)`);
    const sub = io(dir);
    expect(await runCli(["config", "lint"], sub.ctx)).toBe(2);
    expect(sub.err()).toContain('unknown config subcommand "lint"');
  });

  it("rejects a connector's bad auth block and a bad request budget, naming the path", async () => {
    const file = path.join(dir, "wp.yaml");
    const source = (options: string, extra = "") =>
      `sources:\n  - id: blog\n    type: wordpress\n    contentImportSource: { url: https://blog.example.com }\n    availability: { aiAgent: true, aiCopilot: true }\n${extra}    options:\n${options}`;
    await writeFile(
      file,
      source("      baseUrl: https://blog.example.com\n      auth: { type: bearer, tokenEnv: not-a-name }\n"),
    );
    const bad = io(dir);
    expect(await runCli(["config", "check", file], bad.ctx)).toBe(2);
    expect(bad.err()).toContain("sources[0].options.auth.tokenEnv");
    expect(bad.err()).toContain("must be the NAME of an environment variable");

    await writeFile(
      file,
      source("      baseUrl: https://blog.example.com\n      auth: { type: basic, usernameEnv: WP_USER }\n"),
    );
    const incomplete = io(dir);
    expect(await runCli(["config", "check", file], incomplete.ctx)).toBe(2);
    expect(incomplete.err()).toContain("sources[0].options.auth.passwordEnv");

    await writeFile(
      file,
      source("      baseUrl: https://blog.example.com\n      auth: { type: oauth-client-credentials }\n"),
    );
    const unsupported = io(dir);
    expect(await runCli(["config", "check", file], unsupported.ctx)).toBe(2);
    expect(unsupported.err()).toContain("sources[0].options.auth.type");

    await writeFile(
      file,
      source("      baseUrl: https://blog.example.com\n", "    requestBudget: { perSecond: 0 }\n"),
    );
    const budget = io(dir);
    expect(await runCli(["config", "check", file], budget.ctx)).toBe(2);
    expect(budget.err()).toContain("sources[0].requestBudget");

    await writeFile(
      file,
      source(
        "      baseUrl: https://blog.example.com\n      auth: { type: basic, usernameEnv: WP_USER, passwordEnv: WP_APP_PASSWORD }\n",
        "    requestBudget: { perMinute: 120 }\n    network: { caFile: ca.pem }\n",
      ),
    );
    const good = io(dir, { INTERCOM_ACCESS_TOKEN: "x" });
    expect(await runCli(["config", "check", file], good.ctx)).toBe(0);
    expect(good.out()).toContain("1 source(s): blog (wordpress)");
  });

  it("names an unknown source and lists the configured ones", async () => {
    const file = path.join(dir, "c.yaml");
    await writeFile(
      file,
      `dataDir: ${path.join(dir, "data")}\nintercom: { target: sandbox }\nsources:\n  - id: docs\n    type: filesystem\n    contentImportSource: { url: https://d.example.com }\n    availability: { aiAgent: false, aiCopilot: true }\n    options: { root: . }\n`,
    );
    const run = io(dir);
    expect(await runCli(["sync", "handbook", "--config", file], run.ctx)).toBe(2);
    expect(run.err()).toContain('unknown source "handbook"');
    expect(run.err()).toContain("configured sources: docs");
  });

  it("turns a command's unexpected error into exit 1 with its message", async () => {
    const failing: CliCommand = {
      name: "boom",
      usage: "Usage: boom",
      run: async () => {
        throw new TypeError("wires crossed");
      },
    };
    const run = io(dir);
    expect(
      await runCli(["boom"], run.ctx, [{ name: "boom", summary: "fails", load: async () => failing }]),
    ).toBe(1);
    expect(run.err()).toContain("content-sync boom failed: TypeError: wires crossed");
  });

  it("prints the version of the package", async () => {
    const version = io(dir);
    expect(await runCli(["--version"], version.ctx)).toBe(0);
    expect(version.out()).toMatch(/^content-sync \d+\.\d+\.\d+\n$/);
  });

  it("suggests the command a typo meant, and says where `worker` went", async () => {
    for (const [typed, meant] of [
      ["synk", "sync"],
      ["stauts", "status"],
      ["serv", "serve"],
      ["backfil", "backfill"],
      ["sandbx", "sandbox"],
    ] as const) {
      const typo = io(dir);
      expect(await runCli([typed], typo.ctx)).toBe(2);
      expect(typo.err()).toContain(`unknown command "${typed}". Did you mean "${meant}"?`);
    }
    const far = io(dir);
    expect(await runCli(["deploy"], far.ctx)).toBe(2);
    expect(far.err()).not.toContain("Did you mean");
    const worker = io(dir);
    expect(await runCli(["worker"], worker.ctx)).toBe(2);
    expect(worker.err()).toContain("npx content-sync-worker");
  });

  it("refuses an unknown --log-level or LOG_LEVEL with exit 2, for every command, before it runs", async () => {
    for (const entry of commands) {
      const flag = io(dir);
      expect(await runCli([entry.name, "--log-level", "loud"], flag.ctx), entry.name).toBe(2);
      expect(flag.err()).toContain(
        `content-sync ${entry.name}: --log-level expects one of fatal|error|warn|info|debug|trace|silent, got "loud"`,
      );
      const equals = io(dir);
      expect(await runCli([entry.name, "--log-level=verbose"], equals.ctx), entry.name).toBe(2);
      const env = io(dir, { LOG_LEVEL: "chatty" });
      expect(await runCli([entry.name, "--help"], env.ctx), entry.name).toBe(2);
      expect(env.err()).toContain(
        'LOG_LEVEL expects one of fatal|error|warn|info|debug|trace|silent, got "chatty"',
      );
    }
    // A valid level is taken by every command, including those that print help.
    const ok = io(dir);
    expect(await runCli(["status", "--log-level", "debug", "--help"], ok.ctx)).toBe(0);
  });
});
