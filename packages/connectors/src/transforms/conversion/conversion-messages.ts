import type { TransformInput, TransformResult } from "../transform-types.js";
import type { TransformErrorKind } from "../transform-error.js";
import type { TransformOptions } from "../transform-options.js";

/** What a converter module exports: the worker calls `convert` with the document and the options. */
export interface ConverterModule {
  convert(input: TransformInput, options: TransformOptions): Promise<TransformResult>;
}

/** Main thread → worker. */
export interface ConversionRequest {
  id: number;
  /** URL of the converter module to load (once per thread) and call. */
  converter: string;
  input: TransformInput;
  options: TransformOptions;
}

/** A TransformError (or anything else a converter threw) as it crosses the thread boundary. */
export interface SerialisedError {
  name: string;
  message: string;
  kind?: TransformErrorKind;
  url?: string;
  mediaType?: string;
  bytes?: number;
  maxBytes?: number;
}

/** Worker → main thread. */
export type ConversionReply =
  | { id: number; ok: true; result: TransformResult }
  | { id: number; ok: false; error: SerialisedError };
