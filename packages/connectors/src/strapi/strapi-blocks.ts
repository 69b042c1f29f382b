/**
 * Renders Strapi's "Rich text (Blocks)" JSON to HTML: paragraphs, headings, lists (nested), quotes,
 * code, images and links, with inline bold/italic/underline/strikethrough/code. Unknown node types
 * keep their text so content is never silently dropped.
 */

interface BlockNode {
  type?: unknown;
  children?: unknown;
  [key: string]: unknown;
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const isNode = (value: unknown): value is BlockNode => typeof value === "object" && value !== null;
const childrenOf = (node: BlockNode): BlockNode[] =>
  Array.isArray(node.children) ? node.children.filter(isNode) : [];

function absolute(url: string, assetBase: string): string {
  try {
    return new URL(url, assetBase).href;
  } catch {
    return url;
  }
}

function renderText(node: BlockNode): string {
  let html = escapeHtml(typeof node.text === "string" ? node.text : "").replace(/\n/g, "<br>");
  if (html === "") return "";
  if (node.code === true) html = `<code>${html}</code>`;
  if (node.bold === true) html = `<strong>${html}</strong>`;
  if (node.italic === true) html = `<em>${html}</em>`;
  if (node.underline === true) html = `<u>${html}</u>`;
  if (node.strikethrough === true) html = `<s>${html}</s>`;
  return html;
}

function plainText(node: BlockNode): string {
  if (node.type === "text") return typeof node.text === "string" ? node.text : "";
  return childrenOf(node).map(plainText).join("");
}

function renderInline(nodes: BlockNode[], assetBase: string): string {
  return nodes
    .map((node) => {
      if (node.type === "text") return renderText(node);
      if (node.type === "link") {
        const href = typeof node.url === "string" ? absolute(node.url, assetBase) : "";
        return `<a href="${escapeHtml(href)}">${renderInline(childrenOf(node), assetBase)}</a>`;
      }
      return renderInline(childrenOf(node), assetBase);
    })
    .join("");
}

function renderList(node: BlockNode, assetBase: string): string {
  const tag = node.format === "ordered" ? "ol" : "ul";
  const items: string[] = [];
  for (const child of childrenOf(node)) {
    if (child.type === "list") {
      // A nested list follows the item it belongs to; HTML wants it inside that item.
      const nested = renderList(child, assetBase);
      if (items.length > 0)
        items[items.length - 1] = items[items.length - 1]!.replace(/<\/li>$/, `${nested}</li>`);
      else items.push(`<li>${nested}</li>`);
    } else {
      items.push(`<li>${renderInline(childrenOf(child), assetBase)}</li>`);
    }
  }
  return `<${tag}>${items.join("")}</${tag}>`;
}

function renderImage(node: BlockNode, assetBase: string): string {
  const image = isNode(node.image) ? node.image : {};
  if (typeof image.url !== "string") return "";
  const alt = typeof image.alternativeText === "string" ? image.alternativeText : "";
  const size = [
    typeof image.width === "number" ? ` width="${image.width}"` : "",
    typeof image.height === "number" ? ` height="${image.height}"` : "",
  ].join("");
  const img = `<img src="${escapeHtml(absolute(image.url, assetBase))}" alt="${escapeHtml(alt)}"${size}>`;
  const caption =
    typeof image.caption === "string" && image.caption !== ""
      ? `<figcaption>${escapeHtml(image.caption)}</figcaption>`
      : "";
  return `<figure>${img}${caption}</figure>`;
}

function renderBlock(node: BlockNode, assetBase: string): string {
  switch (node.type) {
    case "paragraph":
      return `<p>${renderInline(childrenOf(node), assetBase)}</p>`;
    case "heading": {
      const level = typeof node.level === "number" && node.level >= 1 && node.level <= 6 ? node.level : 2;
      return `<h${level}>${renderInline(childrenOf(node), assetBase)}</h${level}>`;
    }
    case "list":
      return renderList(node, assetBase);
    case "quote":
      return `<blockquote>${renderInline(childrenOf(node), assetBase)}</blockquote>`;
    case "code": {
      const language =
        typeof node.language === "string" && node.language !== ""
          ? ` class="language-${escapeHtml(node.language)}"`
          : "";
      return `<pre><code${language}>${escapeHtml(plainText(node))}</code></pre>`;
    }
    case "image":
      return renderImage(node, assetBase);
    default: {
      const inner = renderInline(childrenOf(node), assetBase);
      return inner === "" ? "" : `<p>${inner}</p>`;
    }
  }
}

/**
 * @param blocks the attribute's value (an array of block nodes)
 * @param assetBase the Strapi server URL, against which `/uploads/…` image URLs are made absolute
 * @throws Error when `blocks` is not an array
 */
export function renderStrapiBlocks(blocks: unknown, assetBase: string): string {
  if (!Array.isArray(blocks)) throw new Error("a blocks field must be an array of block nodes");
  return blocks
    .filter(isNode)
    .map((block) => renderBlock(block, assetBase))
    .join("\n");
}
