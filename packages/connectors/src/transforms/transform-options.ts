import { select } from "cheerio-select";
import { Document, Element, isTag } from "domhandler";
import { z } from "zod";

/** Default cap on the output HTML: 1 MB of UTF-8. Real articles stay far below; above it is usually an
 * export or data dump that would only dilute Fin's answers. */
export const DEFAULT_MAX_BYTES = 1_000_000;

/** How a source's documents are cleaned; lives under `transform` in a source's config. */
export interface TransformOptions {
  /**
   * Extra CSS selectors whose elements are dropped, on top of the built-in chrome list (scripts,
   * navigation, forms, edit links, tables of contents…). Default none. Example: `[".related-posts"]`.
   */
  removeSelectors?: string[];
  /** Largest output HTML in UTF-8 bytes. Default 1 000 000 (see DEFAULT_MAX_BYTES). */
  maxBytes?: number;
  /**
   * What to do when the output is larger than `maxBytes`: "truncate" keeps the leading blocks that fit
   * (cut at a block boundary, reported in `truncated` and `warnings`); "reject" throws a TransformError
   * of kind `too_large` so the document is reported as failed. Default "truncate".
   */
  oversize?: "reject" | "truncate";
}

export const transformOptionsSchema: z.ZodType<TransformOptions> = z.strictObject({
  removeSelectors: z
    .array(
      z
        .string()
        .trim()
        .min(1, "a selector must not be empty")
        .superRefine((selector, ctx) => {
          if (!isValidSelector(selector))
            ctx.addIssue({ code: "custom", message: `"${selector}" is not a valid CSS selector` });
        }),
    )
    .optional()
    .describe("Extra CSS selectors to drop, on top of the built-in list"),
  maxBytes: z
    .number()
    .int()
    .min(1024, "maxBytes must be at least 1024")
    .optional()
    .describe(`Largest output HTML in bytes (default ${DEFAULT_MAX_BYTES})`),
  oversize: z
    .enum(["reject", "truncate"])
    .optional()
    .describe('What to do above maxBytes (default "truncate")'),
});

/** Options with every default applied. */
export interface ResolvedTransformOptions {
  removeSelectors: readonly string[];
  maxBytes: number;
  oversize: "reject" | "truncate";
}

export function resolveTransformOptions(options: TransformOptions = {}): ResolvedTransformOptions {
  return {
    removeSelectors: options.removeSelectors ?? [],
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    oversize: options.oversize ?? "truncate",
  };
}

let probe: Element | undefined;

/**
 * Selectors are checked when the config is parsed, not when the first document is cleaned: the
 * selector engine the cleaning uses is run once on a tiny document and must not throw.
 */
function isValidSelector(selector: string): boolean {
  probe ??= probeBody();
  try {
    select(selector, probe.children.filter(isTag), { context: [probe], xmlMode: false });
    return true;
  } catch {
    return false;
  }
}

/**
 * The `<body>` of what the HTML parser makes of `<p></p>` (document, html, head, body, p, linked both
 * ways), built by hand: the config loader then needs the selector engine only, not the parser and
 * the clean-up it would import.
 */
function probeBody(): Element {
  const link = <T extends Element | Document>(parent: T, children: Element[]): T => {
    parent.children = children;
    children.forEach((child, index) => {
      child.parent = parent;
      child.prev = children[index - 1] ?? null;
      child.next = children[index + 1] ?? null;
    });
    return parent;
  };
  const body = link(new Element("body", {}), [new Element("p", {})]);
  link(new Document([]), [link(new Element("html", {}), [new Element("head", {}), body])]);
  return body;
}
