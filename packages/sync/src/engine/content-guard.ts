import type { DocumentBody } from "@content-sync/connectors/core";

/** A body that must not become a page, and why (shown to people; never contains the content). */
export interface ContentRefusal {
  reason: string;
}

/** What the guard noticed without refusing (reported as warnings). */
export interface ContentGuardResult {
  refusal?: ContentRefusal;
  warnings: string[];
}

/** Bytes looked at to decide whether text is really text: enough to see a binary header and more. */
const SAMPLE_CHARS = 8_192;
/** Share of control characters (other than tab, newline, carriage return, form feed) that means binary. */
const MAX_CONTROL_SHARE = 0.01;
/** Share of U+FFFD (bytes that were not UTF-8) above which text is not text in any useful sense. */
const MAX_REPLACEMENT_SHARE = 0.02;

/**
 * Checks a text-kind body (HTML, Markdown, plain text) before it is converted: binary data saved with
 * a text extension (random bytes as `.md`) is refused; text with a few invalid UTF-8 sequences passes
 * with a warning that says how many; text dominated by them is refused. Binary kinds (DOCX, PDF) are
 * checked by their converters.
 */
export function guardContent(body: DocumentBody): ContentGuardResult {
  const text =
    body.kind === "html"
      ? body.html
      : body.kind === "markdown"
        ? body.markdown
        : body.kind === "text"
          ? body.text
          : undefined;
  if (text === undefined) return { warnings: [] };
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  let nul = 0;
  let control = 0;
  for (let index = 0; index < sample.length; index++) {
    const code = sample.charCodeAt(index);
    if (code === 0) nul++;
    else if (
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c) ||
      code === 0x7f
    )
      control++;
  }
  if (nul > 0 || (sample.length > 0 && control / sample.length > MAX_CONTROL_SHARE)) {
    return {
      refusal: {
        reason: `binary content in a ${body.kind} document (${nul > 0 ? "NUL bytes" : `${control} control characters`} in the first ${sample.length} characters): refused`,
      },
      warnings: [],
    };
  }
  let replacements = 0;
  for (let index = text.indexOf("\ufffd"); index !== -1; index = text.indexOf("\ufffd", index + 1))
    replacements++;
  if (replacements === 0) return { warnings: [] };
  if (replacements / text.length > MAX_REPLACEMENT_SHARE) {
    return {
      refusal: {
        reason: `not valid UTF-8: ${replacements} of ${text.length} characters could not be decoded; refused`,
      },
      warnings: [],
    };
  }
  return {
    warnings: [`invalid UTF-8: ${replacements} byte sequence(s) replaced with U+FFFD`],
  };
}
