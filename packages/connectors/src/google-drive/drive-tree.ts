import type { DriveApi } from "./drive-api.js";
import { type DriveFile, FOLDER_MIME_TYPE } from "./drive-types.js";

/** Where a file sits below the scope root that holds it. */
export interface Placement {
  /** The configured folder or shared drive the file is reached from. */
  root: string;
  /** Folder names from below the root down to the file's folder. */
  folders: string[];
}

interface FolderNode {
  name: string;
  parent: string | undefined;
}

/** Longest parent chain followed; deeper trees are cut there (and still placed). */
const MAX_DEPTH = 64;

/**
 * The folders of Drive this connector has seen, so a file's place (and whether it lies inside a
 * configured folder) is decided from its `parents` without reading every folder again. Drive gives
 * an item one parent (multi-parenting ended in 2020); folders met in listings and change feeds are
 * remembered, the others read by id on first need. A folder that cannot be read (404) ends the
 * walk: what is above it is outside what the service account sees.
 */
export class DriveTree {
  private readonly folders = new Map<string, FolderNode | null>();

  constructor(
    private readonly api: DriveApi,
    /** Configured folders and shared drive ids: walks stop there. A shared drive's root folder id is the drive id. */
    private readonly roots: ReadonlySet<string>,
  ) {}

  /** Records a folder's name and parent (from a listing or a change). */
  remember(file: DriveFile): void {
    if (file.mimeType !== FOLDER_MIME_TYPE) return;
    this.folders.set(file.id, file.trashed ? null : { name: file.name, parent: file.parents?.[0] });
  }

  /** Forgets a folder (removed or trashed), so files below it are no longer placed through it. */
  forget(id: string): void {
    this.folders.set(id, null);
  }

  /**
   * The nearest configured root above a file and the folder names below it; with no root above,
   * `root` is undefined and the folders are those up to the top the walk reached (My Drive's root
   * itself left out).
   */
  async place(
    file: DriveFile,
    signal: AbortSignal,
  ): Promise<Placement | { root: undefined; folders: string[] }> {
    const folders: string[] = [];
    let parent = file.parents?.[0];
    for (let depth = 0; parent !== undefined && depth < MAX_DEPTH; depth++) {
      if (this.roots.has(parent)) return { root: parent, folders };
      const node = await this.folder(parent, signal);
      if (!node) break;
      // A folder without a parent is a corpus root (My Drive): not part of the path.
      if (node.parent === undefined) break;
      folders.unshift(node.name);
      parent = node.parent;
    }
    return { root: undefined, folders };
  }

  /** A folder's name (a configured folder's, for the space it gives its files); undefined when unreadable. */
  async name(id: string, signal: AbortSignal): Promise<string | undefined> {
    return (await this.folder(id, signal))?.name;
  }

  private async folder(id: string, signal: AbortSignal): Promise<FolderNode | null> {
    const known = this.folders.get(id);
    if (known !== undefined) return known;
    const file = await this.api.file(id, signal);
    const node =
      file && file.mimeType === FOLDER_MIME_TYPE && !file.trashed
        ? { name: file.name, parent: file.parents?.[0] }
        : null;
    this.folders.set(id, node);
    return node;
  }
}
