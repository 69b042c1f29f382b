import { createHmac } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConnectorRegistry, filesystemConnector, ghostConnector } from "@content-sync/connectors";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import type { SchedulerApp } from "@content-sync/scheduler";
import { enqueueSourceRun } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../services/support/harness.js";
import { SignedTestSource, signWebhook } from "../services/support/signed-test-connector.js";
import { cli, inBatches, ListingGate, listingTwice, startApp, stopApp } from "./input-support.js";
import {
  article,
  collected,
  comparePages,
  counts,
  FaultHarness,
  prng,
  SEED,
  secretsFound,
  stateDumps,
  writeFileResults,
} from "./support.js";

const INTERCOM_TOKEN = `input-faults-intercom-${SEED.toString(36)}-Qd7vL4`;
const WEBHOOK_SECRET = `input-faults-webhook-${SEED.toString(36)}-Tn2wP6`;
const secrets = { intercomToken: INTERCOM_TOKEN, webhookSecret: WEBHOOK_SECRET };
/** The body of the private key a document of scenario I holds: it must never reach a page or a log. */
const privateKey = Buffer.from(
  Array.from({ length: 600 }, prng(SEED + 41)).map((x) => Math.floor(x * 256)),
).toString("base64");
/** Summaries of every scenario, for the secrets scan. */
const artifacts: string[] = [];

console.log(`input faults seed ${SEED} (set FAULTS_SEED to replay)`);

describe("scenario H: malformed configs through the real CLI (config check, then sync)", () => {
  let dir: string;
  let docs: string;

  /** A valid config of one filesystem source; each case breaks one thing in it. */
  const source = (id: string, url: string, extra = "") =>
    [
      `  - id: ${id}`,
      "    type: filesystem",
      "    contentImportSource:",
      `      url: ${url}`,
      "    availability:",
      "      aiAgent: true",
      "      aiCopilot: true",
      extra,
      "    options:",
      `      root: ${docs}`,
      "      urlTemplate: https://help.example.com/articles/{slug}",
    ]
      .filter((line) => line !== "")
      .join("\n");
  const configOf = (name: string, body: string, intercom = "intercom:\n  target: sandbox") =>
    `version: 1\ndataDir: ${path.join(dir, `data-${name}`)}\n${intercom}\nsources:\n${body}\n`;

  interface BrokenConfig {
    name: string;
    text: () => string;
    /** The exact `path: message` text the error must hold (the field path, as the README promises). */
    names: string;
    /**
     * Also run `sync --all` on it (exit 2, the same message, no data folder). Each CLI start costs
     * seconds of CPU, so only the problems a run could get furthest with before noticing: a token,
     * two sources sharing an import source or an id, a file that is not YAML at all.
     */
    alsoSync?: true;
  }
  const broken: BrokenConfig[] = [
    {
      name: "unknown-key",
      text: () =>
        configOf("unknown-key", source("docs", "https://help.example.com/docs", "    colour: blue")),
      names: 'sources[0].colour: unknown key "colour"',
    },
    {
      name: "wrong-type",
      text: () =>
        configOf(
          "wrong-type",
          source("docs", "https://help.example.com/docs").replace("aiAgent: true", "aiAgent: 12"),
        ),
      names: "sources[0].availability.aiAgent: expected boolean, received number",
    },
    {
      name: "bad-duration",
      text: () =>
        configOf(
          "bad-duration",
          source("docs", "https://help.example.com/docs", "    deletion:\n      window: 3 fortnights"),
        ),
      names: "sources[0].deletion.window:",
    },
    {
      name: "missing-token-env",
      alsoSync: true,
      text: () =>
        configOf(
          "missing-token-env",
          source("docs", "https://help.example.com/docs"),
          "intercom:\n  target: intercom\n  tokenEnv: INPUT_FAULTS_UNSET_TOKEN",
        ),
      names:
        "intercom.tokenEnv: the env var INPUT_FAULTS_UNSET_TOKEN holding the Intercom access token is not set",
    },
    {
      name: "same-import-url",
      alsoSync: true,
      text: () =>
        configOf(
          "same-import-url",
          `${source("docs", "https://help.example.com/docs")}\n${source("more-docs", "https://help.example.com/docs")}`,
        ),
      names:
        "sources[1].contentImportSource.url: sources[0] (docs) already uses this Content Import Source URL",
    },
    {
      name: "availability-missing",
      text: () =>
        configOf(
          "availability-missing",
          source("docs", "https://help.example.com/docs").replace(/ {4}availability:\n.*\n.*\n/, ""),
        ),
      names: "sources[0].availability.aiAgent: missing",
    },
    {
      name: "bad-connector-option",
      text: () =>
        configOf(
          "bad-connector-option",
          source("docs", "https://help.example.com/docs").replace(
            "{slug}",
            "{slug}\n      followSymlinks: maybe",
          ),
        ),
      names: "sources[0].options.followSymlinks: expected boolean, received string",
    },
    {
      name: "unknown-connector-option",
      text: () =>
        configOf(
          "unknown-connector-option",
          source("docs", "https://help.example.com/docs").replace("{slug}", "{slug}\n      rootFolder: /srv"),
        ),
      names: 'sources[0].options.rootFolder: unknown key "rootFolder"',
    },
    {
      name: "yaml-syntax",
      alsoSync: true,
      text: () =>
        configOf("yaml-syntax", `${source("docs", "https://help.example.com/docs")}\n   bad: [unclosed`),
      names: "(root): YAML:",
    },
    {
      name: "duplicate-source-id",
      alsoSync: true,
      text: () =>
        configOf(
          "duplicate-source-id",
          `${source("docs", "https://help.example.com/docs")}\n${source("docs", "https://help.example.com/other")}`,
        ),
      names: 'sources[1].id: duplicate source id "docs" (already used by sources[0])',
    },
  ];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-input-config-"));
    docs = path.join(dir, "docs");
    await mkdir(docs, { recursive: true });
    await writeFile(path.join(docs, "hello.md"), article("Hello", "A page that must never be written."));
    // The unbroken config passes, so each failure below is the one thing broken in it.
    await writeFile(
      path.join(dir, "good.yaml"),
      configOf("good", source("docs", "https://help.example.com/docs")),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the unbroken config passes config check", async () => {
    const good = await cli(["config", "check", "--config", path.join(dir, "good.yaml")], dir);
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
  });

  // Fourteen CLI starts (node + tsx, seconds of CPU each): on a busy 2-core machine over a minute.
  it("each broken config exits 2 naming the field path, in config check and in sync, and writes nothing", {
    timeout: 150_000,
  }, async () => {
    counts.scenariosRun++;
    for (const config of broken) await writeFile(path.join(dir, `${config.name}.yaml`), config.text());
    const results = await inBatches(broken, 4, async (config) => {
      const file = path.join(dir, `${config.name}.yaml`);
      const check = await cli(["config", "check", "--config", file], dir);
      const sync = config.alsoSync
        ? await cli(["sync", "--all", "--config", file, "--json"], dir)
        : undefined;
      return { config, file, check, sync };
    });
    for (const { config, file, check, sync } of results) {
      counts.faultsInjected++;
      artifacts.push(check.stderr, sync?.stdout ?? "", sync?.stderr ?? "");
      expect(check.code, `${config.name}: ${check.stderr}`).toBe(2);
      expect(check.stderr, config.name).toContain(`invalid config ${file}`);
      expect(check.stderr, config.name).toContain(config.names);
      if (sync) {
        expect(sync.code, `${config.name}: ${sync.stderr}`).toBe(2);
        expect(sync.stderr, config.name).toContain(config.names);
      }
    }
    expect(results.filter((result) => result.sync).length).toBe(4);
    // Nothing ran: no data folder (state file, embedded sandbox's pages) for any broken config.
    const left = (await readdir(dir)).filter((name) => name.startsWith("data-") || name === ".data");
    expect(left).toEqual([]);
    const result = comparePages(new Map(), []);
    expect(result).toMatchObject({ lost: [], extra: [] });
  });
});

/** A marker each good document's page must show. */
const markerOf = (name: string) => `marker-${name}-${SEED.toString(36)}`;

describe("scenario I: bad documents in a real folder, synced into the sandbox", () => {
  let h: FaultHarness;
  const random = prng(SEED + 40);
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));

  beforeAll(async () => {
    h = await FaultHarness.start("faults-bad-documents", INTERCOM_TOKEN);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("good documents become exactly their cleaned pages; bad ones fail with a reason naming the file", async () => {
    counts.scenariosRun++;
    await h.write("good.md", article("Good page", `Plain text ${markerOf("good")}.`));
    await h.write(
      "broken.html",
      [
        "<html><head><title>Broken markup</title><style>p { color: red }</style></head><body>",
        "<div><p>Unclosed paragraph <b>bold",
        "<div>inner block</div></div></div></div>",
        '<script>alert("x")</script>',
        `<p>${markerOf("broken")}`,
        "</body>",
      ].join("\n"),
    );
    await h.write("binary.md", randomBytes(20 * 1024).toString("latin1"));
    // ISO-8859-1 text saved with a .md name: a few bytes that are not UTF-8 in otherwise good text.
    await writeFile(
      path.join(h.root, "latin1.md"),
      Buffer.concat([
        Buffer.from(`# Caf`),
        Buffer.from([0xe9]),
        Buffer.from(
          ` menu\n\nOpening hours and ${markerOf("latin1")}, long enough text around one bad byte.\n`,
        ),
      ]),
    );
    // Mostly invalid sequences (no NUL, no control characters): not text in any useful sense.
    await writeFile(
      path.join(h.root, "garbled.md"),
      Buffer.concat([Buffer.from("# Garbled\n\n"), Buffer.alloc(4000, Buffer.from([0xc3, 0x28]))]),
    );
    // 10 MB in paragraphs (a long manual), and 10 MB in one block (a log pasted without blank lines).
    await h.write(
      "huge.md",
      article(
        "Huge page",
        `${markerOf("huge")}\n\n${`${"All work and no play. ".repeat(20)}\n\n`.repeat(24_000)}`,
      ),
    );
    await h.write("wall.md", article("Wall of text", "All work and no play. ".repeat(480_000)));
    await h.write("untitled.md", `---\ntitle: ""\n---\n\nJust a body, ${markerOf("untitled")}.\n`);
    await h.write("empty.md", "---\ntitle: Nothing here\n---\n\n");
    await h.write(
      "secret.md",
      article(
        "Server setup",
        `Use this key:\n\n-----BEGIN RSA PRIVATE KEY-----\n${privateKey}\n-----END RSA PRIVATE KEY-----\n`,
      ),
    );
    await h.write("twin.md", article("Twin", `First of two, ${markerOf("twin")}.`));

    const summary = await h.run(
      listingTwice(h.connector(), "twin.md", "# Twin\n\nSecond of two, impostor.\n"),
    );
    // Broken markup, binary, a few bad bytes, mostly bad bytes, 10 MB twice, no title, no body, a key, a twin.
    counts.faultsInjected += 10;
    artifacts.push(JSON.stringify(summary));

    // Bad documents fail, each with its file and the reason; the run says so instead of "up to date".
    const reasons = Object.fromEntries(
      summary.failures.map((failure) => [failure.externalId, failure.reason]),
    );
    expect(reasons).toEqual({
      "twin.md":
        "listed twice in one listing: two documents share this external id; the first one was synced",
      "empty.md": "the document has no text or images left after cleaning",
      "binary.md": expect.stringMatching(/^binary content in a markdown document \(NUL bytes .*\): refused$/),
      "garbled.md": "not valid UTF-8: 2000 of 4011 characters could not be decoded; refused",
      "secret.md": expect.stringMatching(/^held back: the document holds a private key \(line \d+\)/),
      "wall.md": expect.stringMatching(/^the Markdown \(\d+ characters\) is too long in one block/),
    });
    expect(summary).toMatchObject({
      status: "partial",
      failed: 6,
      created: 6,
      deleted: 0,
      listingComplete: true,
    });
    expect(summary.headline).toMatch(/^6 document\(s\) failed/);
    expect(summary.headline).not.toMatch(/up to date/i);

    // Good documents are pages with exactly the HTML Fin receives.
    const pages = await h.pages();
    const byId = new Map(pages.map((page) => [page.external_id, page]));
    const result = comparePages(
      new Map([
        ["good.md", markerOf("good")],
        ["broken.html", markerOf("broken")],
        ["latin1.md", markerOf("latin1")],
        ["huge.md", markerOf("huge")],
        ["untitled.md", markerOf("untitled")],
        ["twin.md", markerOf("twin")],
      ]),
      pages,
    );
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], extra: [] });
    expect(byId.get("good.md")).toMatchObject({
      title: "Good page",
      html: `<h1>Good page</h1>\n<p>Plain text ${markerOf("good")}.</p>`,
    });
    // Script and style gone, the stray </div>s ignored, the unclosed <b> closed: no <p> inside a <p>.
    expect(byId.get("broken.html")).toMatchObject({
      title: "Broken markup",
      html: `<p>Unclosed paragraph <b>bold</b></p>\n<p><b>inner block</b></p>\n<p><b>${markerOf("broken")}</b></p>`,
    });
    // One ISO-8859-1 byte in good text: synced with a warning naming it (a page of text, not of U+FFFD).
    expect(byId.get("latin1.md")?.html).toBe(
      `<h1>Caf\ufffd menu</h1>\n<p>Opening hours and ${markerOf("latin1")}, long enough text around one bad byte.</p>`,
    );
    expect(logged("latin1.md", "invalid UTF-8: 1 byte sequence(s) replaced with U+FFFD")).toBe(true);
    // No title anywhere: the path names the page.
    expect(byId.get("untitled.md")).toMatchObject({
      title: "untitled.md",
      html: `<p>Just a body, ${markerOf("untitled")}.</p>`,
    });
    expect(byId.get("twin.md")?.html).toBe(`<h1>Twin</h1>\n<p>First of two, ${markerOf("twin")}.</p>`);
    // 10 MB in paragraphs: cut at a block boundary under the 1 MB cap, with a warning.
    const huge = byId.get("huge.md")?.html ?? "";
    expect(huge.startsWith(`<h1>Huge page</h1>\n<p>${markerOf("huge")}</p>\n<p>All work and no play.`)).toBe(
      true,
    );
    expect(huge.endsWith("All work and no play.</p>")).toBe(true);
    expect(Buffer.byteLength(huge)).toBeLessThanOrEqual(1_000_000);
    expect(logged("huge.md", "truncated: the cleaned HTML was")).toBe(true);
    for (const page of pages)
      expect(page.html.split("\ufffd").length - 1, page.external_id).toBeLessThanOrEqual(1);
  });
});

/** Whether a log line about `externalId` holds `text`. */
const logged = (externalId: string, text: string) =>
  collected.some((line) => line.includes(`"externalId":"${externalId}"`) && line.includes(text));

describe("scenario J: webhook bodies through the scheduler's real HTTP routes (real Redis queue)", () => {
  let dir: string;
  let app: SchedulerApp;
  const documents = new SignedTestSource();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-input-webhooks-"));
    // No worker: whatever the intake accepts stays in the queue, where the test counts it.
    app = await startApp(
      dir,
      `  - id: hooked
    type: signed-test
    contentImportSource: { url: "https://hooked.example.test/" }
    availability: { aiAgent: false, aiCopilot: true }
    webhook: { secretEnv: INPUT_FAULTS_WEBHOOK_SECRET }
    options: { name: hooked }
  - id: ghost-blog
    type: ghost
    contentImportSource: { url: "https://blog.example.test/" }
    availability: { aiAgent: false, aiCopilot: true }
    webhook: { secretEnv: INPUT_FAULTS_WEBHOOK_SECRET }
    # Never fetched (no worker here): any set variable does for the content key.
    options: { apiUrl: "http://127.0.0.1:9/", contentApiKeyEnv: INPUT_FAULTS_WEBHOOK_SECRET }
`,
      {
        registry: new ConnectorRegistry().register(documents.definition()).register(ghostConnector),
        withWorker: false,
        secrets,
      },
    );
    // A fresh keyspace queues a recovery run of each source at start; the counts below start after them.
    await waitFor("the recovery runs in the queue", async () => (await queued()).length === 2);
  });
  afterAll(async () => {
    await stopApp(app);
    await rm(dir, { recursive: true, force: true });
  });

  const send = (sourceId: string, body: string | Buffer, signature?: string) =>
    fetch(`${app.url}/webhooks/${sourceId}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(signature ? { "x-signature": signature } : {}) },
      body,
    });
  const queued = async () =>
    (await app.context.queue.getJobs(["waiting", "delayed", "prioritized", "active", "completed", "failed"]))
      .map((job) => ({ name: job.name, data: job.data as { externalIds?: string[] } }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  /**
   * Streams `total` bytes to the webhook route in 64 KB chunks, without a Content-Length, and stops as
   * soon as an answer arrives: the bytes sent by then show whether the server answered at its limit
   * or only after buffering the whole body.
   */
  const streamOversize = (total: number) =>
    new Promise<{ status: number; sent: number }>((resolve, reject) => {
      const url = new URL(`${app.url}/webhooks/hooked`);
      let sent = 0;
      let answered: { status: number; sent: number } | undefined;
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: { "content-type": "application/json" },
        },
        (response) => {
          answered = { status: response.statusCode ?? 0, sent };
          response.resume();
          response.on("end", () => resolve(answered as { status: number; sent: number }));
        },
      );
      // A server that stops reading resets the connection: after an answer that is expected.
      request.on("error", (error) => (answered ? resolve(answered) : reject(error)));
      const chunk = Buffer.alloc(64 * 1024, "x");
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!request.write(chunk)) {
            request.once("drain", () => setTimeout(pump, 1));
            return;
          }
        }
        if (!answered) request.end();
      };
      request.write('{"changed":["a"],"padding":"');
      pump();
    });

  it("refuses non-JSON, oversize, unsigned, wrongly signed, replayed and unknown-source requests; queues each genuine one once", async () => {
    counts.scenariosRun++;
    // The keyspace's recovery run of the source, queued at start: there before any webhook.
    const before = await queued();
    const random = prng(SEED + 50);
    const body = (id: string) => JSON.stringify({ changed: [id] });
    const forged: [string, Promise<Response>, number][] = [
      ["unsigned", send("hooked", body("unsigned")), 401],
      ["wrong secret", send("hooked", body("wrong"), signWebhook(`${WEBHOOK_SECRET}x`, body("wrong"))), 401],
      [
        "signature of another body",
        send("hooked", body("other"), signWebhook(WEBHOOK_SECRET, body("original"))),
        401,
      ],
      [
        "replayed an hour later",
        send(
          "hooked",
          body("replayed"),
          signWebhook(WEBHOOK_SECRET, body("replayed"), Date.now() - 3_600_000),
        ),
        401,
      ],
      ["signed, not JSON", send("hooked", "not json {", signWebhook(WEBHOOK_SECRET, "not json {")), 400],
      [
        "unknown source",
        send("no-such-source", body("unknown"), signWebhook(WEBHOOK_SECRET, body("unknown"))),
        404,
      ],
    ];
    for (let i = 0; i < 10; i++) {
      const hex = Buffer.from(Array.from({ length: 32 }, () => Math.floor(random() * 256))).toString("hex");
      forged.push([
        `random signature ${i}`,
        send("hooked", body(`random-${i}`), `t=${Math.floor(Date.now() / 1000)},v1=${hex}`),
        401,
      ]);
    }
    const accepted: string[] = [];
    for (const [name, response, expected] of forged) {
      const { status } = await response;
      counts.forgedWebhooksSent++;
      counts.faultsInjected++;
      if (status < 400) accepted.push(name);
      expect(status, name).toBe(expected);
    }

    // 6 MB with a declared length, signed: refused from the header alone.
    const big = JSON.stringify({ changed: ["big"], padding: "x".repeat(6 * 1024 * 1024) });
    const declared = await send("hooked", big, signWebhook(WEBHOOK_SECRET, big));
    expect(declared.status).toBe(413);
    // 6 MB streamed without a length: answered 413 once past the 1 MiB limit, long before the end.
    const streamed = await streamOversize(6 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    expect(streamed.sent).toBeLessThan(3 * 1024 * 1024);
    counts.forgedWebhooksSent += 2;
    counts.faultsInjected += 2;
    if (declared.status < 400) accepted.push("6 MB declared");
    if (streamed.status < 400) accepted.push("6 MB streamed");

    counts.forgedWebhooksAccepted += accepted.length;
    expect(accepted).toEqual([]);
    expect(await queued()).toEqual(before);

    const genuine = body("genuine");
    const ok = await send("hooked", genuine, signWebhook(WEBHOOK_SECRET, genuine));
    expect(ok.status).toBe(202);
    // Ghost names each signed delivery: the same one sent twice (within the timestamp tolerance) is
    // answered as a duplicate and queues nothing the second time.
    const post = JSON.stringify({ post: { current: { id: "ghost-post" }, previous: {} } });
    const t = Date.now();
    const ghostSignature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(`${post}${t}`).digest("hex")}, t=${t}`;
    const sendGhost = () =>
      fetch(`${app.url}/webhooks/ghost-blog`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-ghost-signature": ghostSignature },
        body: post,
      });
    expect((await sendGhost()).status).toBe(202);
    const replay = await sendGhost();
    counts.forgedWebhooksSent++;
    counts.faultsInjected++;
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ accepted: 0, duplicate: true });

    const targeted = (externalId: string) => ({
      name: "sync.targeted",
      data: expect.objectContaining({ externalIds: [externalId] }),
    });
    const jobs = await queued();
    // A replay that queued a job would show as a third targeted job.
    const replayQueued = jobs.filter((job) => job.name === "sync.targeted").length - 2;
    counts.forgedWebhooksAccepted += Math.max(0, replayQueued);
    expect(jobs).toEqual(expect.arrayContaining([...before, targeted("genuine"), targeted("ghost-post")]));
    expect(jobs.length).toBe(before.length + 2);
    expect(before.map((job) => job.name)).toEqual(["sync.source", "sync.source"]);
    // Nothing reached a page: the comparison holds no page at all.
    expect(comparePages(new Map(), [])).toMatchObject({ extra: [] });
  });
});

describe("scenario K: the share fails between a fanned-out run's listing and its batches (queue, real Redis)", () => {
  const DOCS = 40;
  const MAX_DELETES = 10;
  let dir: string;
  let root: string;
  let sandbox: RunningSandbox;
  let app: SchedulerApp;
  const gate = new ListingGate();
  const revisions = new Map<string, number>();
  let tick = 0;

  const write = async (id: string, revision: number) => {
    const file = path.join(root, id);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, article(`Doc ${id}`, `Revision ${marker(id, revision)}.`));
    const when = new Date(Date.UTC(2026, 0, 1) + ++tick * 1000);
    await utimes(file, when, when);
    revisions.set(id, revision);
  };
  const marker = (id: string, revision: number) => `rev-${revision}-${id}`;
  const expected = () => new Map([...revisions].map(([id, revision]) => [id, marker(id, revision)]));
  const pages = () => {
    const source = sandbox.store
      .listSources()
      .find((candidate) => candidate.url === "https://share.example.com/");
    return source ? sandbox.store.listPages(source.id).map((page) => ({ ...page })) : [];
  };
  /** Enqueues a full run (it fans out) and waits for its record in the run history. */
  const fullRun = async () => {
    const runId = await enqueueSourceRun(app.context.queue, {
      sourceId: "share",
      mode: "full",
      trigger: "manual",
    });
    const record = await waitFor(
      `run ${runId} in the history`,
      async () => (await app.context.ledger.history("share", 20)).find((run) => run.runId === runId),
      60_000,
    );
    artifacts.push(JSON.stringify(record));
    return record;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-input-share-"));
    root = path.join(dir, "share");
    sandbox = await startSandbox({ port: 0, tokens: [INTERCOM_TOKEN] });
    const random = prng(SEED + 60);
    for (let i = 0; i < DOCS; i++)
      await write(`${["guides", "faq"][Math.floor(random() * 2)]}/doc-${i}.md`, 1);
    app = await startApp(
      dir,
      `  - id: share
    type: gated-filesystem
    contentImportSource: { url: "https://share.example.com/" }
    availability: { aiAgent: false, aiCopilot: true }
    deletion: { maxDeletes: ${MAX_DELETES} }
    options: { root: "${root}" }
`,
      {
        sandbox,
        registry: new ConnectorRegistry().register(gate.wrap(filesystemConnector)),
        withWorker: true,
        secrets,
      },
    );
    // A fresh keyspace starts with a recovery run of the source (state rebuilt from Intercom): it
    // writes the first pages; the scenarios start once it is done and a full run finds them current.
    await waitFor("the recovery run in the history", async () =>
      (await app.context.ledger.history("share", 5)).find((run) => run.trigger === "recovery"),
    );
    const first = await fullRun();
    expect(first).toMatchObject({ status: "succeeded", counts: { unchanged: DOCS } });
    expect(comparePages(expected(), pages())).toMatchObject({ lost: [], stale: [], extra: [] });
  });
  afterAll(async () => {
    await stopApp(app);
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("the share unmounted after the listing: nothing deleted, every page stays; back, the next run converges", async () => {
    counts.scenariosRun++;
    const synced = new Set(revisions.keys());
    const ids = [...revisions.keys()];
    // Edits the listing sees, so the batches have something to load when the share is gone.
    for (const id of ids.slice(0, 15)) await write(id, 2);
    gate.arm(() => rename(root, `${root}-unmounted`));
    const cut = await fullRun();
    counts.faultsInjected++;
    expect(cut.status).not.toBe("succeeded");
    expect(cut.counts.deleted).toBe(0);
    expect(pages().length).toBe(DOCS);

    await rename(`${root}-unmounted`, root);
    const clean = await fullRun();
    expect(clean.status, clean.message).toBe("succeeded");
    const result = comparePages(expected(), pages(), synced);
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [] });
  });

  it("files deleted after the listing (more than maxDeletes): at most maxDeletes go; restored, the next run converges", async () => {
    counts.scenariosRun++;
    const synced = new Set(revisions.keys());
    const ids = [...revisions.keys()];
    for (const id of ids.slice(10, 30)) await write(id, (revisions.get(id) ?? 1) + 1);
    const vanishing = ids.slice(5, 35);
    const saved = new Map<string, string>();
    gate.arm(async () => {
      for (const id of vanishing) {
        saved.set(id, await readFile(path.join(root, id), "utf8"));
        await rm(path.join(root, id));
      }
    });
    const cut = await fullRun();
    counts.faultsInjected++;
    expect(cut.status).not.toBe("succeeded");
    expect(cut.counts.deleted).toBeLessThanOrEqual(MAX_DELETES);
    // Every page whose file still exists is still there.
    const stillThere = new Set(pages().map((page) => page.external_id));
    for (const id of ids.filter((candidate) => !vanishing.includes(candidate)))
      expect(stillThere.has(id), id).toBe(true);
    expect(DOCS - stillThere.size).toBeLessThanOrEqual(MAX_DELETES);

    // The share is back as it was (same bytes; new mtimes, so the run reads them again).
    for (const [id, content] of saved) {
      await writeFile(path.join(root, id), content);
      const when = new Date(Date.UTC(2026, 0, 1) + ++tick * 1000);
      await utimes(path.join(root, id), when, when);
    }
    const clean = await fullRun();
    expect(clean.status, clean.message).toBe("succeeded");
    const result = comparePages(expected(), pages(), synced);
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], extra: [] });
  });
});

describe("scenario L: edits and a webhook during a fanned-out full run (queue, real Redis)", () => {
  const DOCS = 30;
  let dir: string;
  let sandbox: RunningSandbox;
  let app: SchedulerApp;
  const gate = new ListingGate();
  const documents = new SignedTestSource();
  const revisions = new Map<string, number>();

  const marker = (id: string, revision: number) => `rev-${revision}-${id}`;
  const put = (id: string, revision: number) => {
    documents.put(id, `Page ${id}`, `Revision ${marker(id, revision)}`);
    revisions.set(id, revision);
  };
  const expected = () => new Map([...revisions].map(([id, revision]) => [id, marker(id, revision)]));
  const pages = () => {
    const source = sandbox.store
      .listSources()
      .find((candidate) => candidate.url === "https://wiki.example.test/");
    return source ? sandbox.store.listPages(source.id).map((page) => ({ ...page })) : [];
  };
  const fullRun = async () => {
    const runId = await enqueueSourceRun(app.context.queue, {
      sourceId: "wiki",
      mode: "full",
      trigger: "manual",
    });
    const record = await waitFor(
      `run ${runId} in the history`,
      async () => (await app.context.ledger.history("wiki", 20)).find((run) => run.runId === runId),
      60_000,
    );
    artifacts.push(JSON.stringify(record));
    return record;
  };
  const webhook = (payload: { changed?: string[]; deleted?: string[] }) => {
    const body = JSON.stringify(payload);
    return fetch(`${app.url}/webhooks/wiki`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature": signWebhook(WEBHOOK_SECRET, body) },
      body,
    });
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "content-sync-input-webhook-run-"));
    sandbox = await startSandbox({ port: 0, tokens: [INTERCOM_TOKEN] });
    for (let i = 0; i < DOCS; i++) put(`page-${i}`, 1);
    app = await startApp(
      dir,
      `  - id: wiki
    type: gated-signed-test
    contentImportSource: { url: "https://wiki.example.test/" }
    availability: { aiAgent: false, aiCopilot: true }
    webhook: { secretEnv: INPUT_FAULTS_WEBHOOK_SECRET }
    options: { name: wiki }
`,
      {
        sandbox,
        registry: new ConnectorRegistry().register(gate.wrap(documents.definition())),
        withWorker: true,
        secrets,
      },
    );
    await waitFor("the recovery run in the history", async () =>
      (await app.context.ledger.history("wiki", 5)).find((run) => run.trigger === "recovery"),
    );
    const first = await fullRun();
    expect(first.status, first.message).toBe("succeeded");
    expect(comparePages(expected(), pages())).toMatchObject({ lost: [], stale: [], extra: [] });
  });
  afterAll(async () => {
    await stopApp(app);
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("the page a webhook job writes after the listing began is not swept; the end state equals the source", async () => {
    counts.scenariosRun++;
    const synced = new Set(revisions.keys());
    const random = prng(SEED + 70);
    const ids = [...revisions.keys()];
    const edited = Array.from({ length: 4 }, () => ids[Math.floor(random() * ids.length)] as string);
    gate.arm(async () => {
      // The listing is over and its batches wait: a document appears, others change, one goes, and
      // the product's webhook says so; its job writes before the batches load anything.
      put("page-new", 1);
      for (const id of edited) put(id, (revisions.get(id) ?? 1) + 1);
      documents.documents.delete("page-0");
      revisions.delete("page-0");
      const answer = await webhook({ changed: ["page-new", ...new Set(edited)], deleted: ["page-0"] });
      expect(answer.status).toBe(202);
      await waitFor("the webhook's pages in the sandbox", () => {
        const byId = new Map(pages().map((page) => [page.external_id, page.html]));
        return (
          byId.get("page-new")?.includes(marker("page-new", 1)) &&
          edited.every((id) => byId.get(id)?.includes(marker(id, revisions.get(id) ?? 0))) &&
          !byId.has("page-0")
        );
      });
      // An edit no webhook announces: the batch that loads it must see it.
      const quiet = ids[ids.length - 1] as string;
      put(quiet, (revisions.get(quiet) ?? 1) + 1);
    });
    const run = await fullRun();
    counts.faultsInjected += 2;
    expect(run.status, run.message).toBe("succeeded");
    expect(run.counts.deleted).toBe(0);
    synced.delete("page-0");
    const result = comparePages(expected(), pages(), synced);
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [] });
    expect(result.compared).toBe(DOCS);

    // And the next full run, with nothing in flight, changes nothing.
    const again = await fullRun();
    expect(again).toMatchObject({ status: "succeeded", counts: { created: 0, updated: 0, deleted: 0 } });
    expect(comparePages(expected(), pages(), synced)).toMatchObject({ lost: [], stale: [], extra: [] });
  });
});

describe("scenario M: secrets in this file's logs, summaries and state files", () => {
  it("neither the Intercom token nor the held-back private key appears, plain, URL-encoded or base64", () => {
    counts.scenariosRun++;
    expect(collected.length).toBeGreaterThan(0);
    expect(stateDumps.length).toBeGreaterThan(0);
    expect(secretsFound([INTERCOM_TOKEN, privateKey.slice(0, 64)], artifacts)).toEqual([]);
  });
});

afterAll(async () => {
  await writeFileResults(import.meta.url);
});
