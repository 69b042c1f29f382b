import type { BlockObjectResponse, RichTextItemResponse } from "@notionhq/client";
import type { Logger } from "pino";

/** A block with its children already read (`has_children` blocks only). */
export interface BlockNode {
  block: BlockObjectResponse;
  children: BlockNode[];
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Only web links become hrefs: a `javascript:` URL in a page must not reach Fin as a link. */
function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  if (url.startsWith("/")) return `https://www.notion.so${url}`;
  return /^(https?:|mailto:)/i.test(url) ? url : undefined;
}

/** Rich text with its annotations, innermost first: code, then bold/italic/strike/underline, then the link. */
export function richText(items: readonly RichTextItemResponse[]): string {
  return items
    .map((item) => {
      const text = item.type === "equation" ? item.equation.expression : item.plain_text;
      let html = escapeHtml(text).replace(/\n/g, "<br>");
      const { annotations } = item;
      if (annotations.code) html = `<code>${html}</code>`;
      if (annotations.bold) html = `<strong>${html}</strong>`;
      if (annotations.italic) html = `<em>${html}</em>`;
      if (annotations.strikethrough) html = `<s>${html}</s>`;
      if (annotations.underline) html = `<u>${html}</u>`;
      const href = safeHref(item.href);
      return href ? `<a href="${escapeHtml(href)}">${html}</a>` : html;
    })
    .join("");
}

export function plainText(items: readonly RichTextItemResponse[]): string {
  return items.map((item) => item.plain_text).join("");
}

type ListKind = "ul" | "ol" | "checklist";

function listKindOf(block: BlockObjectResponse): ListKind | undefined {
  if (block.type === "bulleted_list_item") return "ul";
  if (block.type === "numbered_list_item") return "ol";
  if (block.type === "to_do") return "checklist";
  return undefined;
}

/**
 * Notion's blocks as HTML. Consecutive list items are grouped into one `ul`/`ol` (Notion has no list
 * block, only items); to-dos become a list of disabled checkboxes. Block types without a rendering
 * (embeds, PDFs, synced-block references the integration cannot read…) are skipped with a debug log.
 */
export function renderBlocks(nodes: readonly BlockNode[], logger?: Logger): string {
  const out: string[] = [];
  let index = 0;
  while (index < nodes.length) {
    const node = nodes[index];
    if (!node) break;
    const kind = listKindOf(node.block);
    if (!kind) {
      out.push(renderBlock(node, logger));
      index++;
      continue;
    }
    const items: string[] = [];
    while (index < nodes.length) {
      const item = nodes[index];
      if (!item || listKindOf(item.block) !== kind) break;
      items.push(renderListItem(item, logger));
      index++;
    }
    const tag = kind === "ol" ? "ol" : "ul";
    out.push(`<${tag}${kind === "checklist" ? ' class="to-do"' : ""}>${items.join("")}</${tag}>`);
  }
  return out.join("");
}

function renderListItem(node: BlockNode, logger: Logger | undefined): string {
  const { block } = node;
  const children = renderBlocks(node.children, logger);
  if (block.type === "to_do") {
    const checked = block.to_do.checked ? " checked" : "";
    return `<li><input type="checkbox" disabled${checked}> ${richText(block.to_do.rich_text)}${children}</li>`;
  }
  if (block.type === "bulleted_list_item")
    return `<li>${richText(block.bulleted_list_item.rich_text)}${children}</li>`;
  if (block.type === "numbered_list_item")
    return `<li>${richText(block.numbered_list_item.rich_text)}${children}</li>`;
  return renderBlock(node, logger);
}

function caption(items: readonly RichTextItemResponse[]): string {
  return items.length > 0 ? `<figcaption>${richText(items)}</figcaption>` : "";
}

function link(url: string, text?: string): string {
  const href = safeHref(url);
  const label = escapeHtml(text && text.length > 0 ? text : url);
  return href ? `<a href="${escapeHtml(href)}">${label}</a>` : label;
}

/** A Notion page's web address from its id (for child_page / child_database links). */
export function notionPageUrl(id: string): string {
  return `https://www.notion.so/${id.replace(/-/g, "")}`;
}

function renderBlock(node: BlockNode, logger: Logger | undefined): string {
  const { block } = node;
  const children = () => renderBlocks(node.children, logger);
  switch (block.type) {
    case "paragraph":
      return `<p>${richText(block.paragraph.rich_text)}</p>${children()}`;
    case "heading_1":
      return headingOf(1, block.heading_1.rich_text, block.heading_1.is_toggleable, children());
    case "heading_2":
      return headingOf(2, block.heading_2.rich_text, block.heading_2.is_toggleable, children());
    case "heading_3":
      return headingOf(3, block.heading_3.rich_text, block.heading_3.is_toggleable, children());
    case "toggle":
      return `<details><summary>${richText(block.toggle.rich_text)}</summary>${children()}</details>`;
    case "quote":
      return `<blockquote>${richText(block.quote.rich_text)}${children()}</blockquote>`;
    case "callout": {
      const icon = block.callout.icon?.type === "emoji" ? `${escapeHtml(block.callout.icon.emoji)} ` : "";
      return `<aside class="callout"><p>${icon}${richText(block.callout.rich_text)}</p>${children()}</aside>`;
    }
    case "code": {
      const language = escapeHtml(block.code.language);
      // The code's own text: annotations inside a code block are presentation only.
      const code = escapeHtml(plainText(block.code.rich_text));
      return `<pre><code class="language-${language}">${code}</code></pre>${caption(block.code.caption)}`;
    }
    case "divider":
      return "<hr>";
    case "equation":
      return `<p class="equation"><code>${escapeHtml(block.equation.expression)}</code></p>`;
    case "table":
      return renderTable(node, block.table.has_column_header, block.table.has_row_header);
    case "column_list":
      return `<div class="columns">${node.children.map((column) => `<div class="column">${renderBlocks(column.children, logger)}</div>`).join("")}</div>`;
    case "column":
      return `<div class="column">${children()}</div>`;
    case "image": {
      const url = block.image.type === "external" ? block.image.external.url : block.image.file.url;
      const src = safeHref(url);
      if (!src) return "";
      const alt = escapeHtml(plainText(block.image.caption));
      return `<figure><img src="${escapeHtml(src)}" alt="${alt}">${caption(block.image.caption)}</figure>`;
    }
    case "bookmark":
      return `<p class="bookmark">${link(block.bookmark.url, plainText(block.bookmark.caption))}</p>`;
    case "link_preview":
      return `<p class="link-preview">${link(block.link_preview.url)}</p>`;
    case "embed":
      return `<p class="embed">${link(block.embed.url, plainText(block.embed.caption))}</p>`;
    case "child_page":
      return `<p class="child-page">${link(notionPageUrl(block.id), block.child_page.title)}</p>`;
    case "child_database":
      return `<p class="child-database">${link(notionPageUrl(block.id), block.child_database.title)}</p>`;
    case "synced_block":
      // The original's children are served under the reference's id: render them in place.
      return children();
    case "bulleted_list_item":
    case "numbered_list_item":
    case "to_do":
      return renderBlocks([node], logger);
    default:
      logger?.debug({ blockId: block.id, blockType: block.type }, "notion block type not rendered: skipped");
      return "";
  }
}

function headingOf(
  level: 1 | 2 | 3,
  text: readonly RichTextItemResponse[],
  toggleable: boolean,
  children: string,
): string {
  const heading = `<h${level}>${richText(text)}</h${level}>`;
  // A toggle heading hides its children under the heading; its content is still the page's.
  return toggleable && children ? `<details><summary>${heading}</summary>${children}</details>` : heading;
}

function renderTable(node: BlockNode, columnHeader: boolean, rowHeader: boolean): string {
  const rows = node.children.flatMap((child) => (child.block.type === "table_row" ? [child.block] : []));
  const html = rows.map((row, rowIndex) => {
    const cells = row.table_row.cells.map((cell, cellIndex) => {
      const header = (columnHeader && rowIndex === 0) || (rowHeader && cellIndex === 0);
      const tag = header ? "th" : "td";
      return `<${tag}>${richText(cell)}</${tag}>`;
    });
    return `<tr>${cells.join("")}</tr>`;
  });
  if (columnHeader && html.length > 0) {
    const [head, ...body] = html;
    return `<table><thead>${head}</thead><tbody>${body.join("")}</tbody></table>`;
  }
  return `<table><tbody>${html.join("")}</tbody></table>`;
}
