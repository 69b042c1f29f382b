import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Connector, ConnectorDefinition } from "@content-sync/connectors";
import { ConnectorRegistry } from "@content-sync/connectors";
import { IntercomClient } from "@content-sync/intercom";
import type { RunningSandbox, SandboxStats } from "@content-sync/intercom/sandbox";
import { startSandbox } from "@content-sync/intercom/sandbox";
import type { RunSummary, SourceConfig } from "@content-sync/sync";
import {
  ApiCallCounter,
  connectorInitFor,
  LmdbStateStore,
  parseConfig,
  runSync,
  syncDocuments,
} from "@content-sync/sync";
import { pino } from "pino";
import { expect } from "vitest";

const TOKEN = "e2e-cms-token";
export const silentLogger = pino({ level: "silent" });

/** The page fields the assertions look at, as the Intercom API returned them. */
export interface SyncedPage {
  id: string;
  external_id: string;
  title: string;
  html: string;
  url: string | undefined;
  ai_agent_availability: boolean;
  ai_copilot_availability: boolean;
}

/** Page writes the sandbox saw since the last reset, read from its stats route over HTTP. */
export interface PageWrites {
  /** `POST /ai/external_pages` calls, whatever their answer. */
  upserts: number;
  /** `DELETE /ai/external_pages/{id}` calls, whatever their answer. */
  deletes: number;
  /** Of those, the ones answered 2xx. */
  upsertsSucceeded: number;
  deletesSucceeded: number;
  sourcesCreated: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * One sandbox (port 0) and one state file per test file, and sources that go through the real config
 * parser and a connector registry: the path an inline `content-sync sync` takes, minus the process
 * boundary. The registry holds the connector under test because `builtInRegistry()` does not list the
 * CMS connectors yet.
 */
export class CmsSyncHarness {
  readonly apiCalls = new ApiCallCounter();
  readonly client: IntercomClient;
  private constructor(
    readonly dir: string,
    readonly sandbox: RunningSandbox,
    readonly registry: ConnectorRegistry,
    readonly state: LmdbStateStore,
  ) {
    this.client = new IntercomClient({
      token: TOKEN,
      baseUrl: sandbox.url,
      onResponse: this.apiCalls.onResponse,
      maxRetries: 0,
    });
  }

  static async start<Options>(definition: ConnectorDefinition<Options>): Promise<CmsSyncHarness> {
    const dir = await mkdtemp(path.join(tmpdir(), "content-sync-e2e-cms-"));
    const sandbox = await startSandbox({ port: 0, tokens: [TOKEN] });
    const state = await LmdbStateStore.open(path.join(dir, "state.lmdb"));
    return new CmsSyncHarness(dir, sandbox, new ConnectorRegistry().register(definition), state);
  }

  /**
   * Parses a config file made of one source (YAML, as an operator writes it) through the product's
   * schema and the harness's connector registry; `${VAR}` references resolve from `env`.
   */
  source(sourceYaml: string, env: Env): SourceConfig {
    // Customer-facing and teammate-facing Fin both read these test pages unless a source says otherwise.
    const text = `dataDir: ${JSON.stringify(path.join(this.dir, "data"))}\nintercom: { target: sandbox }\ndefaults: { availability: { aiAgent: true, aiCopilot: true } }\nsources:\n${indent(sourceYaml)}`;
    const config = parseConfig(text, path.join(this.dir, "content-sync.yaml"), {
      registry: this.registry,
      env,
      cwd: this.dir,
    });
    const [source] = config.sources;
    if (!source) throw new Error("the config has no source");
    return source;
  }

  /** A fresh connector for the source, created the way the CLI and the worker create it. */
  connector(source: SourceConfig, env: Env): Connector {
    const definition = this.registry.get(source.type);
    if (!definition) throw new Error(`connector type "${source.type}" is not in the registry`);
    return definition.create(
      source.options,
      connectorInitFor(source, definition, { logger: silentLogger, env }),
    );
  }

  run(source: SourceConfig, env: Env, mode: "full" | "incremental"): Promise<RunSummary> {
    return runSync({
      source,
      connector: this.connector(source, env),
      client: this.client,
      state: this.state,
      mode,
      apiCalls: this.apiCalls,
    });
  }

  syncDocuments(
    source: SourceConfig,
    env: Env,
    externalIds: readonly string[],
    deletedByWebhook: readonly string[] = [],
  ): Promise<RunSummary> {
    return syncDocuments({
      source,
      connector: this.connector(source, env),
      client: this.client,
      state: this.state,
      externalIds,
      deletedByWebhook,
      apiCalls: this.apiCalls,
    });
  }

  /**
   * Runs the source (full, then incremental) with one credential env var set to a wrong value and
   * asserts what an operator must be able to rely on: the listing stops, the error names the env var
   * but never its value, and not a single page is written or deleted.
   */
  async expectRefusedCredential(source: SourceConfig, env: Env, credentialEnv: string, wrongValue: string) {
    const wrong = { ...env, [credentialEnv]: wrongValue };
    const pagesBefore = await this.pages(source);
    await this.resetStats();
    for (const mode of ["full", "incremental"] as const) {
      const summary = await this.run(source, wrong, mode);
      expect(summary).toMatchObject({ listingComplete: false, created: 0, updated: 0, deleted: 0 });
      expect(summary.listingError).toMatch(/refused with 401/);
      expect(summary.listingError).toContain(credentialEnv);
      expect(summary.listingError).not.toContain(wrongValue);
    }
    expect(await this.writes()).toMatchObject({ upserts: 0, deletes: 0 });
    expect(await this.pages(source)).toEqual(pagesBefore);
  }

  async stats(): Promise<SandboxStats> {
    const response = await fetch(`${this.sandbox.url}/__sandbox/stats`);
    if (!response.ok) throw new Error(`GET /__sandbox/stats answered ${response.status}`);
    return (await response.json()) as SandboxStats;
  }

  async resetStats(): Promise<void> {
    const response = await fetch(`${this.sandbox.url}/__sandbox/stats/reset`, { method: "POST" });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`POST /__sandbox/stats/reset answered ${response.status}`);
  }

  async writes(): Promise<PageWrites> {
    const { calls, succeeded } = await this.stats();
    return {
      upserts: calls["POST /ai/external_pages"] ?? 0,
      deletes: calls["DELETE /ai/external_pages/{id}"] ?? 0,
      upsertsSucceeded: succeeded["POST /ai/external_pages"] ?? 0,
      deletesSucceeded: succeeded["DELETE /ai/external_pages/{id}"] ?? 0,
      sourcesCreated: succeeded["POST /ai/content_import_sources"] ?? 0,
    };
  }

  /** The pages of the source's Content Import Source, read through the Intercom API, by external id. */
  async pages(source: SourceConfig): Promise<SyncedPage[]> {
    const contentImportSourceId = (await this.state.getSource(source.id)).contentImportSourceId;
    if (contentImportSourceId === undefined) return [];
    const pages: SyncedPage[] = [];
    for await (const page of this.client.aiContent.listExternalPages()) {
      if (page.source_id !== contentImportSourceId) continue;
      pages.push({
        id: page.id,
        external_id: page.external_id,
        title: page.title,
        html: page.html,
        url: page.url ?? undefined,
        ai_agent_availability: page.ai_agent_availability,
        ai_copilot_availability: page.ai_copilot_availability,
      });
    }
    return pages.sort((a, b) => a.external_id.localeCompare(b.external_id));
  }

  async page(source: SourceConfig, externalId: string): Promise<SyncedPage> {
    const found = (await this.pages(source)).find((page) => page.external_id === externalId);
    if (!found) throw new Error(`no page with external id ${externalId} in source ${source.id}`);
    return found;
  }

  async close(): Promise<void> {
    await this.state.close();
    await this.sandbox.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function indent(yaml: string): string {
  const lines = yaml.replace(/^\n+|\s+$/g, "").split("\n");
  const margin = Math.min(
    ...lines.filter((line) => line.trim() !== "").map((line) => /^ */.exec(line)![0].length),
  );
  return lines.map((line, index) => `${index === 0 ? "  - " : "    "}${line.slice(margin)}`).join("\n");
}
