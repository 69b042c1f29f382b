import type { Dir, Stats } from "node:fs";
import { lstat, opendir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { ConnectorError } from "../errors.js";
import { FilesystemFileError } from "./filesystem-file-error.js";

export type WalkEntry =
  | { kind: "file"; relativePath: string; absolutePath: string; stats: Stats }
  | { kind: "failed"; relativePath: string; error: FilesystemFileError };

export interface WalkOptions {
  /** Absolute root as configured (links inside it keep their own path as their id). */
  root: string;
  /** The root with every link resolved: targets must stay inside it. */
  realRoot: string;
  followSymlinks: boolean;
  /** Excluded files are not yielded and excluded folders are not entered. */
  isExcluded(relativePath: string): boolean;
  signal?: AbortSignal;
  logger: Logger;
  sourceId?: string;
}

/** True when `target` is `root` itself or lies under it. */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return (
    relative === "" ||
    (!relative.startsWith(`..${path.sep}`) && relative !== ".." && !path.isAbsolute(relative))
  );
}

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/**
 * Walks the root depth-first, one open directory at a time (fs.opendir streams entries, so a folder
 * of a hundred thousand files is never held in memory). Yields regular files with their stats, and
 * `failed` entries for links that cannot be followed. Sockets, FIFOs and devices are skipped: reading
 * a FIFO would block forever. Folders that cannot be read do not stop the walk, but once everything
 * else was yielded it throws a ConnectorError: the listing is incomplete, so nothing may be deleted.
 */
export async function* walkFiles(options: WalkOptions): AsyncGenerator<WalkEntry> {
  const { root, realRoot, followSymlinks, isExcluded, signal, logger } = options;
  const pending: string[] = [""];
  // Real paths of folders entered through links, so a link cycle is walked once.
  const visited = new Set<string>([realRoot]);
  const unreadable: string[] = [];
  while (pending.length > 0) {
    const relativeDir = pending.pop() ?? "";
    const absoluteDir = path.join(root, relativeDir);
    let dir: Dir;
    try {
      dir = await opendir(absoluteDir);
    } catch (error) {
      unreadable.push(`${relativeDir || "."} (${errorCode(error) ?? (error as Error).message})`);
      continue;
    }
    try {
      for await (const dirent of dir) {
        signal?.throwIfAborted();
        const relativePath = relativeDir === "" ? dirent.name : `${relativeDir}/${dirent.name}`;
        const absolutePath = path.join(absoluteDir, dirent.name);
        if (isExcluded(relativePath)) continue;
        if (dirent.isSymbolicLink()) {
          if (!followSymlinks) {
            logger.debug({ path: relativePath }, "skipping symbolic link (followSymlinks is off)");
            continue;
          }
          const entry = await followLink(relativePath, absolutePath, realRoot);
          if (entry === undefined) continue;
          if (entry.kind === "directory") {
            if (!visited.has(entry.realPath)) {
              visited.add(entry.realPath);
              pending.push(relativePath);
            }
            continue;
          }
          yield entry;
        } else if (dirent.isDirectory()) {
          pending.push(relativePath);
        } else if (dirent.isFile()) {
          try {
            yield { kind: "file", relativePath, absolutePath, stats: await lstat(absolutePath) };
          } catch (error) {
            // Deleted between the directory read and the stat: it is gone, not failed.
            if (errorCode(error) === "ENOENT") continue;
            yield failedEntry(relativePath, error);
          }
        }
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      unreadable.push(`${relativeDir || "."} (${errorCode(error) ?? (error as Error).message})`);
    }
  }
  if (unreadable.length > 0) {
    throw new ConnectorError(
      "unavailable",
      `cannot read ${unreadable.length} folder(s) under root "${root}": ${unreadable.join(", ")}; ` +
        "the listing is incomplete, so no documents are deleted",
      { sourceId: options.sourceId },
    );
  }
}

type FollowedLink =
  | { kind: "file"; relativePath: string; absolutePath: string; stats: Stats }
  | { kind: "failed"; relativePath: string; error: FilesystemFileError }
  | { kind: "directory"; realPath: string };

async function followLink(
  relativePath: string,
  absolutePath: string,
  realRoot: string,
): Promise<FollowedLink | undefined> {
  let target: string;
  try {
    target = await realpath(absolutePath);
  } catch (error) {
    return {
      kind: "failed",
      relativePath,
      error: new FilesystemFileError(
        "unreadable",
        relativePath,
        `broken symbolic link (${errorCode(error)})`,
        {
          code: errorCode(error),
          cause: error,
        },
      ),
    };
  }
  if (!isInside(realRoot, target)) {
    return {
      kind: "failed",
      relativePath,
      error: new FilesystemFileError("outside_root", relativePath, "symbolic link points outside the root"),
    };
  }
  try {
    const stats = await stat(absolutePath);
    if (stats.isDirectory()) return { kind: "directory", realPath: target };
    if (stats.isFile()) return { kind: "file", relativePath, absolutePath, stats };
    return undefined;
  } catch (error) {
    return failedEntry(relativePath, error);
  }
}

function failedEntry(relativePath: string, error: unknown): WalkEntry & { kind: "failed" } {
  return {
    kind: "failed",
    relativePath,
    error: new FilesystemFileError(
      "unreadable",
      relativePath,
      `cannot read (${errorCode(error) ?? "error"})`,
      {
        code: errorCode(error),
        cause: error,
      },
    ),
  };
}
