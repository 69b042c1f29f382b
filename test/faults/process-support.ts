import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import { builtInRegistry, loadConfig, type RunRecord, ServiceContext } from "@content-sync/sync";
import {
  type CliProcess,
  freePort,
  spawnCli,
  spawnWorker,
  stopProcess,
  waitFor,
  writeServiceConfig,
} from "../services/support/harness.js";
import { OwnedRedisServer } from "../services/support/redis-server.js";
import { type Comparison, comparePages, counts } from "./support.js";

/**
 * A fleet of real processes for the process-fault scenarios: a redis-server (or a Redis Cluster)
 * the scenario owns, the sandbox as Intercom, filesystem sources whose documents carry a revision
 * marker, `content-sync-worker` processes and `content-sync serve --scheduler-only` processes, and a
 * ServiceContext in the test to enqueue runs and read the run history.
 */

/** A killed worker's jobs are taken over within a few seconds (BullMQ's job lock and stall check). */
const WORKER_ENV = {
  CONTENT_SYNC_LOCK_DURATION_MS: "3000",
  CONTENT_SYNC_STALLED_INTERVAL_MS: "1500",
};

export interface FleetSource {
  id: string;
  documents: number;
  /** A job-scheduler spec for the config, e.g. `{ every: 2s }`. */
  schedule?: string;
}

export interface FleetOptions {
  sources: FleetSource[];
  /** Documents per batch of a fanned-out full run. Default 25 (a few hundred documents make many batches). */
  batchSize?: number;
  /** Sandbox latency per call, so a run lasts long enough to be interrupted. Default 10 ms. */
  latencyMs?: number;
  /** `persistent` (append-only, fsync always), `volatile` (nothing survives a restart), or a cluster. */
  redis: "persistent" | "volatile" | "cluster";
}

/** One Redis Cluster on loopback: three masters with one replica each. */
export class OwnedCluster {
  private constructor(readonly nodes: OwnedRedisServer[]) {}

  static async start(dir: string): Promise<OwnedCluster> {
    const nodes: OwnedRedisServer[] = [];
    for (let i = 0; i < 6; i++) {
      const nodeDir = path.join(dir, `node-${i}`);
      await mkdir(nodeDir, { recursive: true });
      nodes.push(new OwnedRedisServer(await freePort(), nodeDir, { cluster: true, persistence: false }));
    }
    const cluster = new OwnedCluster(nodes);
    try {
      await Promise.all(nodes.map((node) => node.start()));
      const create = await runRedisCli([
        "--cluster",
        "create",
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        "--cluster-replicas",
        "1",
        "--cluster-yes",
      ]);
      if (create.code !== 0) throw new Error(`redis-cli --cluster create failed: ${create.output}`);
      await waitFor(
        "the cluster to agree on its slots",
        async () => {
          for (const node of nodes) {
            const info = await runRedisCli(["-p", String(node.port), "CLUSTER", "INFO"]);
            if (!info.output.includes("cluster_state:ok")) return false;
          }
          return true;
        },
        30_000,
        200,
      );
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get url(): string {
    return this.nodes.map((node) => `redis://127.0.0.1:${node.port}`).join(",");
  }

  /** The node answering for a key's slot, and that node's replica. */
  async ownerOf(key: string): Promise<{ slot: number; master: OwnedRedisServer; replica: OwnedRedisServer }> {
    const first = this.nodes[0] as OwnedRedisServer;
    const slot = Number(
      (await runRedisCli(["-p", String(first.port), "CLUSTER", "KEYSLOT", key])).output.trim(),
    );
    const nodes = (await runRedisCli(["-p", String(first.port), "CLUSTER", "NODES"])).output
      .trim()
      .split("\n");
    const parsed = nodes.map((line) => {
      const [id = "", address = "", flags = "", masterId = "", , , , , ...slots] = line.split(" ");
      return { id, port: Number(address.split(":")[1]?.split("@")[0]), flags, masterId, slots };
    });
    const owner = parsed.find(
      (node) =>
        node.flags.includes("master") &&
        node.slots.some((range) => {
          const [from, to = from] = range.split("-").map(Number);
          return from !== undefined && slot >= from && slot <= (to as number);
        }),
    );
    const replica = parsed.find((node) => node.masterId === owner?.id);
    const master = this.nodes.find((node) => node.port === owner?.port);
    const replicaNode = this.nodes.find((node) => node.port === replica?.port);
    if (!master || !replicaNode)
      throw new Error(`no master with a replica owns slot ${slot}: ${nodes.join("\n")}`);
    return { slot, master, replica: replicaNode };
  }

  /** True once `node` calls itself a master. */
  async isMaster(node: OwnedRedisServer): Promise<boolean> {
    const role = await runRedisCli(["-p", String(node.port), "ROLE"]);
    return role.output.startsWith("master");
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
  }
}

export async function runRedisCli(args: string[]): Promise<{ code: number | null; output: string }> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    const child = spawn("redis-cli", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => resolve({ code, output }));
  });
}

export class ProcessFleet {
  readonly workers: CliProcess[] = [];
  readonly schedulers: { process: CliProcess; port: number }[] = [];
  /** External id → revision, per source: what the sandbox must show. */
  readonly revisions = new Map<string, Map<string, number>>();
  /** External ids that had a page once, per source (a page gone while its document exists was wrongly deleted). */
  readonly everSynced = new Map<string, Set<string>>();
  /** External id → the sandbox page id it had at the last comparison: a new id means the page was created twice. */
  private readonly pageIds = new Map<string, Map<string, string>>();
  private tick = 0;
  private nextDocument = new Map<string, number>();

  private constructor(
    readonly dir: string,
    readonly configFile: string,
    readonly sandbox: RunningSandbox,
    readonly context: ServiceContext,
    readonly env: Record<string, string>,
    readonly redis: OwnedRedisServer | undefined,
    readonly cluster: OwnedCluster | undefined,
  ) {}

  static async start(options: FleetOptions): Promise<ProcessFleet> {
    const dir = await mkdtemp(path.join(tmpdir(), "content-sync-process-faults-"));
    let redis: OwnedRedisServer | undefined;
    let cluster: OwnedCluster | undefined;
    let sandbox: RunningSandbox | undefined;
    try {
      if (options.redis === "cluster") cluster = await OwnedCluster.start(path.join(dir, "cluster"));
      else {
        await mkdir(path.join(dir, "redis"));
        redis = new OwnedRedisServer(await freePort(), path.join(dir, "redis"), {
          persistence: options.redis === "persistent",
        });
        await redis.start();
      }
      sandbox = await startSandbox({ faults: { latencyMs: options.latencyMs ?? 10 } });
      const configFile = path.join(dir, "content-sync.yaml");
      await writeServiceConfig(configFile, {
        prefix: `cs-faults-${randomUUID().slice(0, 8)}`,
        sandboxUrl: sandbox.url,
        cluster: options.redis === "cluster",
        sources: options.sources.map((source) => ({
          id: source.id,
          root: path.join(dir, "docs", source.id),
          schedule: source.schedule,
          concurrency: 4,
        })),
      });
      const env = {
        TEST_INTERCOM_TOKEN: sandbox.token,
        REDIS_URL: (cluster?.url ?? redis?.url) as string,
        CONTENT_SYNC_BATCH_SIZE: String(options.batchSize ?? 25),
        ...WORKER_ENV,
      };
      const registry = builtInRegistry();
      const context = new ServiceContext({
        config: await loadConfig(configFile, { registry, env }),
        registry,
        env,
        role: "test",
      });
      const fleet = new ProcessFleet(dir, configFile, sandbox, context, env, redis, cluster);
      for (const source of options.sources) {
        fleet.revisions.set(source.id, new Map());
        fleet.everSynced.set(source.id, new Set());
        fleet.pageIds.set(source.id, new Map());
        fleet.nextDocument.set(source.id, 0);
        await mkdir(path.join(dir, "docs", source.id), { recursive: true });
        await fleet.addDocuments(source.id, source.documents, 1);
      }
      return fleet;
    } catch (error) {
      await sandbox?.close();
      await redis?.kill();
      await cluster?.stop();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  private root(sourceId: string): string {
    return path.join(this.dir, "docs", sourceId);
  }

  private async writeDocument(sourceId: string, id: string, revision: number): Promise<void> {
    const file = path.join(this.root(sourceId), id);
    await writeFile(
      file,
      `# Document ${id}\n\nDocument ${id} of ${sourceId}, ${marker(sourceId, id, revision)}.\n`,
    );
    // A distinct mtime per write, so the version changes even within one millisecond.
    const when = new Date(Date.UTC(2026, 0, 1) + ++this.tick * 1000);
    await utimes(file, when, when);
    (this.revisions.get(sourceId) as Map<string, number>).set(id, revision);
  }

  async addDocuments(sourceId: string, count: number, revision: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const n = this.nextDocument.get(sourceId) ?? 0;
      this.nextDocument.set(sourceId, n + 1);
      await this.writeDocument(sourceId, `doc-${String(n).padStart(5, "0")}.md`, revision);
    }
  }

  /** A new revision of every document, and `remove` documents deleted (picked by `random`). */
  async revise(sourceId: string, revision: number, random: () => number, remove = 0): Promise<void> {
    const documents = this.revisions.get(sourceId) as Map<string, number>;
    for (let i = 0; i < remove; i++) {
      const ids = [...documents.keys()];
      const id = ids[Math.floor(random() * ids.length)] as string;
      await rm(path.join(this.root(sourceId), id));
      documents.delete(id);
      this.pageIds.get(sourceId)?.delete(id);
    }
    for (const id of [...documents.keys()]) await this.writeDocument(sourceId, id, revision);
  }

  /** The sandbox pages of a source's Content Import Source. */
  pages(sourceId: string) {
    const importSource = this.sandbox.store
      .listSources()
      .find((candidate) => candidate.url === `https://${sourceId}.example.test/`);
    return importSource === undefined ? [] : this.sandbox.store.listPages(importSource.id);
  }

  /** Pages of the source already showing their document's current revision. */
  pagesAtRevision(sourceId: string): number {
    const documents = this.revisions.get(sourceId) as Map<string, number>;
    return this.pages(sourceId).filter((page) => {
      const revision = documents.get(page.external_id);
      return revision !== undefined && page.html.includes(marker(sourceId, page.external_id, revision));
    }).length;
  }

  /**
   * The page-by-page comparison (counted in the suite's results), plus pages created twice for one
   * external id: a document whose page id changed since the last comparison lost its page and got a
   * new one.
   */
  compare(sourceId: string): Comparison & { recreated: string[] } {
    const documents = this.revisions.get(sourceId) as Map<string, number>;
    const expected = new Map([...documents].map(([id, revision]) => [id, marker(sourceId, id, revision)]));
    const pages = this.pages(sourceId);
    const everSynced = this.everSynced.get(sourceId) as Set<string>;
    const result = comparePages(expected, pages, everSynced);
    const known = this.pageIds.get(sourceId) as Map<string, string>;
    const recreated: string[] = [];
    for (const page of pages) {
      const before = known.get(page.external_id);
      if (before !== undefined && before !== page.id) recreated.push(page.external_id);
      known.set(page.external_id, page.id);
      everSynced.add(page.external_id);
    }
    counts.pagesDuplicated += recreated.length;
    return { ...result, recreated };
  }

  /**
   * Remembers the page id of every page the source has now (mid-run, without counting a comparison),
   * so the next comparison sees a page created twice for one document.
   */
  rememberPages(sourceId: string): void {
    const known = this.pageIds.get(sourceId) as Map<string, string>;
    const everSynced = this.everSynced.get(sourceId) as Set<string>;
    for (const page of this.pages(sourceId)) {
      known.set(page.external_id, page.id);
      everSynced.add(page.external_id);
    }
  }

  spawnWorker(concurrency = 2): CliProcess {
    const worker = spawnWorker(
      ["--config", this.configFile, "--concurrency", String(concurrency), "--log-level", "warn"],
      this.env,
    );
    this.workers.push(worker);
    return worker;
  }

  /** `content-sync serve --scheduler-only` on a free port (the epoch check, job schedulers, /readyz). */
  async spawnScheduler(): Promise<{ process: CliProcess; port: number }> {
    const port = await freePort();
    const scheduler = {
      process: spawnCli(
        [
          "serve",
          "--scheduler-only",
          "--config",
          this.configFile,
          "--port",
          String(port),
          "--log-level",
          "warn",
        ],
        this.env,
      ),
      port,
    };
    this.schedulers.push(scheduler);
    await waitFor(
      "the scheduler to listen",
      async () => {
        if (scheduler.process.child.exitCode !== null)
          throw new Error(`the scheduler exited: ${scheduler.process.output()}`);
        return (await this.readyz(port)) !== undefined;
      },
      60_000,
      200,
    );
    return scheduler;
  }

  /** The status code of a scheduler's /readyz, undefined while it does not answer. */
  async readyz(port: number): Promise<number | undefined> {
    return (await this.readiness(port))?.status;
  }

  /** A scheduler's /readyz answer (status and body), undefined while it does not answer. */
  async readiness(
    port: number,
  ): Promise<
    { status: number; body: { redis?: boolean; keyspace?: string; recovering?: string[] } } | undefined
  > {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: response.status, body: (await response.json()) as never };
    } catch {
      return undefined;
    }
  }

  /** Waits until `count` workers more than `before` are connected to the queue. */
  async workersConnected(count: number): Promise<void> {
    await waitFor(
      `${count} workers connected`,
      async () => (await this.context.queue.getWorkers()).length >= count || undefined,
      90_000,
      250,
    );
  }

  /** The run with this id once it is in the source's history (finished). */
  finishedRun(sourceId: string, runId: string, timeoutMs = 120_000): Promise<RunRecord> {
    return waitFor(
      `run ${runId} of ${sourceId} to finish`,
      async () => (await this.context.ledger.history(sourceId, 50)).find((run) => run.runId === runId),
      timeoutMs,
      200,
    );
  }

  /** Stops every process (SIGKILL: the scenario is over), the Redis, the sandbox, and removes the folder. */
  async close(): Promise<void> {
    await Promise.all([
      ...this.workers.map((worker) => stopProcess(worker, "SIGKILL")),
      ...this.schedulers.map((scheduler) => stopProcess(scheduler.process, "SIGKILL")),
    ]);
    // A Redis that is down would make a polite QUIT wait for a reconnect: give it a few seconds.
    await Promise.race([
      this.context.close().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
    ]);
    this.context.connection.disconnect();
    await this.redis?.kill();
    await this.cluster?.stop();
    await this.sandbox.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The revision marker a document's page must show. */
export const marker = (sourceId: string, id: string, revision: number) => `rev-${revision}-${sourceId}-${id}`;
