import { documentToHtmlString, type Next } from "@contentful/rich-text-html-renderer";
import { BLOCKS, type Block, type Document, INLINES, type Inline } from "@contentful/rich-text-types";
import type { LinkIds, LinkTargets } from "./contentful-links.js";
import type { ContentfulEntity } from "./contentful-types.js";

/** How linked entries and assets appear in the rendered HTML. */
export interface RichTextContext {
  targets: LinkTargets;
  /** Title of a linked entry in the configured locale. */
  entryTitle(entry: ContentfulEntity): string | undefined;
  /** Public URL of a linked entry, when the source can build one. */
  entryUrl(entry: ContentfulEntity): string | undefined;
  /** A linked entry's own Rich Text body, rendered inside block embeds. */
  entryBody(entry: ContentfulEntity): Document | undefined;
  asset(asset: ContentfulEntity): {
    url?: string;
    title?: string;
    description?: string;
    contentType?: string;
  };
}

const ENTRY_NODES = new Set<string>([BLOCKS.EMBEDDED_ENTRY, INLINES.EMBEDDED_ENTRY, INLINES.ENTRY_HYPERLINK]);
const ASSET_NODES = new Set<string>([BLOCKS.EMBEDDED_ASSET, INLINES.ASSET_HYPERLINK]);

/** Embeds inside embeds are rendered this deep and no deeper, so cycles cannot recurse forever. */
const MAX_EMBED_DEPTH = 2;

export const isRichTextDocument = (value: unknown): value is Document =>
  typeof value === "object" &&
  value !== null &&
  (value as { nodeType?: unknown }).nodeType === BLOCKS.DOCUMENT &&
  Array.isArray((value as { content?: unknown }).content);

/** Every entry and asset id a document links to (embeds and hyperlinks). */
export function collectLinkIds(
  document: Document,
  into: LinkIds = { entries: new Set(), assets: new Set() },
): LinkIds {
  const visit = (node: { nodeType: string; data?: unknown; content?: unknown }) => {
    const id = targetId(node);
    if (id && ENTRY_NODES.has(node.nodeType)) into.entries.add(id);
    if (id && ASSET_NODES.has(node.nodeType)) into.assets.add(id);
    if (Array.isArray(node.content)) for (const child of node.content) visit(child);
  };
  visit(document);
  return into;
}

/** Rich Text → HTML with Contentful's official renderer; links become links, images images. */
export function renderRichText(document: Document, context: RichTextContext, depth = 0): string {
  const entryOf = (node: Block | Inline) => {
    const id = targetId(node);
    return id ? context.targets.entries.get(id) : undefined;
  };
  const assetOf = (node: Block | Inline) => {
    const id = targetId(node);
    return id ? context.targets.assets.get(id) : undefined;
  };
  const entryLabel = (entry: ContentfulEntity) => escapeHtml(context.entryTitle(entry) ?? entry.sys.id);
  const linked = (href: string | undefined, inner: string) =>
    href ? `<a href="${escapeAttribute(href)}">${inner}</a>` : inner;

  return documentToHtmlString(document, {
    renderNode: {
      [BLOCKS.EMBEDDED_ENTRY]: (node) => {
        const entry = entryOf(node);
        if (!entry) return "";
        const heading = `<p><strong>${linked(context.entryUrl(entry), entryLabel(entry))}</strong></p>`;
        const body = depth < MAX_EMBED_DEPTH ? context.entryBody(entry) : undefined;
        const inner = body ? renderRichText(body, context, depth + 1) : "";
        return `<div data-contentful-entry="${escapeAttribute(entry.sys.id)}">${heading}${inner}</div>`;
      },
      [INLINES.EMBEDDED_ENTRY]: (node) => {
        const entry = entryOf(node);
        return entry ? linked(context.entryUrl(entry), `<span>${entryLabel(entry)}</span>`) : "";
      },
      [INLINES.ENTRY_HYPERLINK]: (node, next: Next) => {
        const entry = entryOf(node);
        return linked(entry ? context.entryUrl(entry) : undefined, next(node.content));
      },
      [BLOCKS.EMBEDDED_ASSET]: (node) => {
        const found = assetOf(node);
        if (!found) return "";
        const asset = context.asset(found);
        if (!asset.url) return "";
        const label = asset.description ?? asset.title ?? "";
        if (asset.contentType?.startsWith("image/")) {
          return `<figure><img src="${escapeAttribute(asset.url)}" alt="${escapeAttribute(label)}"></figure>`;
        }
        return `<p>${linked(asset.url, escapeHtml(asset.title ?? asset.url))}</p>`;
      },
      [INLINES.ASSET_HYPERLINK]: (node, next: Next) => {
        const found = assetOf(node);
        return linked(found ? context.asset(found).url : undefined, next(node.content));
      },
      // Cross-space resource links need another space's token; render their text only.
      [BLOCKS.EMBEDDED_RESOURCE]: () => "",
      [INLINES.EMBEDDED_RESOURCE]: () => "",
      [INLINES.RESOURCE_HYPERLINK]: (node, next: Next) => next(node.content),
    },
  });
}

function targetId(node: { data?: unknown }): string | undefined {
  const id = (node.data as { target?: { sys?: { id?: unknown } } } | undefined)?.target?.sys?.id;
  return typeof id === "string" ? id : undefined;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}
