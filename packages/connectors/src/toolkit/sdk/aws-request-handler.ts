import { Readable } from "node:stream";
import type { ToolkitHttpClient } from "../http/toolkit-http-client.js";

/** The parts of Smithy's `HttpRequest` (AWS SDK v3) a handler reads. */
export interface AwsHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | readonly string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** Smithy's `HttpHandler` shape, structurally, so the toolkit needs no AWS package itself. */
export interface AwsRequestHandler {
  metadata: { handlerProtocol: string };
  handle(
    request: AwsHttpRequest,
    options?: { abortSignal?: AbortSignal | { aborted: boolean } },
  ): Promise<{
    response: { statusCode: number; reason?: string; headers: Record<string, string>; body: Readable };
  }>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
}

async function bodyOf(body: unknown): Promise<string | Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }
  throw new TypeError("awsRequestHandler: unsupported request body type");
}

/**
 * A request handler for AWS SDK v3 clients (`new S3Client({ requestHandler, maxAttempts: 1 })`):
 * every signed request goes through the toolkit's fetch (budget, shared retries, proxy/CA). Set
 * `maxAttempts: 1` so the SDK does not retry on top of the toolkit. Response bodies are Node streams,
 * as the SDK's Node runtime expects.
 *
 * Hazard: the toolkit retries a failed attempt by sending the same signed request again; SigV4
 * signatures stay valid for 15 minutes, far longer than the toolkit's longest wait.
 */
export function awsRequestHandler(http: ToolkitHttpClient): AwsRequestHandler {
  return {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request, options = {}) {
      const url = new URL(
        `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ""}${request.path}`,
      );
      for (const [key, value] of Object.entries(request.query ?? {})) {
        if (value === null) url.searchParams.append(key, "");
        else if (typeof value === "string") url.searchParams.append(key, value);
        else for (const item of value) url.searchParams.append(key, item);
      }
      const body = await bodyOf(request.body);
      const signal = options.abortSignal instanceof AbortSignal ? options.abortSignal : undefined;
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          ([name]) => name.toLowerCase() !== "host" && name.toLowerCase() !== "content-length",
        ),
      );
      const response = await http.fetch(url, {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(signal ? { signal } : {}),
      });
      return {
        response: {
          statusCode: response.status,
          reason: response.statusText,
          headers: Object.fromEntries(response.headers),
          body: response.body
            ? Readable.fromWeb(response.body as import("node:stream/web").ReadableStream)
            : Readable.from([]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
}
