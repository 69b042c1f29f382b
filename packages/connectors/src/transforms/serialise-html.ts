import { type AnyNode, type ChildNode, type Element, isTag, isText, type ParentNode, Text } from "domhandler";
import { setChildren } from "./dom-children.js";
import { BLOCK_TAGS } from "./html-elements.js";
import { serialiseNode } from "./html-document.js";

/**
 * Puts every block element on its own line (outside `<pre>`), so the output is readable in diffs and
 * golden files. Only newlines between blocks are added, which HTML renders as nothing.
 */
export function formatBlocks(parent: ParentNode): void {
  const result: ChildNode[] = [];
  let newlineOwed = false;
  const newline = (): void => {
    const last = result.at(-1);
    if (last !== undefined && isText(last)) {
      if (!last.data.endsWith("\n")) last.data += "\n";
    } else {
      result.push(new Text("\n"));
    }
  };
  for (const child of parent.children) {
    if (isTag(child) && BLOCK_TAGS.has(child.name)) {
      newline();
      result.push(child);
      if (child.name !== "pre") formatBlocks(child);
      newlineOwed = true;
      continue;
    }
    if (newlineOwed) {
      if (isText(child)) {
        if (!child.data.startsWith("\n")) child.data = `\n${child.data}`;
      } else {
        result.push(new Text("\n"));
      }
      newlineOwed = false;
    }
    result.push(child);
  }
  if (newlineOwed) newline();
  setChildren(parent, result);
}

/** The output HTML of a formatted root: its top-level blocks, one per line. */
export function serialiseRoot(root: Element): string {
  return topLevelNodes(root).map(serialiseNode).join("\n");
}

/** The root's children without the newline text nodes formatBlocks put between them. */
export function topLevelNodes(root: ParentNode): AnyNode[] {
  return root.children.filter((node) => !(isText(node) && node.data.trim() === ""));
}
