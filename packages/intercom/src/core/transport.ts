import { IntercomNetworkError } from "./errors.js";

export interface AttemptRequest {
  url: URL;
  method: string;
  /** Path for error messages (no query string). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  fetch: typeof fetch;
}

export interface AttemptResponse {
  status: number;
  headers: Headers;
  /** The whole body as received; empty for 204. */
  body: Uint8Array;
}

function describeNetworkFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
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

    const init: RequestInit = { method: request.method, headers: request.headers, signal: controller.signal };
    if (request.body !== undefined) init.body = request.body;

    request
      .fetch(request.url, init)
      .then(async (response) => {
        const body = new Uint8Array(await response.arrayBuffer());
        return { status: response.status, headers: response.headers, body };
      })
      .then(
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
