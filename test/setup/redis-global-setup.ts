import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Makes sure every test process sees a reachable Redis in REDIS_URL. It keeps a REDIS_URL that answers
 * PING (CI and developer machines run one on 6379); otherwise it starts `redis-server` from PATH on a
 * free loopback port for the duration of the run, so Redis-backed tests work where no Redis runs.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const configured = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  if (await answersPing(configured)) {
    process.env.REDIS_URL = configured;
    return async () => {};
  }
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "content-sync-redis-"));
  let child: ChildProcess;
  try {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      { stdio: "ignore" },
    );
  } catch (error) {
    throw new Error(
      `no Redis answers at ${configured} and redis-server could not be started: ${String(error)}`,
    );
  }
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(url))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(
        `no Redis answers at ${configured}, and redis-server on port ${port} did not start (is redis-server on PATH?)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.env.REDIS_URL = url;
  return async () => {
    child.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  };
}

/** Sends an inline PING over a raw socket: no client library needed before the tests start. */
function answersPing(redisUrl: string): Promise<boolean> {
  const { hostname, port } = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
    socket.connect(Number(port || 6379), hostname || "127.0.0.1", () => socket.write("PING\r\n"));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
