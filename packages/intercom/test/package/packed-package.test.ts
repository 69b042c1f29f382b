import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = path.resolve(import.meta.dirname, "../..");
const repo = path.resolve(packageDir, "../..");
const tsc = path.join(repo, "node_modules/typescript/bin/tsc");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** What a library user writes: the client and the sandbox, from the package's public entry points. */
const USAGE_JS = `
import { IntercomClient, isIntercomError } from "@content-sync/intercom";
import { startSandbox } from "@content-sync/intercom/sandbox";

const sandbox = await startSandbox();
try {
  const client = new IntercomClient({ token: sandbox.token, baseUrl: sandbox.url });
  const source = await client.aiContent.createContentImportSource({ url: "https://docs.example.test/", sync_behavior: "api" });
  for (const id of ["a", "b", "c"]) {
    await client.aiContent.createExternalPage({
      source_id: source.id, external_id: id, title: "Page " + id, html: "<p>" + id + "</p>", locale: "en",
      ai_agent_availability: true, ai_copilot_availability: true,
    });
  }
  const firstPage = await client.aiContent.listExternalPages();
  const ids = [];
  for await (const page of client.aiContent.listExternalPages()) ids.push(page.external_id);
  const refused = await new IntercomClient({ token: "wrong", baseUrl: sandbox.url, maxRetries: 0 }).admins.identify().catch((e) => e);
  console.log(JSON.stringify({ firstPageType: firstPage.type, ids: ids.sort(), refused: isIntercomError(refused) && refused.status }));
} finally {
  await sandbox.close();
}
`;

const USAGE_TS = `
import { IntercomClient, type ExternalPage, type RequestOptions } from "@content-sync/intercom";
import { startSandbox, type RunningSandbox } from "@content-sync/intercom/sandbox";

export async function titles(options: RequestOptions = {}): Promise<string[]> {
  const sandbox: RunningSandbox = await startSandbox({ port: 0 });
  const client = new IntercomClient({ token: sandbox.token, baseUrl: sandbox.url, region: "eu" });
  const first = await client.aiContent.listExternalPages(options);
  const count: number | undefined = first.total_count;
  const all: ExternalPage[] = [];
  for await (const page of client.aiContent.listExternalPages(options)) all.push(page);
  await sandbox.close();
  return [String(count), ...all.map((page) => page.title)];
}

// The package's types catch a wrong use (tsc fails on an unused directive if they do not).
// @ts-expect-error: "mars" is not a region
new IntercomClient({ token: "t", region: "mars" });
`;

/**
 * The package as another tool gets it: packed with `npm pack` (which builds dist/), installed from
 * the tarball into a scratch project outside the workspace, and imported from JavaScript and from
 * TypeScript compiled by tsc, without the workspace's "source" condition.
 */
describe("@content-sync/intercom, packed and installed on its own", { timeout: 300_000 }, () => {
  let scratch: string;
  let tarball: string;
  let packedFiles: string[];

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), "intercom-consumer-"));
    const { stdout } = await run(npm, ["pack", "--json", "--pack-destination", scratch], {
      cwd: packageDir,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    if (!packed) throw new Error(`npm pack printed no result: ${stdout}`);
    tarball = path.join(scratch, packed.filename);
    packedFiles = packed.files.map((file) => file.path);
    await writeFile(
      path.join(scratch, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2),
    );
    // From the local npm cache when it has them (the package's only runtime deps are pino and zod).
    await run(
      npm,
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        tarball,
        "@types/node@20",
      ],
      { cwd: scratch, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_workspaces: "false" } },
    );
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("ships the build, its types and the README, not the tests", async () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/sandbox/index.js",
        "dist/sandbox/index.d.ts",
      ]),
    );
    expect(packedFiles.filter((file) => /\.test\.|^test\//.test(file))).toEqual([]);
    const manifest = JSON.parse(
      await readFile(path.join(scratch, "node_modules/@content-sync/intercom/package.json"), "utf8"),
    );
    expect(manifest.private).toBeUndefined();
    // undici carries the proxy and private-CA support (HTTPS_PROXY, NO_PROXY, a CA file).
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["pino", "undici", "zod"]);
    const readme = await readFile(
      path.join(scratch, "node_modules/@content-sync/intercom/README.md"),
      "utf8",
    );
    expect(readme).toContain("## Operations");
    expect(readme).toContain("`createExternalPage`");
  });

  it("imports the client and the sandbox from JavaScript and works against the sandbox", async () => {
    await writeFile(path.join(scratch, "use.mjs"), USAGE_JS);
    const { stdout } = await run(process.execPath, ["use.mjs"], { cwd: scratch });
    expect(JSON.parse(stdout)).toEqual({ firstPageType: "list", ids: ["a", "b", "c"], refused: 401 });
  });

  it("type-checks a TypeScript consumer under tsc (NodeNext, strict)", async () => {
    await writeFile(path.join(scratch, "use.ts"), USAGE_TS);
    await writeFile(
      path.join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          types: ["node"],
        },
        files: ["use.ts"],
      }),
    );
    const result = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: scratch }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error), failed: true }),
    );
    expect(result.stdout).toBe("");
  });
});
