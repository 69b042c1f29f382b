import { type ChildProcess, spawn } from "node:child_process";
import { Socket } from "node:net";
import { waitFor } from "./harness.js";

export interface OwnedRedisOptions {
  /**
   * Append-only persistence fsynced on every write, so a kill loses nothing and a restart on the same
   * dir recovers the queue. Default true; false is a Redis that comes back empty after any restart.
   */
  persistence?: boolean;
  /** Start as a Redis Cluster node (its nodes file in `dir`); join nodes with `redis-cli --cluster create`. */
  cluster?: boolean;
}

/** A redis-server the test owns (started on a free port, persistence as {@link OwnedRedisOptions} say). */
export class OwnedRedisServer {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    readonly dir: string,
    readonly options: OwnedRedisOptions = {},
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.dir,
        "--save",
        "",
        "--appendonly",
        this.options.persistence === false ? "no" : "yes",
        "--appendfsync",
        "always",
        "--maxmemory-policy",
        "noeviction",
        ...(this.options.cluster
          ? [
              "--cluster-enabled",
              "yes",
              "--cluster-config-file",
              `nodes-${this.port}.conf`,
              "--cluster-node-timeout",
              "2000",
            ]
          : []),
      ],
      { stdio: "ignore" },
    );
    await waitFor(`redis-server on port ${this.port}`, () => ping(this.port), 15_000, 50);
  }

  /** Kills the server without warning (SIGKILL), as a crash or an OOM kill would. */
  async kill(): Promise<void> {
    const child = this.child;
    // A child already killed by a signal has a signalCode and no exitCode: it will not exit again.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}
