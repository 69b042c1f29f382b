import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import { type SchedulerApp, startSchedulerApp } from "@content-sync/scheduler";
import { purgeKeyspace } from "@content-sync/sync";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath } from "./support/chromium-path.js";
import { redisUrl, writeDocuments, writeServiceConfig } from "./support/harness.js";

const ADMIN_TOKEN = "status-page-admin-token";

describe("status page in a real headless browser", () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let app: SchedulerApp;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-status-"));
    await writeDocuments(path.join(dir, "docs"), 7);
    sandbox = await startSandbox();
    const file = path.join(dir, "content-sync.yaml");
    await writeServiceConfig(file, {
      prefix: `cs-test-${randomUUID()}`,
      sandboxUrl: sandbox.url,
      sources: [
        {
          id: "handbook",
          root: path.join(dir, "docs"),
          schedule: '{ cron: "0 3 * * *", timezone: Europe/Paris }',
        },
        { id: "archive", root: path.join(dir, "docs") },
      ],
    });
    app = await startSchedulerApp({
      configFile: file,
      env: {
        TEST_INTERCOM_TOKEN: sandbox.token,
        REDIS_URL: redisUrl(),
        CONTENT_SYNC_ADMIN_TOKEN: ADMIN_TOKEN,
      },
      port: 0,
      host: "127.0.0.1",
      withWorker: true,
      watchConfig: false,
    });
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (app) {
      await app.worker?.close();
      await purgeKeyspace(app.context.connection, app.context.keyspace);
      await app.close();
    }
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the sources and shows a run\'s counts after "sync now"', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/status`);
    const handbook = page.locator('section[data-source="handbook"]');
    await handbook.waitFor();
    await expect(page.locator('section[data-source="archive"]').textContent()).resolves.toContain(
      "archive (filesystem)",
    );
    await expect(handbook.textContent()).resolves.toContain("incremental 0 3 * * * Europe/Paris");
    // A first start is a recovery: each source's state is built from Intercom by a full run at once.
    const recovery = page.locator('section[data-source="handbook"] tr.run').first();
    await recovery.waitFor({ timeout: 20_000 });
    await expect(recovery.locator('td[data-count="created"]').textContent()).resolves.toBe("7");

    // Without the token the page is a summary and the button is refused; the answer stays on screen
    // through the page's periodic re-renders.
    await page.getByText("Summary: document errors and failed jobs need the admin token.").waitFor();
    await handbook.getByRole("button", { name: "Sync now" }).click();
    await handbook
      .locator('[data-message="sync"]', { hasText: "refused: admin token missing or wrong" })
      .waitFor();
    // The answer is page state, not an element: the next periodic refresh redraws it.
    await page.waitForResponse((response) => response.url().endsWith("/api/status"));
    await handbook
      .locator('[data-message="sync"]', { hasText: "refused: admin token missing or wrong" })
      .waitFor();

    await page.fill("#admin-token", ADMIN_TOKEN);
    await page.dispatchEvent("#admin-token", "change");
    await page.locator('section[data-source="handbook"]').getByRole("button", { name: "Sync now" }).click();
    const run = page.locator('section[data-source="handbook"] tr.run').nth(1);
    await run.waitFor({ timeout: 20_000 });
    const newest = page.locator('section[data-source="handbook"] tr.run').first();
    await expect(newest.locator('td[data-count="unchanged"]').textContent()).resolves.toBe("7");
    await expect(newest.locator('td[data-count="failed"]').textContent()).resolves.toBe("0");
    await expect(newest.textContent()).resolves.toContain("succeeded");
    // Both sources were recovered at start (7 pages each); "sync now" wrote nothing new.
    expect(sandbox.store.pageCount).toBe(14);
    await page.close();
  }, 60_000);
});
