import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Connector } from "../../packages/connectors/src/s3/index.js";
import { CmsSyncHarness } from "../e2e-cms/support/cms-sync-harness.js";

// s3rver (the connectors' test server, in its own process) → the engine → the Intercom sandbox.
const CHILD = fileURLToPath(new URL("../../packages/connectors/test/s3/s3rver-child.mjs", import.meta.url));

describe("S3 (s3rver) → sync engine → Intercom sandbox, end to end", () => {
  let server: ChildProcess;
  let directory: string;
  let admin: S3Client;
  let h: CmsSyncHarness;
  let bucket: SourceConfig;
  const env: Record<string, string> = { S3_E2E_KEY: "S3RVER", S3_E2E_SECRET: "S3RVER" };
  const put = (Key: string, Body: string) =>
    admin.send(new PutObjectCommand({ Bucket: "handbook", Key, Body }));

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "s3rver-e2e-"));
    server = spawn(process.execPath, ["--openssl-legacy-provider", CHILD, directory, "handbook"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const [line] = (await once(server.stdout ?? process.stdin, "data")) as [Buffer];
    env.S3_E2E_ENDPOINT = `http://127.0.0.1:${(JSON.parse(line.toString("utf8")) as { port: number }).port}`;
    admin = new S3Client({
      region: "us-east-1",
      endpoint: env.S3_E2E_ENDPOINT,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    await put("docs/setup.md", "# Setup\n\nInstall it.");
    await put("docs/faq.html", "<html><body><h1>FAQ</h1><p>Answers.</p></body></html>");
    await put("docs/notes.txt", "Plain notes.");
    h = await CmsSyncHarness.start(s3Connector);
    bucket = h.source(
      `
      id: s3-handbook
      type: s3
      contentImportSource: { url: "https://handbook.example.com" }
      options:
        buckets: [{ bucket: handbook, prefixes: [docs/] }]
        endpoint: \${S3_E2E_ENDPOINT}
        forcePathStyle: true
        accessKeyIdEnv: S3_E2E_KEY
        secretAccessKeyEnv: S3_E2E_SECRET
        pageSize: 2
        urlTemplate: "https://handbook.example.com/{slug}"
      `,
      env,
    );
  });

  afterAll(async () => {
    await h?.close();
    admin?.destroy();
    server?.stdin?.end();
    if (server && server.exitCode === null) await once(server, "exit");
    await rm(directory, { recursive: true, force: true });
  });

  it("first full sync creates one page per object, a second writes nothing", async () => {
    expect(await h.run(bucket, env, "full")).toMatchObject({ created: 3, updated: 0, deleted: 0, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 3, deletes: 0, sourcesCreated: 1 });
    expect(await h.page(bucket, "handbook/docs/setup.md")).toMatchObject({
      url: "https://handbook.example.com/handbook/docs/setup",
    });
    await h.resetStats();
    expect(await h.run(bucket, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 3,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });

  it("an overwrite, a deletion and a move (copy + delete) become exact writes", async () => {
    await put("docs/setup.md", "# Setup\n\nInstall it, then log in.");
    await admin.send(new DeleteObjectCommand({ Bucket: "handbook", Key: "docs/notes.txt" }));
    await put("docs/archive/faq.html", "<html><body><h1>FAQ</h1><p>Answers.</p></body></html>");
    await admin.send(new DeleteObjectCommand({ Bucket: "handbook", Key: "docs/faq.html" }));
    await h.resetStats();
    expect(await h.run(bucket, env, "full")).toMatchObject({ created: 1, updated: 1, deleted: 2, failed: 0 });
    expect(await h.writes()).toMatchObject({ upserts: 2, deletes: 2 });
    expect((await h.pages(bucket)).map((page) => page.external_id).sort()).toEqual([
      "handbook/docs/archive/faq.html",
      "handbook/docs/setup.md",
    ]);
    await h.resetStats();
    expect(await h.run(bucket, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 2,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });
});
