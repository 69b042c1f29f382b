import type { DocumentBody } from "../contract.js";

/**
 * Markdown and plain text become at least about as many bytes of HTML as they have characters
 * (markup adds tags, it rarely removes text), so past this multiple of the output cap everything
 * converted would be truncated away again. Converting it anyway is what made a 10 MB manual need more
 * than 256 MB of heap for a page of 1 MB.
 */
export const PRECUT_FACTOR = 2;

/** Reference-style link definitions (`[id]: url`), which may sit at the very end of a document. */
const LINK_DEFINITION = /^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$/gm;

export interface PrecutBody {
  body: DocumentBody;
  /** Says what was cut, when something was. */
  warning?: string;
}

/**
 * Cuts a Markdown or text body that is far larger than the output cap at a block boundary before it
 * is converted (only when oversized output is truncated anyway). Link definitions from the cut-off
 * part are kept, so links in the kept part still resolve. Other bodies pass unchanged: HTML can shrink
 * a lot when cleaned (scripts, styles, navigation), and DOCX/PDF are not text yet.
 */
export function precutText(body: DocumentBody, maxBytes: number): PrecutBody {
  const limit = maxBytes * PRECUT_FACTOR;
  if (body.kind === "markdown" && body.markdown.length > limit) {
    const cut = paragraphBoundaryBefore(body.markdown, limit);
    if (cut === undefined) return { body };
    const definitions = body.markdown.slice(cut).match(LINK_DEFINITION) ?? [];
    const kept = body.markdown.slice(0, cut);
    const markdown = definitions.length > 0 ? `${kept}\n\n${definitions.join("\n")}\n` : kept;
    return {
      body: { kind: "markdown", markdown },
      warning: warningOf("Markdown", body.markdown.length, cut, maxBytes),
    };
  }
  if (body.kind === "text" && body.text.length > limit) {
    const cut = paragraphBoundaryBefore(body.text, limit);
    if (cut === undefined) return { body };
    return {
      body: { kind: "text", text: body.text.slice(0, cut) },
      warning: warningOf("text", body.text.length, cut, maxBytes),
    };
  }
  return { body };
}

/**
 * The last blank line before `limit` in its second half. None: the text is one giant block, which
 * the output cap could not cut either; it goes to the converter whole, which names the problem.
 */
function paragraphBoundaryBefore(text: string, limit: number): number | undefined {
  const paragraph = text.lastIndexOf("\n\n", limit);
  return paragraph > limit / 2 ? paragraph : undefined;
}

const warningOf = (kind: string, length: number, kept: number, maxBytes: number) =>
  `truncated before conversion: the ${kind} body is ${length} characters, far over the output limit of ${maxBytes} bytes; converted the first ${kept}`;
