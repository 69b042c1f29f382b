/**
 * Why a body could not become clean HTML:
 * - `too_large`: the output exceeds `maxBytes` and `oversize` is "reject";
 * - `unsupported`: a binary media type no converter handles;
 * - `empty`: nothing readable is left after cleaning (the page would be blank in Fin);
 * - `parse`: a DOCX or PDF that its library cannot read (corrupt, encrypted, truncated);
 * - `timeout`: the conversion ran past its time limit and its thread was stopped;
 * - `crashed`: the conversion thread ran out of memory or died.
 */
export type TransformErrorKind = "too_large" | "unsupported" | "empty" | "parse" | "timeout" | "crashed";

export interface TransformErrorDetails {
  /** The document's URL when the caller gave one, so reports say which document failed. */
  url?: string;
  mediaType?: string;
  /** Output size in bytes, for `too_large`. */
  bytes?: number;
  maxBytes?: number;
  cause?: unknown;
}

/** A document whose body cannot be turned into clean HTML. Per document: the run goes on. */
export class TransformError extends Error {
  override readonly name = "TransformError";
  readonly kind: TransformErrorKind;
  readonly url: string | undefined;
  readonly mediaType: string | undefined;
  readonly bytes: number | undefined;
  readonly maxBytes: number | undefined;

  constructor(kind: TransformErrorKind, message: string, details: TransformErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.url = details.url;
    this.mediaType = details.mediaType;
    this.bytes = details.bytes;
    this.maxBytes = details.maxBytes;
  }
}

export const isTransformError = (error: unknown): error is TransformError => error instanceof TransformError;
