import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApiErrorEntry, SandboxApiError } from "./errors.js";

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(json),
  });
  res.end(json);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** Intercom's error answer: `{ type: "error.list", request_id, errors: [{ code, message, field? }] }`. */
export function sendErrorList(
  res: ServerResponse,
  status: number,
  requestId: string,
  errors: ApiErrorEntry[],
): void {
  sendJson(res, status, { type: "error.list", request_id: requestId, errors });
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": Buffer.byteLength(html),
    // Synced HTML is untrusted: no scripts at all, styles and images only.
    "Content-Security-Policy":
      "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(html);
}

/**
 * Reads a JSON object body. An empty body gives undefined (the handler decides whether one was
 * needed); invalid JSON or a non-object gives 400 and a body over `maxBytes` gives 413.
 */
export function readJsonObject(
  req: IncomingMessage,
  maxBytes: number,
): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (declared > maxBytes) {
      reject(tooLarge(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) overflow = true;
      else chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (overflow) {
        reject(tooLarge(maxBytes));
        return;
      }
      if (size === 0) {
        resolve(undefined);
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks, size).toString("utf8"));
      } catch {
        reject(
          new SandboxApiError(400, [{ code: "bad_request", message: "Request body is not valid JSON" }]),
        );
        return;
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        reject(
          new SandboxApiError(400, [{ code: "bad_request", message: "Request body must be a JSON object" }]),
        );
        return;
      }
      resolve(parsed as Record<string, unknown>);
    });
  });
}

function tooLarge(maxBytes: number): SandboxApiError {
  return new SandboxApiError(413, [
    { code: "request_too_large", message: `Request body is larger than ${maxBytes} bytes` },
  ]);
}
