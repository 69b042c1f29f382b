import mammoth from "mammoth";
import type { ConvertedHtml } from "./converted-html.js";
import { DOCX_MEDIA_TYPE } from "../toolkit/media-types/media-types.js";
import { TransformError } from "./transform-error.js";

/**
 * DOCX → HTML through mammoth, which maps Word's semantic styles (Heading 1, lists, tables) to
 * elements. Embedded images are dropped: mammoth would inline them as base64 `data:` URLs, which Fin
 * cannot use and which would eat the size budget.
 */
export async function docxToHtml(data: Uint8Array, url: string | undefined): Promise<ConvertedHtml> {
  let result: Awaited<ReturnType<typeof mammoth.convertToHtml>>;
  try {
    result = await mammoth.convertToHtml(
      { buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength) },
      { convertImage: mammoth.images.imgElement(async () => ({ src: "" })) },
    );
  } catch (cause) {
    throw new TransformError("parse", `cannot read the DOCX document: ${(cause as Error).message}`, {
      url,
      mediaType: DOCX_MEDIA_TYPE,
      cause,
    });
  }
  const warnings = result.messages.map((message) => `docx: ${message.message}`);
  return { html: result.value, warnings: [...new Set(warnings)].sort() };
}
