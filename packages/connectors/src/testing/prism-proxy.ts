import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";

const require = createRequire(import.meta.url);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface PrismProxy {
  /** Send the fixture's requests here: Prism checks them and the fixture's answers against the spec. */
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** One violation Prism found, from its `sl-violations` response header. */
export interface ContractViolation {
  location: string[];
  severity: string;
  code: string | number;
  message: string;
}

/**
 * Stoplight Prism in proxy mode in front of a fixture server: every request is checked against the
 * OpenAPI file (a request the spec does not allow is answered 422 by `--errors`), forwarded to
 * `upstream`, and the answer is checked too; its violations come back in the `sl-violations` header
 * (read them with `contractViolations`). The same Prism the Intercom client's contract test uses.
 */
export async function startPrismProxy(
  specPath: string,
  upstream: string,
  timeoutMs = 120_000,
): Promise<PrismProxy> {
  const port = await freePort();
  const bin = path.join(
    path.dirname(require.resolve("@stoplight/prism-cli/package.json")),
    "dist",
    "index.js",
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, "proxy", specPath, upstream, "-p", String(port), "-h", "127.0.0.1", "--errors"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
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
    child.stdout?.on("data", () => {
      if (output.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with code ${code} before listening:\n${output}`));
    });
  });
  return { baseUrl: `http://127.0.0.1:${port}`, output: () => output, stop };
}

/** The violations Prism reported for one proxied answer (none: an empty list). */
export function contractViolations(response: Response): ContractViolation[] {
  const header = response.headers.get("sl-violations");
  return header ? (JSON.parse(header) as ContractViolation[]) : [];
}
