import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorRegistry,
  SourceEvent,
} from "@content-sync/connectors";
import type { RunningSandbox } from "@content-sync/intercom/sandbox";
import { type SchedulerApp, startSchedulerApp } from "@content-sync/scheduler";
import { purgeKeyspace } from "@content-sync/sync";
import { bufferLogger } from "./support.js";

// Helpers of input-faults.test.ts: the real CLI as a child process, a scheduler on real Redis with
// its own keyspace, and connector wrappers that time faults around a listing.

const repo = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repo, "apps/scheduler/src/bin.ts");
const tsx = import.meta.resolve("tsx");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real `content-sync` binary in a child process, bounded so a hung CLI fails the test. */
export function cli(args: string[], cwd: string): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "silent" };
  delete childEnv.INTERCOM_ACCESS_TOKEN;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", tsx, bin, ...args], {
      cwd,
      env: childEnv,
      timeout: 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `work` over `items` with at most `limit` at once (each CLI start costs seconds of CPU). */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += limit)
    results.push(...(await Promise.all(items.slice(start, start + limit).map(work))));
  return results;
}

/**
 * The filesystem connector with one document listed a second time under the same external id (two
 * documents of a source sharing an id), its second copy loading other content.
 */
export function listingTwice(inner: Connector, externalId: string, otherContent: string): Connector {
  return {
    ...inner,
    async *listAll(ctx): AsyncIterable<SourceEvent> {
      for await (const event of inner.listAll(ctx)) {
        yield event;
        if (event.kind === "document" && event.document.externalId === externalId) {
          const first = event.document;
          yield {
            kind: "document",
            document: {
              ...first,
              version: `${first.version}-twin`,
              load: async (signal) => ({
                ...(await first.load(signal)),
                body: { kind: "markdown", markdown: otherContent },
              }),
            },
          };
        }
      }
    },
  };
}

/** A scheduler (HTTP server, queue, job schedulers) on real Redis with its own keyspace and config. */
export async function startApp(
  dir: string,
  sourcesYaml: string,
  options: {
    sandbox?: RunningSandbox;
    registry: ConnectorRegistry;
    withWorker: boolean;
    /** The Intercom token (INPUT_FAULTS_INTERCOM_TOKEN) and webhook secret (INPUT_FAULTS_WEBHOOK_SECRET). */
    secrets: { intercomToken: string; webhookSecret: string };
  },
): Promise<SchedulerApp> {
  const file = path.join(dir, "content-sync.yaml");
  const intercom = options.sandbox
    ? `intercom: { tokenEnv: INPUT_FAULTS_INTERCOM_TOKEN, baseUrl: "${options.sandbox.url}" }`
    : "intercom: { target: sandbox }";
  await writeFile(
    file,
    `${intercom}\nredis: { keyPrefix: cs-faults-input-${randomUUID()} }\nsources:\n${sourcesYaml}`,
  );
  return startSchedulerApp({
    configFile: file,
    env: {
      INPUT_FAULTS_INTERCOM_TOKEN: options.secrets.intercomToken,
      INPUT_FAULTS_WEBHOOK_SECRET: options.secrets.webhookSecret,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    },
    registry: options.registry,
    port: 0,
    host: "127.0.0.1",
    withWorker: options.withWorker,
    worker: { concurrency: 6, fanOut: { batchSize: 10 } },
    watchConfig: false,
    coalesceWindowMs: 100,
    logger: bufferLogger(),
  });
}

export async function stopApp(app: SchedulerApp | undefined): Promise<void> {
  if (!app) return;
  const { connection, keyspace } = app.context;
  await app.http.close();
  await app.worker?.close();
  await purgeKeyspace(connection, keyspace);
  await app.close();
}

/**
 * Hooks around a connector's listing, for faults timed between a fanned-out run's listing and its
 * batches: `afterListing` runs once the inner listing has yielded its last event (the run has queued
 * every batch), and batches' fetches (several ids each) wait until it has finished.
 */
export class ListingGate {
  afterListing: (() => Promise<void>) | undefined;
  private opened: Promise<void> = Promise.resolve();

  /** The next listing holds batches back until its `afterListing` is done. */
  arm(afterListing: () => Promise<void>): void {
    let open = (): void => undefined;
    this.opened = new Promise((resolve) => {
      open = resolve;
    });
    this.afterListing = async () => {
      try {
        await afterListing();
      } finally {
        this.afterListing = undefined;
        open();
      }
    };
  }

  wrap<O>(definition: ConnectorDefinition<O>): ConnectorDefinition<O> {
    const gate = this;
    return {
      ...definition,
      type: `gated-${definition.type}`,
      create(options, init): Connector {
        const inner = definition.create(options, init);
        return {
          async *listAll(ctx) {
            yield* inner.listAll(ctx);
            await gate.afterListing?.();
          },
          async *fetchByIds(ids, ctx) {
            // Batches carry several ids (batchSize 10 here); a webhook's job fetches its one document
            // and must go through while the batches wait (its write is what scenario L is about).
            if (ids.length > 1) await gate.opened;
            yield* inner.fetchByIds(ids, ctx);
          },
          ...(inner.webhook ? { webhook: inner.webhook } : {}),
        };
      },
    };
  }
}
