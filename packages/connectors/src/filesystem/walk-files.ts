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
  /**
   * Files (and links) for which this is false are skipped before any stat, so a share full of
   * images or archives costs one directory read for them, not one system call each. Default: all.
   */
  isIncluded?(relativePath: string): boolean;
  /**
   * How many entries of one folder are stat'ed at once. Default 32: enough to keep libuv's thread
   * pool (4 threads) and a network share's round trips busy, small enough that memory stays flat.
   */
  statConcurrency?: number;
  signal?: AbortSignal;
  logger: Logger;
  sourceId?: string;
}

export const DEFAULT_STAT_CONCURRENCY = 32;

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
 *
 * Within a folder, up to `statConcurrency` stats run at once in a sliding window and results come out
 * in the order the folder lists its entries, so the walk is as deterministic as the file system and
 * never holds more than the window. A folder's files are all yielded before the next folder is opened.
 * Readability is not checked here (it would cost a second system call per file): a file that cannot
 * be read fails when it is loaded.
 */
export async function* walkFiles(options: WalkOptions): AsyncGenerator<WalkEntry> {
  const { root, realRoot, followSymlinks, isExcluded, signal, logger } = options;
  const isIncluded = options.isIncluded ?? (() => true);
  const concurrency = options.statConcurrency ?? DEFAULT_STAT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`statConcurrency must be a positive integer, got ${concurrency}`);
  }
  const pending: string[] = [""];
  // Real paths of folders entered through links, so a link cycle is walked once.
  const visited = new Set<string>([realRoot]);
  const unreadable: string[] = [];
  while (pending.length > 0) {
    const relativeDir = pending.pop() ?? "";
    const absoluteDir = path.join(root, relativeDir);
    let dir: Dir;
    try {
      dir = await opendir(absoluteDir, { bufferSize: 128 });
    } catch (error) {
      unreadable.push(`${relativeDir || "."} (${errorCode(error) ?? (error as Error).message})`);
      continue;
    }
    // Stats started but not yielded yet, oldest first. Each promise settles to a value, never rejects,
    // so abandoning the window (abort, early return) leaves no unhandled rejection behind.
    const window: Promise<Resolved>[] = [];
    try {
      for await (const dirent of dir) {
        signal?.throwIfAborted();
        const relativePath = relativeDir === "" ? dirent.name : `${relativeDir}/${dirent.name}`;
        if (isExcluded(relativePath)) continue;
        if (dirent.isDirectory()) {
          pending.push(relativePath);
          continue;
        }
        const absolutePath = path.join(absoluteDir, dirent.name);
        if (dirent.isSymbolicLink()) {
          if (!followSymlinks) {
            logger.debug({ path: relativePath }, "skipping symbolic link (followSymlinks is off)");
            continue;
          }
          window.push(followLink(relativePath, absolutePath, realRoot, isIncluded));
        } else if (dirent.isFile()) {
          if (!isIncluded(relativePath)) continue;
          window.push(statFile(relativePath, absolutePath));
        } else {
          continue;
        }
        if (window.length >= concurrency) {
          const entry = await next(window, visited, pending);
          if (entry !== undefined) yield entry;
        }
      }
      while (window.length > 0) {
        signal?.throwIfAborted();
        const entry = await next(window, visited, pending);
        if (entry !== undefined) yield entry;
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

/**
 * Takes the oldest result off the window. A followed link to a folder is queued for the walk (once per
 * real folder) instead of being yielded.
 */
async function next(
  window: Promise<Resolved>[],
  visited: Set<string>,
  pending: string[],
): Promise<WalkEntry | undefined> {
  const entry = await window.shift();
  if (entry === undefined || entry.kind === "skip") return undefined;
  if (entry.kind === "directory") {
    if (!visited.has(entry.realPath)) {
      visited.add(entry.realPath);
      pending.push(entry.relativePath);
    }
    return undefined;
  }
  return entry;
}

async function statFile(relativePath: string, absolutePath: string): Promise<Resolved> {
  try {
    return { kind: "file", relativePath, absolutePath, stats: await lstat(absolutePath) };
  } catch (error) {
    // Deleted between the directory read and the stat: it is gone, not failed.
    if (errorCode(error) === "ENOENT") return { kind: "skip" };
    return failedEntry(relativePath, error);
  }
}

/** What one entry of a folder turned out to be once stat'ed. */
type Resolved = WalkEntry | { kind: "directory"; relativePath: string; realPath: string } | { kind: "skip" };

/** A link to a folder is entered whatever its name; anything else it gives must pass `include`. */
async function followLink(
  relativePath: string,
  absolutePath: string,
  realRoot: string,
  isIncluded: (relativePath: string) => boolean,
): Promise<Resolved> {
  const resolved = await resolveLink(relativePath, absolutePath, realRoot);
  if (resolved.kind === "directory" || resolved.kind === "skip" || isIncluded(relativePath)) return resolved;
  return { kind: "skip" };
}

async function resolveLink(relativePath: string, absolutePath: string, realRoot: string): Promise<Resolved> {
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
    if (stats.isDirectory()) return { kind: "directory", relativePath, realPath: target };
    if (stats.isFile()) return { kind: "file", relativePath, absolutePath, stats };
    return { kind: "skip" };
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
