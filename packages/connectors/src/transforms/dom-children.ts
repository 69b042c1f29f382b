import type { ChildNode, ParentNode } from "domhandler";

/**
 * Replaces a node's children in one go and relinks parent/prev/next. The cleaning passes rebuild each
 * child list once instead of removing nodes one by one: per-node removal searches the sibling list
 * each time, which is quadratic on flat pages with thousands of siblings.
 */
export function setChildren(parent: ParentNode, children: ChildNode[]): void {
  parent.children = children;
  for (const [index, child] of children.entries()) {
    child.parent = parent;
    child.prev = children[index - 1] ?? null;
    child.next = children[index + 1] ?? null;
  }
}
