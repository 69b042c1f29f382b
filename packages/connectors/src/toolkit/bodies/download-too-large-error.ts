/**
 * A download stopped because the document is larger than the source allows. Per document: the
 * connector reports it as `failed` (with this message) and the run goes on; it is never dropped
 * silently.
 */
export class DownloadTooLargeError extends Error {
  override readonly name = "DownloadTooLargeError";
  /** What the connector calls the document (path, title, id). */
  readonly documentName: string;
  readonly maxBytes: number;
  /** Bytes received before the download was aborted (0 when Content-Length already said too much). */
  readonly receivedBytes: number;
  /** Size the server announced in Content-Length, when it did. */
  readonly declaredBytes: number | undefined;

  constructor(details: {
    documentName: string;
    maxBytes: number;
    receivedBytes: number;
    declaredBytes?: number;
  }) {
    const size =
      details.declaredBytes !== undefined
        ? `${details.declaredBytes} bytes (Content-Length)`
        : `more than ${details.maxBytes} bytes (aborted after ${details.receivedBytes})`;
    super(`"${details.documentName}" is ${size}, over the download limit of ${details.maxBytes} bytes`);
    this.documentName = details.documentName;
    this.maxBytes = details.maxBytes;
    this.receivedBytes = details.receivedBytes;
    this.declaredBytes = details.declaredBytes;
  }
}

export const isDownloadTooLargeError = (error: unknown): error is DownloadTooLargeError =>
  error instanceof DownloadTooLargeError;
