import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";

const require = createRequire(import.meta.url);

/** Asks the OS for a port nobody listens on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port assigned"));
      });
    });
  });
}

export interface PrismServer {
  baseUrl: string;
  /** Everything Prism printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartPrismOptions {
  /**
   * Proxy to this upstream (a fixture server) instead of mocking: requests and the upstream's answers
   * are both checked against the spec; answer violations come back in the `sl-violations` header.
   */
  proxyTo?: string;
  /** How long Prism may take to load the spec and listen. Default 90 000 ms. */
  timeoutMs?: number;
}

/**
 * Starts Stoplight Prism as a validating mock of `specPath` (or a validating proxy, see `proxyTo`).
 * With `--errors`, a request the spec does not allow is answered with an error status instead of a
 * made-up success. Shared by the Intercom client's contract test and the connectors' fixture kit
 * (`@content-sync/intercom/testing`).
 */
export async function startPrism(specPath: string, options: StartPrismOptions = {}): Promise<PrismServer> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const port = await freePort();
  const packageJson = require.resolve("@stoplight/prism-cli/package.json");
  const bin = path.join(path.dirname(packageJson), "dist", "index.js");
  const child: ChildProcess = spawn(
    process.execPath,
    options.proxyTo
      ? [bin, "proxy", specPath, options.proxyTo, "-p", String(port), "-h", "127.0.0.1", "--errors"]
      : // A fixed seed keeps the responses Prism generates from schemas the same on every run.
        [bin, "mock", specPath, "-p", String(port), "-h", "127.0.0.1", "--errors", "--seed", "content-sync"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`Prism did not start listening within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const check = (): void => {
      if (output.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with code ${code} before listening:\n${output}`));
    });
  });

  return { baseUrl: `http://127.0.0.1:${port}`, output: () => output, stop };
}
