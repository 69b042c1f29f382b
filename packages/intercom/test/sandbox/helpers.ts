import { IntercomClient, type RateLimiter, type RateLimitSnapshot } from "@content-sync/intercom";
import {
  type RunningSandbox,
  type SandboxClock,
  type SandboxOptions,
  startSandbox,
} from "../../src/sandbox/index.js";

/** A clock the test moves by hand (starts at 2026-01-01T00:00:00Z, on a 10-second window boundary). */
export class FakeClock implements SandboxClock {
  constructor(public ms = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }

  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
}

/** Sandboxes started by `openSandbox`; closed by `closeSandboxes` in afterEach. */
const open: RunningSandbox[] = [];

export async function openSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = await startSandbox(options);
  open.push(sandbox);
  return sandbox;
}

export async function closeSandboxes(): Promise<void> {
  await Promise.all(open.splice(0).map((sandbox) => sandbox.close()));
}

/** A limiter that never holds calls back and remembers what the headers said. */
export class RecordingRateLimiter implements RateLimiter {
  readonly snapshots: RateLimitSnapshot[] = [];
  readonly blocks: number[] = [];

  async acquire(): Promise<void> {}

  observe(snapshot: RateLimitSnapshot): void {
    this.snapshots.push(snapshot);
  }

  block(resetAt: number): void {
    this.blocks.push(resetAt);
  }
}

/**
 * The typed client pointed at the sandbox: no retries (each test sees every answer), strict response
 * validation (every answer must match the client's schemas from the spec).
 */
export function clientFor(
  sandbox: RunningSandbox,
  options: { token?: string; rateLimiter?: RateLimiter; maxRetries?: number } = {},
): IntercomClient {
  return new IntercomClient({
    token: options.token ?? sandbox.token,
    baseUrl: sandbox.url,
    maxRetries: options.maxRetries ?? 0,
    validation: "strict",
    rateLimiter: options.rateLimiter ?? new RecordingRateLimiter(),
  });
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  json: any;
  text: string;
}

/** A plain HTTP call (for what the typed client would refuse to send). */
export async function raw(
  sandbox: RunningSandbox,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string | null } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const token = options.token === undefined ? sandbox.token : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

export function pageBody(sourceId: number, externalId: string, extra: Record<string, unknown> = {}) {
  return {
    title: `Title of ${externalId}`,
    html: `<p>Body of ${externalId}</p>`,
    url: `https://docs.example.com/${externalId}`,
    locale: "en" as const,
    source_id: sourceId,
    external_id: externalId,
    ...extra,
  };
}
