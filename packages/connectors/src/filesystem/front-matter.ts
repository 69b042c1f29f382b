import { parse } from "yaml";
import { parseSimpleFrontMatter } from "./simple-front-matter.js";

export interface FrontMatter {
  /** The front matter as parsed; empty when the file has none. */
  data: Readonly<Record<string, unknown>>;
  /** The Markdown after the front matter. */
  content: string;
}

/** Thrown for front matter that is not valid YAML or not a mapping; names what is wrong. */
export class FrontMatterError extends Error {
  override readonly name = "FrontMatterError";
}

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/** Splits `---`-fenced YAML front matter (Jekyll, Hugo, Docusaurus, Obsidian style) from Markdown. */
export function parseFrontMatter(source: string): FrontMatter {
  const text = source.startsWith("\uFEFF") ? source.slice(1) : source;
  const match = FENCE.exec(text);
  if (match === null) return { data: {}, content: text };
  const block = match[1] ?? "";
  const simple = parseSimpleFrontMatter(block);
  if (simple !== undefined) return { data: simple, content: text.slice(match[0].length) };
  let data: unknown;
  try {
    data = parse(block);
  } catch (cause) {
    throw new FrontMatterError(`front matter is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (data !== null && data !== undefined && (typeof data !== "object" || Array.isArray(data))) {
    throw new FrontMatterError("front matter must be a YAML mapping (key: value lines)");
  }
  return { data: (data ?? {}) as Record<string, unknown>, content: text.slice(match[0].length) };
}
