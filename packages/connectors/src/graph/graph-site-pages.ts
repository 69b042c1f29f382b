import type { GraphCanvasLayout, GraphWebPart } from "./graph-types.js";

const TEXT_WEB_PART = "#microsoft.graph.textWebPart";

/**
 * A modern page's text as HTML: the `innerHtml` of its text web parts, section by section and
 * column by column as the page shows them, the vertical section last. Other web parts (images,
 * lists, embeds) carry no text Graph hands over and are left out.
 */
export function sitePageHtml(layout: GraphCanvasLayout | null | undefined): string {
  const parts: GraphWebPart[] = [];
  for (const section of layout?.horizontalSections ?? [])
    for (const column of section.columns ?? []) parts.push(...(column.webparts ?? []));
  parts.push(...(layout?.verticalSection?.webparts ?? []));
  return parts
    .filter((part) => part["@odata.type"] === TEXT_WEB_PART && typeof part.innerHtml === "string")
    .map((part) => part.innerHtml)
    .join("\n");
}
