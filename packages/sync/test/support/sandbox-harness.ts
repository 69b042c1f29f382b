import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Connector } from "@content-sync/connectors";
import { filesystemConnector } from "@content-sync/connectors";
import { IntercomClient } from "@content-sync/intercom";
import type { RunningSandbox } from "@content-sync/intercom/sandbox";
import { startSandbox } from "@content-sync/intercom/sandbox";
import { pino } from "pino";
import type { RunSyncParams, SourceConfig, StateStore, SyncDocumentsParams } from "../../src/index.js";
import { ApiCallCounter, LmdbStateStore, runSync, syncDocuments } from "../../src/index.js";

const TOKEN = "engine-test-token";
export const silent = pino({ level: "silent" });

/** A source over a temp folder, with the defaults a config would give. */
export function sourceConfig(root: string, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return {
    id: "help",
    name: "help",
    type: "filesystem",
    enabled: true,
    contentImportSource: { url: "https://help.example.com/" },
    availability: { aiAgent: true, aiCopilot: true },
    rules: {},
    transform: {},
    deletion: { maxDeletes: 50, windowMs: 86_400_000 },
    concurrency: 4,
    options: { root, urlTemplate: "https://help.example.com/articles/{path}" },
    ...overrides,
  };
}

export const article = (title: string, body = `Body of ${title}.`) =>
  `---\ntitle: ${title}\n---\n\n# ${title}\n\n${body}\n`;

/**
 * A real sandbox over HTTP, a real client, an LMDB state store and a folder of Markdown articles:
 * the whole engine path of an inline run.
 */
export class EngineHarness {
  source: SourceConfig;
  state: StateStore;
  private lmdb: LmdbStateStore;
  readonly apiCalls = new ApiCallCounter();
  readonly client: IntercomClient;
  readonly token = TOKEN;
  private mtimeTick = 0;

  private constructor(
    readonly dir: string,
    readonly root: string,
    readonly sandbox: RunningSandbox,
    lmdb: LmdbStateStore,
  ) {
    this.source = sourceConfig(root);
    this.lmdb = lmdb;
    this.state = lmdb;
    this.client = new IntercomClient({
      token: TOKEN,
      baseUrl: sandbox.url,
      onResponse: this.apiCalls.onResponse,
      maxRetries: 0,
    });
  }

  static async start(files: Record<string, string> = {}): Promise<EngineHarness> {
    const dir = await mkdtemp(path.join(tmpdir(), "content-sync-engine-"));
    const root = path.join(dir, "docs");
    await mkdir(root, { recursive: true });
    const sandbox = await startSandbox({ port: 0, tokens: [TOKEN] });
    const harness = new EngineHarness(
      dir,
      root,
      sandbox,
      await LmdbStateStore.open(path.join(dir, "state.lmdb")),
    );
    for (const [file, content] of Object.entries(files)) await harness.write(file, content);
    return harness;
  }

  get stateFile(): string {
    return path.join(this.dir, "state.lmdb");
  }

  /** Writes a file with a distinct mtime, so its version changes even within one millisecond. */
  async write(file: string, content: string): Promise<void> {
    const target = path.join(this.root, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    const when = new Date(Date.UTC(2026, 0, 1) + ++this.mtimeTick * 1000);
    await utimes(target, when, when);
  }

  async remove(file: string): Promise<void> {
    await rm(path.join(this.root, file));
  }

  connector(): Connector {
    return filesystemConnector.create(this.source.options as never, {
      sourceId: this.source.id,
      logger: silent,
      env: {},
    });
  }

  run(params: Partial<RunSyncParams> = {}) {
    return runSync({
      source: this.source,
      connector: this.connector(),
      client: this.client,
      state: this.state,
      mode: "full",
      apiCalls: this.apiCalls,
      ...params,
    });
  }

  syncDocuments(externalIds: string[], params: Partial<SyncDocumentsParams> = {}) {
    return syncDocuments({
      source: this.source,
      connector: this.connector(),
      client: this.client,
      state: this.state,
      externalIds,
      apiCalls: this.apiCalls,
      ...params,
    });
  }

  /** Writes the sandbox accepted since the last reset, by the sandbox's own counters. */
  writes(): { upserts: number; deletes: number; sourcesCreated: number } {
    const succeeded = this.sandbox.stats().succeeded;
    return {
      upserts: succeeded["POST /ai/external_pages"] ?? 0,
      deletes: succeeded["DELETE /ai/external_pages/{id}"] ?? 0,
      sourcesCreated: succeeded["POST /ai/content_import_sources"] ?? 0,
    };
  }

  /** The pages of our Content Import Source, sorted by external id. */
  async pages() {
    const sourceId = (await this.state.getSource(this.source.id)).contentImportSourceId;
    if (sourceId === undefined) return [];
    return this.sandbox.store
      .listPages(sourceId)
      .map((page) => ({ ...page }))
      .sort((a, b) => a.external_id.localeCompare(b.external_id));
  }

  /** A fresh store over the same file, as a new process would see it (or `store` instead). */
  async reopenState(store?: StateStore): Promise<void> {
    if (store) {
      this.state = store;
      return;
    }
    await this.lmdb.close();
    this.lmdb = await LmdbStateStore.open(this.stateFile);
    this.state = this.lmdb;
  }

  async close(): Promise<void> {
    await this.lmdb.close();
    await this.sandbox.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
