import { DownloadTooLargeError } from "./download-too-large-error.js";

/**
 * Reads a response body into memory, but never more than `maxBytes`: a `Content-Length` above the
 * cap is refused before reading, and a body that grows past it (no or a wrong length) is cancelled
 * as soon as it does, so memory stays bounded by the cap whatever the server sends.
 */
export async function readCapped(
  response: Response,
  maxBytes: number,
  documentName: string,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new DownloadTooLargeError({ documentName, maxBytes, receivedBytes: 0, declaredBytes: declared });
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new DownloadTooLargeError({ documentName, maxBytes, receivedBytes: received });
    }
    chunks.push(value);
  }
  const out = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
