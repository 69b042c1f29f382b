import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const vitest = path.join(root, "node_modules/vitest/vitest.mjs");

const workspaces = ["packages", "apps"].flatMap((group) =>
  readdirSync(path.join(root, group)).map((name) => path.join(group, name)),
);

/**
 * `npm test --workspace <dir>` runs the workspace's own test script from its folder. Each must find
 * that workspace's tests and only those: listed here with the script's own arguments (`run` → `list`).
 */
describe("per-workspace npm test", () => {
  it.each(workspaces)(
    "%s finds its own test files",
    async (dir) => {
      const manifest = JSON.parse(readFileSync(path.join(root, dir, "package.json"), "utf8")) as {
        scripts?: Record<string, string>;
      };
      const script = manifest.scripts?.test;
      expect(script, `${dir} has a test script`).toMatch(/^vitest run /);
      const args = (script as string).replace(/^vitest run /, "").split(/\s+/);
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [vitest, "list", "--filesOnly", ...args],
        {
          cwd: path.join(root, dir),
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      const files = stdout
        .split("\n")
        .map((line) => line.replace(/^\[[^\]]+\]\s*/, "").trim())
        .filter((line) => line.endsWith(".test.ts"));
      expect(files.length, `${dir}: ${stdout}`).toBeGreaterThan(0);
      for (const file of files) expect(file.startsWith(`${dir}/`), file).toBe(true);
    },
    120_000,
  );
});
