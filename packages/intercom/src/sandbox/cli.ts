import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { SandboxOptionsError } from "./errors.js";
import { startSandbox } from "./server.js";
import type { RunningSandbox, SandboxOptions } from "./types.js";

export const SANDBOX_CLI_USAGE = `Usage: content-sync sandbox [--port N] [--host H] [--data FILE] [--token T]... [--rate-limit N] [--sink]

Runs a local Intercom-compatible server for the AI Content API until SIGINT or SIGTERM.
  --port N          port to listen on (default 4010; 0 picks a free one)
  --host H          interface to bind (default 127.0.0.1)
  --data FILE       keep the data in this JSON file (default: memory only)
  --token T         accepted bearer token, repeatable (default: sandbox-token)
  --rate-limit N    calls per minute, enforced in 10-second windows (default: off)
  --sink            answer page writes as usual but keep no page (load and memory benchmarks)
`;

/** Where the CLI writes and what stops it; the defaults are the process's. */
export interface SandboxCliIo {
  /** Receives the URL and token lines. Default process.stdout. */
  stdout?: { write(text: string): unknown };
  /** Stops the sandbox when aborted, as SIGINT/SIGTERM do. Default none. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Called once the sandbox listens (tests use it to reach the sandbox). */
  onStarted?: (sandbox: RunningSandbox) => void;
}

function integerFlag(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < min || value > max) {
    throw new SandboxOptionsError(flag, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Turns CLI flags into sandbox options; throws `SandboxOptionsError` naming the flag. */
export function parseSandboxCliArgs(argv: string[]): SandboxOptions | "help" {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new SandboxOptionsError("arguments", `${(error as Error).message}\n${SANDBOX_CLI_USAGE}`);
  }
  if (values.help === true) return "help";
  const options: SandboxOptions = { port: integerFlag("--port", values.port, 0, 65_535) ?? 4010 };
  if (values.host !== undefined) options.host = values.host;
  if (values.data !== undefined) options.dataFile = values.data;
  if (values.token !== undefined && values.token.length > 0) options.tokens = values.token;
  const perMinute = integerFlag("--rate-limit", values["rate-limit"], 6, 10_000_000);
  if (perMinute !== undefined) options.rateLimit = { perMinute };
  if (values.sink === true) options.sink = true;
  return options;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      data: { type: "string" },
      token: { type: "string", multiple: true },
      "rate-limit": { type: "string" },
      sink: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/**
 * `content-sync sandbox`: starts the sandbox, prints its URL and token, and stays up until SIGINT or
 * SIGTERM (or `io.signal`), then closes cleanly (pending data written).
 */
export async function runSandboxCli(argv: string[], io: SandboxCliIo = {}): Promise<void> {
  const stdout = io.stdout ?? process.stdout;
  const parsed = parseSandboxCliArgs(argv);
  if (parsed === "help") {
    stdout.write(SANDBOX_CLI_USAGE);
    return;
  }
  const sandbox = await startSandbox({
    ...parsed,
    ...(io.logger === undefined ? {} : { logger: io.logger }),
  });
  stdout.write(`Intercom sandbox listening on ${sandbox.url}\n`);
  stdout.write(`Token: ${sandbox.token}\n`);
  stdout.write(`Browse ${sandbox.url}/ to see what Fin would see. Stop with Ctrl+C.\n`);
  io.onStarted?.(sandbox);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    if (io.signal?.aborted === true) stop();
    else io.signal?.addEventListener("abort", stop, { once: true });
  });
  await sandbox.close();
  stdout.write("Intercom sandbox stopped.\n");
}
