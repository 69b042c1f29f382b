import { chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildSampleDocx, buildSamplePdf } from "../../test/transforms/sample-documents.js";
import type { FetchedDocument, ListContext, ListedDocument, SourceEvent } from "../contract.js";
import { isConnectorError } from "../errors.js";
import { toCleanHtml } from "../transforms/to-clean-html.js";
import { filesystemConnector } from "./filesystem-connector.js";
import { isFilesystemFileError } from "./filesystem-file-error.js";
import type { FilesystemOptions } from "./filesystem-options.js";

const logger = pino({ level: "silent" });
const ctx = (): ListContext => ({ signal: new AbortController().signal, logger });
const isRoot = process.getuid?.() === 0;

let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), "content-sync-fs-"));
  root = path.join(base, "share");
  await mkdir(root);
});

afterEach(async () => {
  // Restore permissions first: rm cannot enter a folder it cannot read.
  await chmod(path.join(root, "locked"), 0o755).catch(() => undefined);
  await rm(base, { recursive: true, force: true });
});

async function put(relativePath: string, content: string | Uint8Array): Promise<string> {
  const absolute = path.join(root, relativePath);
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeFile(absolute, content);
  return absolute;
}

function connect(options: Partial<FilesystemOptions> = {}) {
  const parsed = filesystemConnector.optionsSchema.parse({ root, ...options });
  return filesystemConnector.create(parsed, { sourceId: "share", logger, env: {} });
}

async function collect(events: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const result: SourceEvent[] = [];
  for await (const event of events) result.push(event);
  return result;
}

const byId = (events: SourceEvent[]) =>
  Object.fromEntries(
    events.map((event) => [
      event.kind === "document" ? event.document.externalId : "externalId" in event ? event.externalId : "",
      event,
    ]),
  );

function documents(events: SourceEvent[]): Map<string, ListedDocument> {
  return new Map(
    events.flatMap((event) =>
      event.kind === "document" ? [[event.document.externalId, event.document] as const] : [],
    ),
  );
}

const failures = (events: SourceEvent[]) =>
  Object.fromEntries(
    events.flatMap((event) => (event.kind === "failed" ? [[event.externalId, event.error]] : [])),
  );

async function loadId(options: Partial<FilesystemOptions>, id: string): Promise<FetchedDocument> {
  const events = await collect(connect(options).fetchByIds([id], ctx()));
  const event = events[0];
  if (event?.kind !== "document")
    throw new Error(`expected a document for ${id}, got ${JSON.stringify(event)}`);
  return event.document.load();
}

describe("filesystem connector: listing", () => {
  it("walks nested folders, applies the default include and exclude globs, and uses relative ids", async () => {
    await put("README.md", "# Readme");
    await put("guides/setup/Install Guide.html", "<h1>Install</h1>");
    await put("guides/notes.TXT", "notes");
    await put("guides/image.png", "png");
    await put(".hidden.md", "# hidden");
    await put(".git/HEAD.md", "# not a document");
    await put("node_modules/pkg/README.md", "# dependency");
    const events = await collect(connect().listAll(ctx()));
    expect(events.every((event) => event.kind === "document")).toBe(true);
    expect([...documents(events).keys()].sort()).toEqual([
      "README.md",
      "guides/notes.TXT",
      "guides/setup/Install Guide.html",
    ]);
    const install = documents(events).get("guides/setup/Install Guide.html");
    expect(install?.metadata).toEqual({
      path: "guides/setup/Install Guide.html",
      type: "html",
      name: "Install Guide.html",
      directory: "guides/setup",
      space: "guides",
    });
    expect(documents(events).get("README.md")?.metadata).toEqual({
      path: "README.md",
      type: "md",
      name: "README.md",
    });
  });

  it("honours custom include and exclude globs, and reports included files of unsupported types", async () => {
    await put("public/a.md", "# A");
    await put("public/drafts/b.md", "# B");
    await put("public/logo.png", "png");
    await put("private/c.md", "# C");
    const events = await collect(
      connect({ include: ["public/**"], exclude: ["**/drafts/**"] }).listAll(ctx()),
    );
    expect([...documents(events).keys()]).toEqual(["public/a.md"]);
    const failed = failures(events);
    expect(Object.keys(failed)).toEqual(["public/logo.png"]);
    expect(isFilesystemFileError(failed["public/logo.png"]) && failed["public/logo.png"].reason).toBe(
      "unsupported",
    );
  });

  it("gives a version from mtime and size that changes when the file is edited", async () => {
    const file = await put("doc.md", "# One");
    await utimes(file, new Date("2024-01-01T00:00:00Z"), new Date("2024-01-01T00:00:00Z"));
    const first = documents(await collect(connect().listAll(ctx()))).get("doc.md");
    expect(first?.version).toBe(`${Date.parse("2024-01-01T00:00:00Z")}-5`);
    expect(first?.updatedAt?.toISOString()).toBe("2024-01-01T00:00:00.000Z");
    const unchanged = documents(await collect(connect().listAll(ctx()))).get("doc.md");
    expect(unchanged?.version).toBe(first?.version);
    await writeFile(file, "# One, edited");
    await utimes(file, new Date("2024-01-02T00:00:00Z"), new Date("2024-01-02T00:00:00Z"));
    const edited = documents(await collect(connect().listAll(ctx()))).get("doc.md");
    expect(edited?.version).toBe(`${Date.parse("2024-01-02T00:00:00Z")}-13`);
    const loaded = await edited?.load();
    expect(loaded?.version).toBe(edited?.version);
  });

  it("reports files over maxFileBytes as failed without reading them", async () => {
    await put("small.txt", "ok");
    await put("big.txt", "x".repeat(2048));
    const events = await collect(connect({ maxFileBytes: 1024 }).listAll(ctx()));
    expect([...documents(events).keys()]).toEqual(["small.txt"]);
    const error = failures(events)["big.txt"];
    expect(isFilesystemFileError(error) && error.reason).toBe("too_large");
    expect(error?.message).toContain("2048 bytes");
  });

  it("throws a config error naming the root when it is missing or not a folder", async () => {
    const missing = path.join(base, "nope");
    const error = await collect(connect({ root: missing }).listAll(ctx())).catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("config");
    expect((error as Error).message).toContain(missing);
    const file = await put("file.md", "# x");
    const notFolder = await collect(connect({ root: file }).listAll(ctx())).catch(
      (caught: unknown) => caught,
    );
    expect(isConnectorError(notFolder) && notFolder.message).toContain("is not a directory");
    const byIds = await collect(connect({ root: missing }).fetchByIds(["a.md"], ctx())).catch(
      (caught: unknown) => caught,
    );
    expect(isConnectorError(byIds) && byIds.kind).toBe("config");
  });

  it("reports a followed link it cannot resolve as failed in the listing, not deleted, and goes on", async () => {
    await put("readable.md", "# Fine");
    await symlink(path.join(root, "gone.md"), path.join(root, "unreadable.md"));
    const events = await collect(connect({ followSymlinks: true }).listAll(ctx()));
    expect([...documents(events).keys()]).toEqual(["readable.md"]);
    const error = failures(events)["unreadable.md"];
    expect(isFilesystemFileError(error) && error.reason).toBe("unreadable");
    expect(events.some((event) => event.kind === "deleted")).toBe(false);
  });

  it("lists a file it cannot read (so it is never deleted) and fails its load as unreadable", async () => {
    await put("readable.md", "# Fine");
    const secret = await put("secret.md", "# Secret");
    if (!isRoot) await chmod(secret, 0o000);
    const listed = documents(await collect(connect().listAll(ctx())));
    expect([...listed.keys()].sort()).toEqual(["readable.md", "secret.md"]);
    if (isRoot) {
      // Mode bits do not stop root; a file swapped for a link after the listing is refused at open
      // (O_NOFOLLOW) just like a file without read permission.
      await rm(secret);
      await symlink(path.join(root, "readable.md"), secret);
    }
    const error = await listed
      .get("secret.md")
      ?.load()
      .catch((caught: unknown) => caught);
    expect(isFilesystemFileError(error) && error.reason).toBe("unreadable");
    expect(isFilesystemFileError(error) && error.code).toBe(isRoot ? "ELOOP" : "EACCES");
    expect(await listed.get("readable.md")?.load()).toMatchObject({ body: { markdown: "# Fine" } });
  });

  it("yields what it can, then throws when a folder cannot be read, so nothing gets deleted", async () => {
    await put("top.md", "# Top");
    await put("locked/inside.md", "# Inside");
    if (!isRoot) await chmod(path.join(root, "locked"), 0o000);
    const listing = connect().listAll(ctx());
    const seen: SourceEvent[] = [];
    const error = await (async () => {
      for await (const event of listing) {
        seen.push(event);
        if (isRoot && seen.length === 1) {
          // Permissions do not stop root, so replace the folder with a file after the root folder
          // was read and before the walk enters it: opening it then fails (ENOTDIR).
          await rm(path.join(root, "locked"), { recursive: true });
          await writeFile(path.join(root, "locked"), "now a file");
        }
      }
    })().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isConnectorError(error) && error.kind).toBe("unavailable");
    expect((error as Error).message).toContain("locked");
    expect([...documents(seen).keys()]).toEqual(["top.md"]);
  });
});

describe("filesystem connector: cancellation and races", () => {
  it("stops listing when the signal is aborted", async () => {
    for (let index = 0; index < 5; index++) await put(`doc-${index}.md`, "# Doc");
    const controller = new AbortController();
    const seen: SourceEvent[] = [];
    const error = await (async () => {
      for await (const event of connect().listAll({ signal: controller.signal, logger })) {
        seen.push(event);
        controller.abort(new Error("shutting down"));
      }
    })().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toBe("shutting down");
    expect(seen).toHaveLength(1);
  });

  it("fails the load of a file deleted after it was listed", async () => {
    const file = await put("short-lived.md", "# Soon gone");
    const listed = documents(await collect(connect().listAll(ctx()))).get("short-lived.md");
    await rm(file);
    const error = await listed?.load().catch((caught: unknown) => caught);
    expect(isFilesystemFileError(error) && error.reason).toBe("unreadable");
    expect(isFilesystemFileError(error) && error.code).toBe("ENOENT");
  });
});

describe("filesystem connector: symbolic links", () => {
  beforeEach(async () => {
    await put("docs/real.md", "# Real");
    await mkdir(path.join(base, "outside"));
    await writeFile(path.join(base, "outside", "secret.md"), "# Secret");
    await symlink(path.join(root, "docs", "real.md"), path.join(root, "link-inside.md"));
    await symlink(path.join(base, "outside", "secret.md"), path.join(root, "link-outside.md"));
    await symlink(path.join(base, "outside"), path.join(root, "outside-dir"));
    await symlink(path.join(root, "docs"), path.join(root, "docs-alias"));
    // A cycle: docs/loop → docs.
    await symlink(path.join(root, "docs"), path.join(root, "docs", "loop"));
  });

  it("skips every link by default", async () => {
    const events = await collect(connect().listAll(ctx()));
    expect(events.map((event) => event.kind)).toEqual(["document"]);
    expect([...documents(events).keys()]).toEqual(["docs/real.md"]);
  });

  it("follows links inside the root when asked, never outside it, and survives cycles", async () => {
    const events = await collect(connect({ followSymlinks: true }).listAll(ctx()));
    expect([...documents(events).keys()].sort()).toEqual([
      "docs-alias/real.md",
      "docs/real.md",
      "link-inside.md",
    ]);
    const failed = failures(events);
    expect(Object.keys(failed).sort()).toEqual(["link-outside.md"]);
    expect(isFilesystemFileError(failed["link-outside.md"]) && failed["link-outside.md"].reason).toBe(
      "outside_root",
    );
    const loaded = await documents(events).get("link-inside.md")?.load();
    expect(loaded?.body).toEqual({ kind: "markdown", markdown: "# Real" });
  });

  it("treats links as absent in fetchByIds unless followed, and refuses targets outside the root", async () => {
    const ids = ["link-inside.md", "link-outside.md", "outside-dir/secret.md"];
    const skipped = await collect(connect().fetchByIds(ids, ctx()));
    expect(skipped).toEqual(ids.map((externalId) => ({ kind: "deleted", externalId })));
    const followed = byId(await collect(connect({ followSymlinks: true }).fetchByIds(ids, ctx())));
    expect(followed["link-inside.md"]?.kind).toBe("document");
    for (const id of ["link-outside.md", "outside-dir/secret.md"]) {
      const event = followed[id];
      expect(event?.kind === "failed" && isFilesystemFileError(event.error) && event.error.reason).toBe(
        "outside_root",
      );
    }
  });
});

describe("filesystem connector: loading", () => {
  it("parses front matter into title, url and metadata", async () => {
    await put(
      "kb/billing/refunds.md",
      [
        "---",
        "title: Refund policy",
        "url: https://help.example.com/refunds",
        "tags: billing, refunds",
        "author: Jane",
        "draft: true",
        "audience: [customers, agents]",
        "priority: 2",
        "nested: { ignored: true }",
        "---",
        "# Refunds",
        "",
        "Within 14 days.",
      ].join("\n"),
    );
    const document = await loadId(
      { urlTemplate: "https://files.example.com/{path}" },
      "kb/billing/refunds.md",
    );
    expect(document.title).toBe("Refund policy");
    expect(document.url).toBe("https://help.example.com/refunds");
    expect(document.body).toEqual({ kind: "markdown", markdown: "# Refunds\n\nWithin 14 days." });
    expect(document.metadata).toEqual({
      path: "kb/billing/refunds.md",
      type: "md",
      name: "refunds.md",
      directory: "kb/billing",
      space: "kb",
      labels: ["billing", "refunds"],
      tags: "billing, refunds",
      author: "Jane",
      status: "draft",
      draft: "true",
      audience: ["customers", "agents"],
      priority: "2",
    });
  });

  it("lets front matter override the space and builds URLs from the template", async () => {
    await put("team docs/Q&A #1.md", "---\nspace: Support\nlabels: [faq]\n---\nBody");
    const document = await loadId(
      { urlTemplate: "https://files.example.com/share/{path}?n={name}&s={stem}" },
      "team docs/Q&A #1.md",
    );
    expect(document.url).toBe(
      "https://files.example.com/share/team%20docs/Q%26A%20%231.md?n=Q%26A%20%231.md&s=Q%26A%20%231",
    );
    expect(document.metadata.space).toBe("Support");
    expect(document.metadata.labels).toEqual(["faq"]);
    expect(document.title).toBeUndefined();
    const slugged = await loadId(
      { urlTemplate: "https://help.example.com/articles/{slug}" },
      "team docs/Q&A #1.md",
    );
    expect(slugged.url).toBe("https://help.example.com/articles/team%20docs/Q%26A%20%231");
    await put("plain.md", "# No front matter\n---\nnot a fence");
    const plain = await loadId({ urlTemplate: "https://files.example.com/base" }, "plain.md");
    expect(plain.url).toBe("https://files.example.com/base/plain.md");
    expect(plain.body).toEqual({ kind: "markdown", markdown: "# No front matter\n---\nnot a fence" });
  });

  it("fails the load with a clear error on broken front matter", async () => {
    await put("broken.md", "---\ntitle: [unclosed\n---\nBody");
    await put("bad-url.md", "---\nurl: /relative\n---\nBody");
    for (const [id, text] of [
      ["broken.md", "not valid YAML"],
      ["bad-url.md", 'front matter "url" must be an absolute http(s) URL'],
    ] as const) {
      const error = await loadId({}, id).catch((caught: unknown) => caught);
      expect(isFilesystemFileError(error) && error.reason).toBe("front_matter");
      expect((error as Error).message).toContain(id);
      expect((error as Error).message).toContain(text);
    }
  });

  it("loads HTML and text with the right body kinds and titles", async () => {
    await put("page.htm", "<title>Page</title><p>Hi</p>");
    await put("notes/meeting notes.txt", "\uFEFFAgenda\n\nItem");
    const page = await loadId({}, "page.htm");
    expect(page.body).toEqual({ kind: "html", html: "<title>Page</title><p>Hi</p>" });
    expect(page.title).toBeUndefined();
    const text = await loadId({}, "notes/meeting notes.txt");
    expect(text.body).toEqual({ kind: "text", text: "Agenda\n\nItem" });
    expect(text.title).toBe("meeting notes");
  });

  it("loads DOCX and PDF files as binary bodies the transforms can read", async () => {
    await put("policies/expenses.docx", await buildSampleDocx());
    await put("policies/onboarding.pdf", await buildSamplePdf());
    const docx = await loadId({}, "policies/expenses.docx");
    expect(docx.title).toBe("expenses");
    expect(docx.body.kind === "binary" && docx.body.mediaType).toBe(
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    expect((await toCleanHtml({ body: docx.body })).html).toContain("<strong>30 days</strong>");
    const pdf = await loadId({}, "policies/onboarding.pdf");
    expect(pdf.body.kind === "binary" && pdf.body.mediaType).toBe("application/pdf");
    expect((await toCleanHtml({ body: pdf.body })).html).toContain("<h2>Benefits</h2>");
  });
});

describe("filesystem connector: fetchByIds", () => {
  it("returns documents for existing files, missing for absent ids or a file that became a folder, deleted for excluded ones", async () => {
    await put("a.md", "# A");
    await put("dir/b.md", "# B");
    await put(".hidden/c.md", "# C");
    await mkdir(path.join(root, "folder.md"));
    const events = await collect(
      connect().fetchByIds(
        ["a.md", "dir/b.md", "gone.md", "a.md/child.md", "dir", ".hidden/c.md", "dir/x.png", "folder.md"],
        ctx(),
      ),
    );
    expect(
      events.map((event) => (event.kind === "document" ? `document ${event.document.externalId}` : event)),
    ).toEqual([
      "document a.md",
      "document dir/b.md",
      // An unmounted share answers ENOENT too: never proof of deletion.
      { kind: "missing", externalId: "gone.md", reason: "no file at gone.md (ENOENT)" },
      { kind: "missing", externalId: "a.md/child.md", reason: "no file at a.md/child.md (ENOTDIR)" },
      { kind: "deleted", externalId: "dir" },
      { kind: "deleted", externalId: ".hidden/c.md" },
      { kind: "deleted", externalId: "dir/x.png" },
      { kind: "missing", externalId: "folder.md", reason: "folder.md is not a regular file" },
    ]);
  });

  it("refuses ids that escape the root or are not canonical relative paths", async () => {
    await writeFile(path.join(base, "secret.md"), "# Secret");
    const ids = ["../secret.md", "dir/../../secret.md", "/etc/passwd", "./a.md", "a//b.md", ""];
    const events = await collect(connect().fetchByIds(ids, ctx()));
    expect(events.map((event) => event.kind)).toEqual(ids.map(() => "failed"));
    for (const event of events) {
      expect(event.kind === "failed" && isFilesystemFileError(event.error) && event.error.reason).toBe(
        "outside_root",
      );
    }
  });
});

describe("filesystem connector: options", () => {
  it("rejects unknown keys and bad URL templates with messages naming the problem", () => {
    const schema = filesystemConnector.optionsSchema;
    expect(schema.safeParse({ root: "/x", rooot: "/y" }).success).toBe(false);
    const placeholder = schema.safeParse({ root: "/x", urlTemplate: "https://f.example.com/{file}" });
    expect(placeholder.error?.issues[0]?.message).toBe(
      "unknown placeholder {file} in urlTemplate: use one of {path}, {slug}, {name}, {stem}",
    );
    expect(schema.safeParse({ root: "/x", urlTemplate: "https://f.example.com/a/{slug}/" }).success).toBe(
      true,
    );
    const relative = schema.safeParse({ root: "/x", urlTemplate: "/files/{path}" });
    expect(relative.error?.issues[0]?.message).toContain("absolute http(s) URL");
    expect(schema.safeParse({ root: "" }).success).toBe(false);
    expect(filesystemConnector.type).toBe("filesystem");
  });

  it("resolves a relative root against the working directory", async () => {
    await put("rel.md", "# Rel");
    const relativeRoot = path.relative(process.cwd(), root);
    const events = await collect(connect({ root: relativeRoot }).listAll(ctx()));
    expect([...documents(events).keys()]).toEqual(["rel.md"]);
  });
});
