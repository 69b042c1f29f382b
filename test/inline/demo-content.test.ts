import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSandbox } from "@content-sync/intercom/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repo, "apps/scheduler/src/bin.ts");
const tsx = import.meta.resolve("tsx");

/** The arguments `npm start` gives the CLI (everything after the script path in package.json). */
async function startArguments(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(repo, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const words = (manifest.scripts.start ?? "").split(/\s+/);
  const script = words.findIndex((word) => /bin\.(ts|js)$/.test(word));
  if (script < 0)
    throw new Error(`package.json's start script does not run the CLI: ${manifest.scripts.start}`);
  return words.slice(script + 1);
}

/** The page's first element, as Fin reads it: tag and text. */
function firstElement(html: string): { tag: string; text: string } {
  const match = /^\s*<([a-z0-9]+)[^>]*>([\s\S]*?)<\/\1>/i.exec(html);
  return { tag: match?.[1]?.toLowerCase() ?? "", text: match?.[2]?.replace(/<[^>]+>/g, "").trim() ?? "" };
}

/**
 * What a new user sees first: `npm start` syncs config/demo-docs into the embedded sandbox. Run with
 * npm start's own arguments in a scratch copy of config/, then read the pages the sandbox kept.
 */
describe("the demo as Fin receives it", { timeout: 120_000 }, () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-demo-"));
    await cp(path.join(repo, "config"), path.join(dir, "config"), { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "silent" };
    delete env.INTERCOM_ACCESS_TOKEN;
    const args = await startArguments();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ["--conditions=source", "--import", tsx, bin, ...args], {
        cwd: dir,
        env,
        stdio: "ignore",
      });
      child.on("error", reject);
      child.on("close", resolve);
    });
    expect(code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("gives every article its own title and starts it with that heading, not with front matter", async () => {
    const sandbox = await startSandbox({ port: 0, dataFile: path.join(dir, ".data/sandbox.json") });
    try {
      const pages = sandbox.store
        .listPages()
        .map((page) => ({ id: page.external_id, title: page.title, first: firstElement(page.html) }))
        .sort((a, b) => a.id.localeCompare(b.id));
      expect(pages).toEqual([
        {
          id: "billing/change-your-plan.md",
          title: "Change your plan",
          first: { tag: "h1", text: "Change your plan" },
        },
        {
          id: "billing/invoices-and-receipts.html",
          title: "Invoices and receipts",
          first: { tag: "h1", text: "Invoices and receipts" },
        },
        {
          id: "getting-started/connect-a-data-source.md",
          title: "Connect your first data source",
          first: { tag: "h1", text: "Connect your first data source" },
        },
        {
          id: "getting-started/create-your-account.md",
          title: "Create your account",
          first: { tag: "h1", text: "Create your account" },
        },
        {
          // Plain text has no markup: the file name is the title and the first line a paragraph.
          id: "troubleshooting/reset-two-factor-authentication.txt",
          title: "reset-two-factor-authentication",
          first: { tag: "p", text: "Reset two-factor authentication" },
        },
        {
          id: "troubleshooting/sync-is-delayed.md",
          title: "My data source sync is delayed",
          first: { tag: "h1", text: "My data source sync is delayed" },
        },
      ]);
      for (const page of sandbox.store.listPages()) {
        expect(page.html).not.toMatch(/<hr|title:/);
      }
    } finally {
      await sandbox.close();
    }
  });
});
