import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSandbox } from "@content-sync/intercom/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repo, "apps/scheduler/src/bin.ts");
const tsx = import.meta.resolve("tsx");

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `content-sync` binary in a child process, with no Intercom token in its environment. */
function cli(args: string[], cwd: string): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "silent" };
  delete env.INTERCOM_ACCESS_TOKEN;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", tsx, bin, ...args], {
      cwd,
      env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

type JsonLine = { type: string; [key: string]: unknown };
const jsonLines = (stdout: string): JsonLine[] =>
  stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as JsonLine);
const summaryOf = (result: CliResult) => jsonLines(result.stdout).find((line) => line.type === "summary");

// Each test starts the real binary (node + tsx) several times; on a busy machine that takes seconds each.
describe("content-sync inline CLI, end to end (no token, no Redis)", { timeout: 120_000 }, () => {
  let dir: string;
  let docs: string;
  let config: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-cli-"));
    docs = path.join(dir, "docs");
    await cp(path.join(repo, "config/demo-docs"), docs, { recursive: true });
    // The shipped demo config, pointed at a copy of its documents and a private data folder.
    const demo = await readFile(path.join(repo, "config/demo.yaml"), "utf8");
    config = path.join(dir, "demo.yaml");
    await writeFile(
      config,
      `dataDir: ${path.join(dir, "data")}\n${demo.replace("./config/demo-docs", docs)}`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("syncs the demo into the embedded sandbox, then finds everything unchanged with zero writes", async () => {
    const first = await cli(["sync", "--all", "--config", config, "--json"], dir);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const lines = jsonLines(first.stdout);
    expect(lines[0]).toMatchObject({
      type: "target",
      kind: "sandbox",
      dataFile: path.join(dir, "data/sandbox.json"),
    });
    expect(summaryOf(first)).toMatchObject({
      sourceId: "demo-help-center",
      created: 6,
      failed: 0,
      deleted: 0,
    });
    expect(lines.at(-1)).toEqual({ type: "result", ok: true, interrupted: false, sources: 1 });

    const second = await cli(["sync", "demo-help-center", "--config", config, "--json"], dir);
    expect(second.code).toBe(0);
    expect(summaryOf(second)).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 6,
      writeCalls: 0,
    });

    // The pages outlive the process: a sandbox started on the data file serves them.
    const sandbox = await startSandbox({ port: 0, dataFile: path.join(dir, "data/sandbox.json") });
    try {
      const pages = sandbox.store.listPages();
      expect(pages.map((page) => page.external_id).sort()).toEqual([
        "billing/change-your-plan.md",
        "billing/invoices-and-receipts.html",
        "getting-started/connect-a-data-source.md",
        "getting-started/create-your-account.md",
        "troubleshooting/reset-two-factor-authentication.txt",
        "troubleshooting/sync-is-delayed.md",
      ]);
      const reset = pages.find((page) => page.external_id.startsWith("troubleshooting/reset"));
      expect(reset).toMatchObject({ ai_agent_availability: false, ai_copilot_availability: true });
      const invoices = pages.find((page) => page.external_id.endsWith(".html"));
      expect(invoices?.html).not.toContain("analytics");
      expect(invoices?.url).toBe("https://help.example.com/articles/billing/invoices-and-receipts");
    } finally {
      await sandbox.close();
    }
  });

  it("prints a summary table and where to look in human mode", async () => {
    const result = await cli(["sync", "--all", "--config", config], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("embedded Intercom sandbox");
    expect(result.stdout).toMatch(/source\s+mode\s+created\s+updated\s+unchanged/);
    expect(result.stdout).toMatch(/demo-help-center\s+full\s+0\s+0\s+6/);
    expect(result.stdout).toContain("no write calls were made");
    expect(result.stdout).toContain(`npx content-sync sandbox --data ${path.join("data", "sandbox.json")}`);
  });

  it("plans a deletion and an update without writing, then applies exactly those", async () => {
    await unlink(path.join(docs, "billing/change-your-plan.md"));
    await writeFile(
      path.join(docs, "troubleshooting/sync-is-delayed.md"),
      "# My data source sync is delayed\n\nRetry.\n",
    );
    const plan = await cli(["plan", "--all", "--config", config, "--json"], dir);
    expect(plan.code).toBe(0);
    expect(summaryOf(plan)).toMatchObject({ dryRun: true, updated: 1, deleted: 1, writeCalls: 0 });

    const applied = await cli(["sync", "--all", "--config", config, "--json"], dir);
    expect(summaryOf(applied)).toMatchObject({
      dryRun: false,
      updated: 1,
      deleted: 1,
      unchanged: 4,
      writeCalls: 2,
    });
  });

  it("exits 1 and names the document when one fails, syncing the rest", async () => {
    await writeFile(path.join(docs, "empty.md"), "---\ntitle: Empty\n---\n");
    const result = await cli(["sync", "--all", "--config", config, "--json"], dir);
    expect(result.code).toBe(1);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ failed: 1, unchanged: 5 });
    expect(summary?.failures).toEqual([
      { externalId: "empty.md", reason: expect.stringContaining("no text") },
    ]);
    await unlink(path.join(docs, "empty.md"));
  });

  it("rejects a broken config with its file, line and path, and unknown flags, with exit code 2", async () => {
    const broken = path.join(dir, "broken.yaml");
    await writeFile(
      broken,
      "sources:\n  - id: demo\n    type: filesystem\n    contentImportSource: { url: https://x.example.com }\n    options: { root: 5 }\n",
    );
    const check = await cli(["config", "check", broken], dir);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(
      `${broken}:5:22 sources[0].options.root: expected string, received number`,
    );

    const ok = await cli(["config", "check", config], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("is valid: 1 source(s): demo-help-center (filesystem)");

    const typo = await cli(["sync", "--all", "--dry-runn", "--config", config], dir);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown flag --dry-runn");
  });

  it("says what failed when nothing reached Intercom: a missing token is exit 2, a refused listing is never 'up to date'", async () => {
    const prod = path.join(dir, "prod.yaml");
    const demo = await readFile(config, "utf8");
    await writeFile(prod, demo.replace(/^ {2}target: sandbox$/m, "  tokenEnv: PROD_TOKEN_THAT_IS_NOT_SET"));
    const noToken = await cli(["sync", "--all", "--config", prod], dir);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(
      /intercom\.tokenEnv: the env var PROD_TOKEN_THAT_IS_NOT_SET .* is not set/,
    );
    expect(noToken.stdout).not.toContain("up to date");

    const gone = path.join(dir, "gone.yaml");
    await writeFile(gone, (await readFile(config, "utf8")).replace(docs, path.join(dir, "no-such-share")));
    const refused = await cli(["sync", "--all", "--config", gone], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).not.toContain("up to date");
    expect(refused.stdout).toMatch(
      /failed: the listing failed before it yielded a single document: .*nothing was synced or deleted/,
    );
  });

  it("removes a source that left the config: its pages and Content Import Source, after confirmation", async () => {
    await cli(["sync", "--all", "--config", config], dir);
    const before = await startSandbox({ port: 0, dataFile: path.join(dir, "data/sandbox.json") });
    const pagesBefore = before.store.listPages().length;
    await before.close();
    expect(pagesBefore).toBeGreaterThan(0);
    const other = path.join(dir, "other.yaml");
    // The same data folder and sandbox, but the demo source is no longer configured.
    await writeFile(
      other,
      (await readFile(config, "utf8"))
        .replace("id: demo-help-center", "id: other-docs")
        .replace("https://help.example.com/", "https://other.example.com/"),
    );
    const refusedWhileConfigured = await cli(
      ["remove-source", "demo-help-center", "--config", config, "--yes"],
      dir,
    );
    expect(refusedWhileConfigured.code).toBe(2);
    expect(refusedWhileConfigured.stderr).toContain("still in");
    const unconfirmed = await cli(["remove-source", "demo-help-center", "--config", other], dir);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("not confirmed: nothing was deleted (pass --yes");
    const removed = await cli(["remove-source", "demo-help-center", "--config", other, "--yes"], dir);
    expect(removed.stderr).toBe("");
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(
      new RegExp(`demo-help-center: ${pagesBefore} page\\(s\\) deleted; Content Import Source \\d+ deleted`),
    );
    const sandbox = await startSandbox({ port: 0, dataFile: path.join(dir, "data/sandbox.json") });
    try {
      expect(sandbox.store.listPages()).toEqual([]);
      expect(sandbox.store.listSources()).toEqual([]);
    } finally {
      await sandbox.close();
    }
    // Its state is gone too: a second removal has nothing to do.
    expect((await cli(["remove-source", "demo-help-center", "--config", other, "--yes"], dir)).code).toBe(2);
  });
});
