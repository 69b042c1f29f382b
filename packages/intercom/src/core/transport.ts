import { Agent as HttpAgent, type IncomingHttpHeaders, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { IntercomNetworkError } from "./errors.js";

import type { HeaderReader } from "./header-reader.js";

export type { HeaderReader };

/**
 * Keep-alive connection pools, one per protocol, shared by the clients of the process. Idle
 * sockets do not keep the process alive (Node's agent unrefs them) and are reused for the next call.
 */
export interface ConnectionPools {
  http: HttpAgent;
  https: HttpsAgent;
}

export function createConnectionPools(): ConnectionPools {
  return { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
}

export interface AttemptRequest {
  url: URL;
  method: string;
  /** Path for error messages (no query string). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** A caller-supplied fetch; without it the attempt goes through node:http(s) and `pools`. */
  fetch?: typeof fetch;
  pools: ConnectionPools;
}

export interface AttemptResponse {
  status: number;
  headers: HeaderReader;
  /** The whole body as received; empty for 204. */
  body: Uint8Array;
}

function describeNetworkFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const ownCode = (error as Error & { code?: unknown }).code;
  if (typeof ownCode === "string" && !error.message.includes(ownCode)) return `${error.message} (${ownCode})`;
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === "string" ? `${error.message} (${code})` : `${error.message} (${cause.message})`;
  }
  return error.message;
}

/**
 * Sends one HTTP attempt and reads its whole body within `timeoutMs`.
 *
 * Rejects with the caller's `signal.reason` as soon as it aborts (even if a custom fetch ignores the
 * signal), with IntercomNetworkError `timedOut: true` when the time runs out, and with
 * IntercomNetworkError for any other failure to get a response. HTTP error statuses resolve normally.
 */
export function sendAttempt(request: AttemptRequest): Promise<AttemptResponse> {
  const { signal } = request;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const controller = new AbortController();
  let timedOut = false;

  return new Promise<AttemptResponse>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      finish();
      controller.abort(signal?.reason);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      signal?.removeEventListener("abort", onAbort);
      controller.abort();
      reject(
        new IntercomNetworkError({
          method: request.method,
          path: request.path,
          timedOut: true,
          detail: `no complete response within ${request.timeoutMs} ms`,
        }),
      );
    }, request.timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });

    const attempt = request.fetch
      ? viaFetch(request.fetch, request, controller.signal)
      : viaNodeHttp(request, controller.signal);
    attempt.then(
      (response) => {
        finish();
        resolve(response);
      },
      (error: unknown) => {
        finish();
        // After an abort or a timeout the promise is already settled; this rejection is the echo.
        if (timedOut || signal?.aborted) return;
        reject(
          new IntercomNetworkError({
            method: request.method,
            path: request.path,
            timedOut: false,
            detail: describeNetworkFailure(error),
            cause: error,
          }),
        );
      },
    );
  });
}

async function viaFetch(
  fetchImpl: typeof fetch,
  request: AttemptRequest,
  signal: AbortSignal,
): Promise<AttemptResponse> {
  const init: RequestInit = { method: request.method, headers: request.headers, signal };
  if (request.body !== undefined) init.body = request.body;
  const response = await fetchImpl(request.url, init);
  const body = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body };
}

/**
 * The default path: node:http(s) over keep-alive pools. On Node 20 it costs about a third of the CPU
 * of the global fetch per call (measured against the sandbox), which at Intercom's 166 calls a second
 * is the difference between the client and the transforms being what a worker spends its time on.
 */
function viaNodeHttp(request: AttemptRequest, signal: AbortSignal): Promise<AttemptResponse> {
  return new Promise<AttemptResponse>((resolve, reject) => {
    const https = request.url.protocol === "https:";
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers["Content-Length"] = Buffer.byteLength(request.body);
    const send = https ? httpsRequest : httpRequest;
    const req = send(
      request.url,
      { method: request.method, headers, agent: https ? request.pools.https : request.pools.http, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.once("error", reject);
        res.once("end", () => {
          const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: new NodeHeaders(res.headers),
            body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
          });
        });
        // A connection cut in the middle of the body ends with "aborted", not "error".
        res.once("aborted", () => reject(new Error("the connection closed before the response ended")));
      },
    );
    req.once("error", reject);
    req.end(request.body);
  });
}

/** node:http's header object behind the `Headers#get` shape (repeated headers joined by ", "). */
class NodeHeaders implements HeaderReader {
  constructor(private readonly headers: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
}
