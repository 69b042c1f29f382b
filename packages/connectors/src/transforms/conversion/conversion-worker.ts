import { parentPort } from "node:worker_threads";
import { isTransformError } from "../transform-error.js";
import type { ConversionReply, ConversionRequest, ConverterModule } from "./conversion-messages.js";

/**
 * The body of a conversion thread: loads converter modules on first use (mammoth and pdf.js are only
 * ever imported here, so whatever globals they patch belong to this thread) and answers one request
 * at a time.
 */
const converters = new Map<string, Promise<ConverterModule>>();

parentPort?.on("message", async (request: ConversionRequest) => {
  let reply: ConversionReply;
  try {
    let converter = converters.get(request.converter);
    if (!converter) {
      converter = import(request.converter) as Promise<ConverterModule>;
      converters.set(request.converter, converter);
    }
    const result = await (await converter).convert(request.input, request.options);
    reply = { id: request.id, ok: true, result };
  } catch (error) {
    const base = error instanceof Error ? error : new Error(String(error));
    reply = {
      id: request.id,
      ok: false,
      error: {
        name: base.name,
        message: base.message,
        ...(isTransformError(error)
          ? {
              kind: error.kind,
              ...(error.url === undefined ? {} : { url: error.url }),
              ...(error.mediaType === undefined ? {} : { mediaType: error.mediaType }),
              ...(error.bytes === undefined ? {} : { bytes: error.bytes }),
              ...(error.maxBytes === undefined ? {} : { maxBytes: error.maxBytes }),
            }
          : {}),
      },
    };
  }
  parentPort?.postMessage(reply);
});
