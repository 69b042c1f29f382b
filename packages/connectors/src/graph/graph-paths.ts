import type { GraphDriveItem } from "./graph-types.js";

/** Deepest folder chain walked up; SharePoint caps paths at 400 characters anyway. */
const MAX_DEPTH = 200;

/**
 * `parentReference.path` (`/drives/{id}/root:/Shared%20Docs/Policies`) as a path from the drive's
 * root (`Shared Docs/Policies`); `""` for the root itself, undefined for a form it cannot read.
 */
export function pathFromReference(referencePath: string): string | undefined {
  const at = referencePath.indexOf("root:");
  if (at < 0) return undefined;
  return referencePath
    .slice(at + "root:".length)
    .split("/")
    .filter((segment) => segment !== "")
    .map(decodeSegment)
    .join("/");
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a literal "%" in a name
  }
}

const join = (folder: string, name: string) => (folder === "" ? name : `${folder}/${name}`);

/**
 * Paths of items within one drive. Graph leaves `parentReference.path` out of delta answers (a
 * folder rename does not list its descendants again, so a path there would go stale): paths are
 * built from the folders the delta lists (parents before children), and a folder the listing has
 * not shown (an incremental page naming only a changed file) is read once by id.
 */
export class DrivePaths {
  private readonly folders = new Map<string, string>();

  constructor(private readonly lookup: (itemId: string) => Promise<GraphDriveItem | undefined>) {}

  /** Records the root or a folder met in a delta page (renames update the record). */
  async noteFolder(item: GraphDriveItem): Promise<void> {
    if (!item.id) return;
    if (item.root) {
      this.folders.set(item.id, "");
      return;
    }
    const path = await this.pathOf(item);
    if (path !== undefined) this.folders.set(item.id, path);
  }

  /** The item's path from the drive's root, or undefined when its parents cannot be read. */
  async pathOf(item: GraphDriveItem, depth = 0): Promise<string | undefined> {
    const name = item.name ?? "";
    const reference = item.parentReference;
    if (typeof reference?.path === "string") {
      const parent = pathFromReference(reference.path);
      if (parent !== undefined) return join(parent, name);
    }
    if (!reference?.id) return item.root ? "" : undefined;
    const parent = await this.folderPath(reference.id, depth + 1);
    return parent === undefined ? undefined : join(parent, name);
  }

  private async folderPath(id: string, depth: number): Promise<string | undefined> {
    const known = this.folders.get(id);
    if (known !== undefined) return known;
    if (depth > MAX_DEPTH) return undefined;
    const folder = await this.lookup(id);
    if (!folder) return undefined;
    const path = folder.root ? "" : await this.pathOf(folder, depth);
    if (path !== undefined) this.folders.set(id, path);
    return path;
  }
}
