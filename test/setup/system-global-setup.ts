import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const script = path.join(import.meta.dirname, "prepare-system.sh");

/** What each vitest project needs from the system beyond Node and Redis. */
const NEEDS: Readonly<Record<string, readonly string[]>> = {
  "@content-sync/connectors": ["wordpress", "webdav", "mediawiki"],
  "@content-sync/e2e": ["chromium", "promtool", "wordpress-e2e", "webdav", "mediawiki"],
};

/**
 * Vitest global setup of the projects listed above: runs test/setup/prepare-system.sh once, before
 * the project's suites, for what the project needs (installing with apt as root, the way CI does).
 * A missing prerequisite does not stop the run here: the suites that need it fail saying what to
 * install, and the others still run.
 */
export default async function setup(project: { name: string }): Promise<void> {
  const needs = NEEDS[project.name] ?? [];
  if (needs.length === 0) return;
  try {
    await promisify(execFile)("bash", [script, ...needs], {
      timeout: 1_800_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    process.stderr.write(`test prerequisites of ${project.name} incomplete:\n${stderr ?? String(error)}\n`);
  }
}
