import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSandbox, startSandbox } from "@content-sync/intercom/sandbox";
import { builtInRegistry, loadConfig, purgeKeyspace, ServiceContext } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  freePort,
  REPO_ROOT,
  redisUrl,
  waitFor,
  writeDocuments,
  writeServiceConfig,
} from "../services/support/harness.js";
import { parseDockerfile, performDockerfile, type Stage } from "./dockerfile-steps.js";

const DOCKERFILE = path.join(REPO_ROOT, "Dockerfile");

/** The image's `USER uid:gid`, as numbers (the test runs its commands as that user). */
function imageUser(stage: Stage): { uid: number; gid: number } {
  const [uid, gid] = (stage.user ?? "0").split(":").map(Number);
  if (!Number.isInteger(uid))
    throw new Error(`USER ${stage.user} must be numeric for this test (and for runAsNonRoot)`);
  return { uid: uid as number, gid: gid ?? (uid as number) };
}

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs a command of the image: in its WORKDIR, with its ENV, as its USER. */
function runInImage(image: Stage, command: string[], env: Record<string, string | undefined> = {}): Started {
  const [program, ...args] = command;
  const child = spawn(program === "node" ? process.execPath : (program as string), args, {
    cwd: image.at(image.workdir),
    env: { PATH: process.env.PATH, ...image.env, ...env },
    ...imageUser(image),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/**
 * The production image, without a container engine: the Dockerfile's own steps performed in a scratch
 * folder (so this cannot drift from the file), then the image's command run as its user. This is also
 * the production artifact's test: dist/ built, production dependencies only, the built CLI's inline
 * sync of the demo and `serve` answering its health check.
 */
describe("the Dockerfile, performed step by step", { timeout: 900_000 }, () => {
  let scratch: string;
  let image: Stage;
  let stages: Stage[];

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), "content-sync-image-"));
    await chmod(scratch, 0o755);
    stages = await performDockerfile(DOCKERFILE, {
      context: REPO_ROOT,
      scratch,
      // npm's cache answers what it holds; the registry the rest.
      runEnv: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_prefer_offline: "true" },
    });
    image = stages.at(-1) as Stage;
  }, 900_000);
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("builds on Node 26 in every stage and runs as an unprivileged numeric user", async () => {
    for (const stage of stages) expect(stage.image).toMatch(/^node:26(-|$)/);
    expect(imageUser(image).uid).toBeGreaterThan(0);
    // RUN lines stay relative to WORKDIR, so performing them here means the same as in a builder.
    for (const instruction of parseDockerfile(await readFile(DOCKERFILE, "utf8"))) {
      if (instruction.keyword === "RUN")
        expect(instruction.args, `line ${instruction.line}`).not.toMatch(/(^|\s)\/\w/);
    }
  });

  it("ships dist/ and production dependencies only: no tsx, turbo, vitest or biome", async () => {
    const modules = image.at(`${image.workdir}/node_modules`);
    // (typescript itself stays: npm keeps it as an optional peer of valibot, which Bull Board's API
    // uses; nothing runs it, the image runs dist/ with plain node.)
    for (const dev of [
      "tsx",
      "turbo",
      "vitest",
      "@biomejs/biome",
      "playwright-core",
      "@stoplight/prism-cli",
    ]) {
      await expect(stat(path.join(modules, dev)), dev).rejects.toMatchObject({ code: "ENOENT" });
    }
    for (const runtime of ["fastify", "bullmq", "cheerio", "@content-sync/intercom"]) {
      await expect(stat(path.join(modules, runtime)), runtime).resolves.toBeTruthy();
    }
    await expect(stat(image.at(`${image.workdir}/apps/scheduler/dist/bin.js`))).resolves.toBeTruthy();
    await expect(stat(image.at(`${image.workdir}/apps/scheduler/src`))).rejects.toMatchObject({
      code: "ENOENT",
    });
  });

  it("runs an inline sync of the demo as the image's user, keeping state in the writable .data", async () => {
    const entrypoint = image.entrypoint ?? [];
    const sync = runInImage(
      image,
      [...entrypoint, "sync", "--all", "--config", "config/demo.yaml", "--json"],
      {
        LOG_LEVEL: "silent",
      },
    );
    const code = await sync.exited;
    expect(code, sync.output()).toBe(0);
    const lines = sync
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { type: string; created?: number });
    expect(lines.find((line) => line.type === "summary")).toMatchObject({ created: 6 });
    const data = await stat(image.at(`${image.workdir}/.data/sandbox.json`));
    expect(data.uid).toBe(imageUser(image).uid);
  });

  describe("serve, the image's command, with Redis and a sandbox as Intercom", () => {
    let sandbox: RunningSandbox;
    let context: ServiceContext;
    let config: string;
    let env: Record<string, string | undefined>;

    beforeAll(async () => {
      sandbox = await startSandbox();
      // What compose mounts at /config: a config of the operator's.
      config = path.join(scratch, "config", "content-sync.yaml");
      await writeDocuments(path.join(scratch, "config", "docs"), 3);
      await writeServiceConfig(config, {
        prefix: `cs-test-${randomUUID()}`,
        sandboxUrl: sandbox.url,
        sources: [{ id: "handbook", root: path.join(scratch, "config", "docs") }],
      });
      await chmod(path.join(scratch, "config"), 0o755);
      env = { CONTENT_SYNC_CONFIG: config, REDIS_URL: redisUrl(), TEST_INTERCOM_TOKEN: sandbox.token };
      const registry = builtInRegistry();
      context = new ServiceContext({
        config: await loadConfig(config, { registry, env }),
        registry,
        env,
        role: "test",
      });
    });
    afterAll(async () => {
      await purgeKeyspace(context.connection, context.keyspace);
      await context.close();
      await sandbox.close();
    });

    it("listens on every interface, prints that, and passes the image's HEALTHCHECK", async () => {
      const port = String(await freePort());
      const serve = runInImage(image, [...(image.entrypoint ?? []), ...(image.cmd ?? [])], {
        ...env,
        PORT: port,
      });
      try {
        await waitFor("serve to listen", () => {
          if (serve.child.exitCode !== null) throw new Error(`serve exited: ${serve.output()}`);
          return serve.output().includes("listening on");
        });
        expect(serve.output()).toContain(`content-sync listening on 0.0.0.0:${port} (every interface)`);
        const health = runInImage(image, image.healthcheck ?? ["false"], { PORT: port });
        expect(await health.exited, health.output()).toBe(0);
        // A fresh keyspace: /readyz answers 200 once the first start's recovery run (in serve's own
        // worker) has rebuilt the source, which on a slow machine finishes after the health check.
        const readiness = async () => {
          const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
          const body = (await ready.json()) as { status: string; keyspace: string };
          return ready.status === 200 ? body : undefined;
        };
        const ready = await waitFor("/readyz to answer 200", readiness, 60_000, 200);
        expect(ready).toMatchObject({ status: "ready", keyspace: "ready" });
      } finally {
        serve.child.kill("SIGTERM");
      }
      expect(await serve.exited).toBe(0);
    });

    it("runs compose's worker command (apps/worker) and passes the same HEALTHCHECK", async () => {
      const compose = parse(await readFile(path.join(REPO_ROOT, "compose.yaml"), "utf8")) as {
        services: { worker: { entrypoint: string[]; command: string[] } };
      };
      const port = String(await freePort());
      const { entrypoint, command } = compose.services.worker;
      const worker = runInImage(image, [...entrypoint, ...command], { ...env, PORT: port });
      try {
        const health = async () => {
          const probe = runInImage(image, image.healthcheck ?? ["false"], { PORT: port });
          return (await probe.exited) === 0 || undefined;
        };
        await waitFor(`the worker's health check (${worker.output()})`, health, 60_000, 250);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain("content_sync_worker_concurrency 4");
      } finally {
        worker.child.kill("SIGTERM");
      }
      expect(await worker.exited).toBe(0);
    });
  });
});
