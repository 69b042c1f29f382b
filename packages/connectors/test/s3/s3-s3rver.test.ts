import { mkdtemp, rm } from "node:fs/promises";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListedDocument, SourceEvent } from "../../src/contract.js";
import { isConnectorError } from "../../src/errors.js";
import { s3Connector } from "../../src/s3/index.js";

// s3rver: a local server speaking the S3 REST protocol (SigV4 checked, access key S3RVER/S3RVER).
const logger = pino({ level: "silent" });
const ctx = () => ({ signal: new AbortController().signal, logger });
const env = { S3_KEY: "S3RVER", S3_SECRET: "S3RVER" };
let server: ChildProcess;
let endpoint: string;
let directory: string;
let admin: S3Client;

const put = (Bucket: string, Key: string, Body: string) =>
  admin.send(new PutObjectCommand({ Bucket, Key, Body }));

function connector(options: Record<string, unknown> = {}, environment: Record<string, string> = env) {
  const parsed = s3Connector.optionsSchema.parse({
    buckets: [{ bucket: "docs" }, { bucket: "wiki", prefixes: ["public/"] }],
    endpoint,
    forcePathStyle: true,
    accessKeyIdEnv: "S3_KEY",
    secretAccessKeyEnv: "S3_SECRET",
    pageSize: 2,
    ...options,
  });
  return s3Connector.create(parsed, { sourceId: "bucket", logger, env: environment });
}

async function collect(iterable: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}
const documents = (events: SourceEvent[]) =>
  new Map(
    events.flatMap((event): [string, ListedDocument][] =>
      event.kind === "document" ? [[event.document.externalId, event.document]] : [],
    ),
  );
const versions = async () =>
  new Map([...documents(await collect(connector().listAll(ctx())))].map(([id, doc]) => [id, doc.version]));

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "s3rver-"));
  server = spawn(
    process.execPath,
    [
      "--openssl-legacy-provider",
      fileURLToPath(new URL("./s3rver-child.mjs", import.meta.url)),
      directory,
      "docs",
      "wiki",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const [line] = (await once(server.stdout ?? process.stdin, "data")) as [Buffer];
  const address = JSON.parse(line.toString("utf8")) as { port: number };
  endpoint = `http://127.0.0.1:${address.port}`;
  admin = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    // s3rver predates the SDK's default CRC32 trailers.
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  await put("docs", "a.md", "# A");
  await put("docs", "guides/b.md", "# B\n\nbody");
  await put("docs", "guides/c.html", "<p>C</p>");
  await put("docs", "guides/d.txt", "d text");
  await put("docs", "logo.png", "not an image");
  await put("wiki", "public/w.md", "# W");
  await put("wiki", "private/secret.md", "# hidden");
});

afterAll(async () => {
  admin?.destroy();
  server?.stdin?.end();
  if (server && server.exitCode === null) await once(server, "exit");
  await rm(directory, { recursive: true, force: true });
});

describe("s3 connector against s3rver", () => {
  it("lists every key of every bucket and prefix across continuation pages and loads bodies", async () => {
    const docs = documents(await collect(connector().listAll(ctx())));
    expect([...docs.keys()].sort()).toEqual([
      "docs/a.md",
      "docs/guides/b.md",
      "docs/guides/c.html",
      "docs/guides/d.txt",
      "wiki/public/w.md",
    ]);
    const b = await docs.get("docs/guides/b.md")?.load();
    expect(b?.body).toEqual({ kind: "markdown", markdown: "# B\n\nbody" });
    expect(b?.metadata).toMatchObject({ path: "guides/b.md", space: "docs" });
    expect(b?.title).toBe("b");
  });

  it("keeps versions of unchanged keys, changes them on overwrite, and drops deleted keys", async () => {
    await put("docs", "change.md", "# one");
    await put("docs", "gone.md", "# gone");
    const before = await versions();
    expect(await versions()).toEqual(before);
    await put("docs", "change.md", "# two, longer");
    await admin.send(new DeleteObjectCommand({ Bucket: "docs", Key: "gone.md" }));
    const after = await versions();
    expect(after.get("docs/change.md")).not.toBe(before.get("docs/change.md"));
    expect(after.get("docs/a.md")).toBe(before.get("docs/a.md"));
    expect(after.has("docs/gone.md")).toBe(false);
  });

  it("uses a multipart ETag only as an opaque version", async () => {
    const upload = await admin.send(new CreateMultipartUploadCommand({ Bucket: "docs", Key: "multi.md" }));
    const part = await admin.send(
      new UploadPartCommand({
        Bucket: "docs",
        Key: "multi.md",
        UploadId: upload.UploadId,
        PartNumber: 1,
        Body: "# Multi",
      }),
    );
    await admin.send(
      new CompleteMultipartUploadCommand({
        Bucket: "docs",
        Key: "multi.md",
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] },
      }),
    );
    const doc = documents(await collect(connector().listAll(ctx()))).get("docs/multi.md");
    // s3rver answers an MD5-shaped ETag here, AWS `"…-1"`: either way it is only compared with itself.
    expect(doc?.version).toMatch(/^"[0-9a-f]+(-1)?":7:/);
    expect((await doc?.load())?.body).toEqual({ kind: "markdown", markdown: "# Multi" });
  });

  it("fetches by id and reports unknown or out-of-scope keys as missing", async () => {
    const events = await collect(
      connector().fetchByIds(["docs/a.md", "docs/nope.md", "wiki/private/secret.md"], ctx()),
    );
    expect(events.map((event) => event.kind)).toEqual(["document", "missing", "missing"]);
  });

  it("scopes by globs, media types and maxFileSize (reported with name and size)", async () => {
    const events = await collect(
      connector({
        buckets: [{ bucket: "docs", prefixes: ["guides/"] }],
        exclude: ["**/*.txt"],
        maxFileSize: 8,
      }).listAll(ctx()),
    );
    expect(
      events
        .map(
          (event) =>
            `${event.kind}:${"externalId" in event ? event.externalId : event.kind === "document" ? event.document.externalId : ""}`,
        )
        .sort(),
    ).toEqual(["document:docs/guides/c.html", "failed:docs/guides/b.md"]);
    const failed = events.find((event) => event.kind === "failed");
    expect(failed?.kind === "failed" && failed.error.message).toBe(
      "docs/guides/b.md is 9 bytes, above maxFileSize (8 bytes); skipped",
    );
  });

  it("throws for the run on a refused secret or a missing bucket", async () => {
    const refused = await collect(
      connector({}, { S3_KEY: "AKIAUNKNOWNKEY", S3_SECRET: "wrong-secret" }).listAll(ctx()),
    ).catch((error: unknown) => error);
    expect(isConnectorError(refused) && refused.kind).toBe("auth");
    expect((refused as Error).message).toContain("env vars S3_KEY and S3_SECRET");
    expect((refused as Error).message).not.toContain("wrong-secret");
    const missing = await collect(
      connector({ buckets: [{ bucket: "docs" }, { bucket: "nosuch" }] }).listAll(ctx()),
    ).catch((error: unknown) => error);
    expect(isConnectorError(missing) && missing.kind).toBe("config");
  });

  it("waits out a 429 SlowDown with Retry-After (the toolkit's retry) and then lists", async () => {
    // A pass-through in front of s3rver that refuses the first request, as S3 does under load.
    let refused = 0;
    const target = new URL(endpoint);
    const proxy = createServer((req, res) => {
      if (refused === 0) {
        refused += 1;
        res.writeHead(429, { "retry-after": "1", "content-type": "application/xml" });
        res.end("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
        return;
      }
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = proxy.address() as { port: number };
      const docs = documents(
        await collect(
          connector({ endpoint: `http://127.0.0.1:${port}`, buckets: [{ bucket: "wiki" }] }).listAll(ctx()),
        ),
      );
      expect(refused).toBe(1);
      expect([...docs.keys()].sort()).toEqual(["wiki/private/secret.md", "wiki/public/w.md"]);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("rejects bad options with clear paths", () => {
    const result = s3Connector.optionsSchema.safeParse({
      buckets: [{ bucket: "Bad_Name" }],
      accessKeyIdEnv: "K",
      secretAccessKeyEnv: "secret value",
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join(".")).sort()).toEqual([
      "buckets.0.bucket",
      "secretAccessKeyEnv",
    ]);
  });
});
