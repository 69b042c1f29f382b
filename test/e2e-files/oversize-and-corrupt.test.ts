import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { RunSummary, SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Connector } from "../../packages/connectors/src/s3/index.js";
import { webdavConnector } from "../../packages/connectors/src/webdav/index.js";
import { CmsSyncHarness } from "../e2e-cms/support/cms-sync-harness.js";

// What a file share really holds next to its articles: a 200 MB export nobody meant to publish, a
// Word file cut off half way through its upload, a PDF that is not one. Each is reported with its
// name (and, when too large, its size) and skipped; the good files sync, nothing is deleted, and a
// second run neither writes nor forgets them. The worker's peak memory over the same files is a
// benchmark (`npm run bench -- large-files`), not an assertion here.

const MB = 1024 * 1024;
const HUGE = 200 * MB;
/** Starts like a DOCX (a ZIP's local file header) and then stops: what an interrupted upload leaves. */
const TRUNCATED_DOCX = Buffer.concat([
  Buffer.from("PK\u0003\u0004\u0014\u0000\u0006\u0000"),
  Buffer.alloc(600, 7),
]);
/** A `%PDF-` header over a body that is no PDF at all. */
const BROKEN_PDF = Buffer.concat([
  Buffer.from("%PDF-1.7\n"),
  Buffer.alloc(4_000, 0x41),
  Buffer.from("\n%%EOF"),
]);

function expectReported(summary: RunSummary, good: number): void {
  expect(summary).toMatchObject({ created: good, deleted: 0, failed: 3 });
  const reasons = new Map(summary.failures.map((failure) => [failure.externalId, failure.reason]));
  const huge = [...reasons].find(([id]) => id.includes("export.pdf"));
  expect(huge?.[1]).toMatch(/export\.pdf/);
  expect(huge?.[1]).toMatch(/209715200 bytes, above maxFileSize/);
  const docx = [...reasons].find(([id]) => id.includes("handover.docx"));
  expect(docx?.[1]).toMatch(/cannot read the DOCX document/);
  const pdf = [...reasons].find(([id]) => id.includes("broken.pdf"));
  expect(pdf?.[1]).toMatch(/cannot read the PDF document/);
  expect(summary.status).not.toBe("succeeded");
}

async function expectSecondRunQuiet(h: CmsSyncHarness, source: SourceConfig, env: Record<string, string>) {
  await h.resetStats();
  const again = await h.run(source, env, "full");
  expect(again).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 3 });
  expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
}

describe("S3 (s3rver): a 200 MB object, a truncated DOCX and a broken PDF are reported and skipped", () => {
  const CHILD = fileURLToPath(new URL("../../packages/connectors/test/s3/s3rver-child.mjs", import.meta.url));
  let server: ChildProcess;
  let directory: string;
  let admin: S3Client;
  let h: CmsSyncHarness;
  let bucket: SourceConfig;
  const env: Record<string, string> = { S3_BIG_KEY: "S3RVER", S3_BIG_SECRET: "S3RVER" };
  const put = (Key: string, Body: string | Buffer) =>
    admin.send(new PutObjectCommand({ Bucket: "exports", Key, Body }));

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "s3rver-big-"));
    server = spawn(process.execPath, ["--openssl-legacy-provider", CHILD, directory, "exports"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const [line] = (await once(server.stdout ?? process.stdin, "data")) as [Buffer];
    env.S3_BIG_ENDPOINT = `http://127.0.0.1:${(JSON.parse(line.toString("utf8")) as { port: number }).port}`;
    admin = new S3Client({
      region: "us-east-1",
      endpoint: env.S3_BIG_ENDPOINT,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    await put("docs/setup.md", "# Setup\n\nInstall it.");
    await put("docs/faq.html", "<html><body><h1>FAQ</h1><p>Answers.</p></body></html>");
    await put("docs/export.pdf", Buffer.alloc(HUGE, 0x20));
    await put("docs/handover.docx", TRUNCATED_DOCX);
    await put("docs/broken.pdf", BROKEN_PDF);
    h = await CmsSyncHarness.start(s3Connector);
    bucket = h.source(
      `
      id: s3-exports
      type: s3
      contentImportSource: { url: "https://exports.example.com" }
      options:
        buckets: [{ bucket: exports, prefixes: [docs/] }]
        endpoint: \${S3_BIG_ENDPOINT}
        forcePathStyle: true
        accessKeyIdEnv: S3_BIG_KEY
        secretAccessKeyEnv: S3_BIG_SECRET
      `,
      env,
    );
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    admin?.destroy();
    server?.stdin?.end();
    if (server && server.exitCode === null) await once(server, "exit");
    await rm(directory, { recursive: true, force: true });
  });

  it("syncs the two articles, names the three files and why, and a second run writes nothing", async () => {
    expectReported(await h.run(bucket, env, "full"), 2);
    expect((await h.pages(bucket)).map((page) => page.external_id)).toEqual([
      "exports/docs/faq.html",
      "exports/docs/setup.md",
    ]);
    await expectSecondRunQuiet(h, bucket, env);
  });
});

// The real Apache mod_dav from test/webdav/setup.sh.
const DAV_ENV_FILE = `${process.env.WEBDAV_TEST_HOME ?? "/var/lib/content-sync-test/webdav"}/webdav.env`;
if (!existsSync(DAV_ENV_FILE))
  throw new Error(`${DAV_ENV_FILE} is missing: run \`bash test/webdav/setup.sh\` as root first`);

describe("WebDAV (Apache mod_dav): a 200 MB file, a truncated DOCX and a broken PDF are reported and skipped", () => {
  const server = Object.fromEntries(
    readFileSync(DAV_ENV_FILE, "utf8")
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  ) as Record<string, string>;
  const auth = `Basic ${Buffer.from(`${server.WEBDAV_USER}:${server.WEBDAV_PASSWORD}`).toString("base64")}`;
  const root = `${server.WEBDAV_URL}big-${randomUUID()}/`;
  const env = { ...server, WEBDAV_BIG_URL: root };
  let h: CmsSyncHarness;
  let share: SourceConfig;

  async function dav(method: string, file: string, body?: string | Buffer): Promise<void> {
    const response = await fetch(new URL(file, root), {
      method,
      headers: { authorization: auth },
      ...(body === undefined ? {} : { body }),
    });
    if (response.status >= 300) throw new Error(`${method} ${file}: ${response.status}`);
  }

  beforeAll(async () => {
    await dav("MKCOL", "");
    await dav("PUT", "setup.md", "# Setup\n\nInstall the agent.");
    await dav("PUT", "export.pdf", Buffer.alloc(HUGE, 0x20));
    await dav("PUT", "handover.docx", TRUNCATED_DOCX);
    await dav("PUT", "broken.pdf", BROKEN_PDF);
    h = await CmsSyncHarness.start(webdavConnector);
    share = h.source(
      `
      id: webdav-exports
      type: webdav
      contentImportSource: { url: "https://intranet.example.com/exports" }
      options:
        url: \${WEBDAV_BIG_URL}
        auth: { type: basic, usernameEnv: WEBDAV_USER, passwordEnv: WEBDAV_PASSWORD }
      `,
      env,
    );
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await fetch(root, { method: "DELETE", headers: { authorization: auth } });
  });

  it("syncs the article, names the three files and why, and a second run writes nothing", async () => {
    expectReported(await h.run(share, env, "full"), 1);
    expect((await h.pages(share)).map((page) => page.external_id)).toEqual(["path:setup.md"]);
    await expectSecondRunQuiet(h, share, env);
  });
});
