import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Connector } from "@content-sync/connectors";
import { filesystemConnector } from "@content-sync/connectors";
import { IntercomClient } from "@content-sync/intercom";
import type { RunningSandbox, SandboxOptions } from "@content-sync/intercom/sandbox";
import { startSandbox } from "@content-sync/intercom/sandbox";
import type { RunSummary, SourceConfig } from "@content-sync/sync";
import { ApiCallCounter, LmdbStateStore, runSync } from "@content-sync/sync";
import type { Logger } from "pino";
import { pino } from "pino";

/** The seed of every random choice of the suite; printed, and settable with FAULTS_SEED. */
export const SEED = Number(process.env.FAULTS_SEED ?? 20_261_202);

/** A small deterministic PRNG (mulberry32), so a failing seed replays exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Counts the suite reports in test/faults/results.json. */
export const counts = {
  scenariosRun: 0,
  faultsInjected: 0,
  pagesCompared: 0,
  pagesLost: 0,
  pagesDuplicated: 0,
  pagesStale: 0,
  pagesWronglyDeleted: 0,
  forgedWebhooksSent: 0,
  forgedWebhooksAccepted: 0,
};

/**
 * Writes this file's counts for the global teardown (merge-results.ts) to sum into results.json.
 * Call it from the file's `afterAll` with `import.meta.url`.
 */
export async function writeFileResults(testFileUrl: string): Promise<void> {
  const name = path.basename(new URL(testFileUrl).pathname).replace(/\.test\.ts$/, "");
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), ".results");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify({ seed: SEED, ...counts }, null, 2)}\n`);
}

/**
 * Where any of `secrets` appears in the collected logs, the given summaries or the state files, plain,
 * URL-encoded or base64 (alone, or as either half of a Basic credential): each hit as
 * "<where>: <first 6 characters>…", so a failure never prints a whole secret.
 */
export function secretsFound(secrets: readonly string[], summaries: readonly string[]): string[] {
  const forms = secrets.flatMap((secret) => [
    secret,
    encodeURIComponent(secret),
    Buffer.from(`user:${secret}`).toString("base64"),
    Buffer.from(`${secret}:`).toString("base64"),
    Buffer.from(secret).toString("base64"),
  ]);
  const haystacks = [
    ["logs", collected.join("")],
    ["summaries", summaries.join("\n")],
    ["state files", Buffer.concat(stateDumps).toString("latin1")],
  ] as const;
  return haystacks.flatMap(([where, text]) =>
    forms.filter((form) => text.includes(form)).map((form) => `${where}: ${form.slice(0, 6)}…`),
  );
}

/** The bytes of every state file the scenarios wrote, read before their folders are removed. */
export const stateDumps: Buffer[] = [];

/** Every log line of every scenario, collected for the secrets scan. */
export const collected: string[] = [];

/** A pino logger at debug level writing into `collected` (what an operator's log would hold). */
export function bufferLogger(): Logger {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      collected.push(String(chunk));
      done();
    },
  });
  return pino({ level: "debug" }, sink);
}

export const article = (title: string, body: string) =>
  `---\ntitle: ${title}\n---\n\n# ${title}\n\n${body}\n`;

/**
 * A filesystem source (a real folder of Markdown files) synced inline by the engine into a sandbox
 * started with fault options, with an LMDB state file: the path of `content-sync sync`.
 */
export class FaultHarness {
  readonly apiCalls = new ApiCallCounter();
  readonly client: IntercomClient;
  readonly logger = bufferLogger();
  private tick = 0;
  source: SourceConfig;

  private constructor(
    readonly dir: string,
    readonly root: string,
    readonly sandbox: RunningSandbox,
    readonly state: LmdbStateStore,
    readonly token: string,
    sourceId: string,
  ) {
    this.client = new IntercomClient({
      token,
      baseUrl: sandbox.url,
      onResponse: this.apiCalls.onResponse,
      logger: this.logger,
    });
    this.source = {
      id: sourceId,
      name: sourceId,
      type: "filesystem",
      enabled: true,
      contentImportSource: { url: `https://help.example.com/${sourceId}` },
      availability: { aiAgent: false, aiCopilot: true },
      rules: {},
      transform: {},
      deletion: { maxDeletes: 10, windowMs: 86_400_000 },
      concurrency: 4,
      options: { root, urlTemplate: "https://help.example.com/articles/{path}" },
    };
  }

  static async start(sourceId: string, token: string, options: SandboxOptions = {}): Promise<FaultHarness> {
    const dir = await mkdtemp(path.join(tmpdir(), "content-sync-faults-"));
    const root = path.join(dir, "docs");
    await mkdir(root, { recursive: true });
    const sandbox = await startSandbox({ port: 0, tokens: [token], ...options });
    const state = await LmdbStateStore.open(path.join(dir, "state.lmdb"));
    return new FaultHarness(dir, root, sandbox, state, token, sourceId);
  }

  get stateFile(): string {
    return path.join(this.dir, "state.lmdb");
  }

  /** Writes a file with a distinct mtime, so its version changes even within one millisecond. */
  async write(file: string, content: string): Promise<void> {
    const target = path.join(this.root, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    const when = new Date(Date.UTC(2026, 0, 1) + ++this.tick * 1000);
    await utimes(target, when, when);
  }

  async remove(file: string): Promise<void> {
    await rm(path.join(this.root, file));
  }

  connector(): Connector {
    return filesystemConnector.create(this.source.options as never, {
      sourceId: this.source.id,
      logger: this.logger,
      env: {},
    });
  }

  run(connector: Connector = this.connector()): Promise<RunSummary> {
    return runSync({
      source: this.source,
      connector,
      client: this.client,
      state: this.state,
      mode: "full",
      apiCalls: this.apiCalls,
      logger: this.logger,
    });
  }

  /**
   * Full runs until one succeeds (at most `attempts`), as an operator or the job system re-runs; a run
   * that throws (a dropped POST is not retried: it may have taken effect) counts as an attempt.
   */
  async runUntilSucceeded(attempts: number): Promise<{ summaries: RunSummary[]; thrown: string[] }> {
    const summaries: RunSummary[] = [];
    const thrown: string[] = [];
    for (let i = 0; i < attempts; i++) {
      try {
        const summary = await this.run();
        summaries.push(summary);
        if (summary.status === "succeeded") break;
      } catch (error) {
        thrown.push(String(error));
      }
    }
    return { summaries, thrown };
  }

  /** Content Import Sources in the sandbox with this source's URL: exactly one, never a duplicate. */
  importSources(): number {
    return this.sandbox.store.listSources().filter((s) => s.url === this.source.contentImportSource.url)
      .length;
  }

  /** The source as it is on disk: relative path → title (the external id is the relative path). */
  async sourceDocuments(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else out.set(path.relative(this.root, full).split(path.sep).join("/"), await readFile(full, "utf8"));
      }
    };
    await walk(this.root);
    return out;
  }

  /** The pages of the source's Content Import Source in the sandbox. */
  async pages() {
    const id = (await this.state.getSource(this.source.id)).contentImportSourceId;
    return id === undefined ? [] : this.sandbox.store.listPages(id).map((page) => ({ ...page }));
  }

  async close(): Promise<void> {
    await this.state.close();
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (full !== this.root) await walk(full);
        } else stateDumps.push(await readFile(full));
      }
    };
    await walk(this.dir);
    await this.sandbox.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface Comparison {
  compared: number;
  lost: string[];
  duplicated: string[];
  stale: string[];
  /** Pages gone from the sandbox whose document still exists (a subset of `lost` by definition). */
  wronglyDeleted: string[];
  extra: string[];
}

/**
 * Page-by-page comparison of the sandbox with the source. `expected` maps an external id to a marker
 * the page's HTML must contain (the document's current revision); `everSynced` are the ids that had a
 * page once (a page gone for one of those while its document exists was wrongly deleted).
 */
export function comparePages(
  expected: ReadonlyMap<string, string>,
  pages: readonly { external_id: string; html: string }[],
  everSynced: ReadonlySet<string> = new Set(),
): Comparison {
  const byId = new Map<string, { html: string }[]>();
  for (const page of pages) byId.set(page.external_id, [...(byId.get(page.external_id) ?? []), page]);
  const result: Comparison = {
    compared: 0,
    lost: [],
    duplicated: [],
    stale: [],
    wronglyDeleted: [],
    extra: [],
  };
  for (const [id, marker] of expected) {
    result.compared++;
    const found = byId.get(id) ?? [];
    if (found.length === 0) {
      result.lost.push(id);
      if (everSynced.has(id)) result.wronglyDeleted.push(id);
    } else if (found.length > 1) result.duplicated.push(id);
    else if (!found[0]?.html.includes(marker)) result.stale.push(id);
  }
  for (const id of byId.keys()) if (!expected.has(id)) result.extra.push(id);
  counts.pagesCompared += result.compared;
  counts.pagesLost += result.lost.length;
  counts.pagesDuplicated += result.duplicated.length;
  counts.pagesStale += result.stale.length;
  counts.pagesWronglyDeleted += result.wronglyDeleted.length;
  return result;
}
