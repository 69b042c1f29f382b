import { constants, type Stats } from "node:fs";
import { access, lstat, open, realpath, stat } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  DocumentBody,
  FetchedDocument,
  ListContext,
  SourceEvent,
} from "../contract.js";
import { ConnectorError } from "../errors.js";
import { frontMatterFields, pathMetadata } from "./file-metadata.js";
import { type FileFormat, formatOfName, SUPPORTED_EXTENSIONS } from "../toolkit/media-types/media-types.js";
import { FilesystemFileError } from "./filesystem-file-error.js";
import {
  DEFAULT_EXCLUDE,
  DEFAULT_INCLUDE,
  DEFAULT_MAX_FILE_BYTES,
  type FilesystemOptions,
  filesystemOptionsSchema,
} from "./filesystem-options.js";
import { FrontMatterError, parseFrontMatter } from "./front-matter.js";
import { fileUrl } from "./url-template.js";
import { isInside, walkFiles } from "./walk-files.js";

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** `mtimeMs-size`: changes on every save without reading the file. */
const versionOf = (stats: Stats): string => `${stats.mtimeMs}-${stats.size}`;

/**
 * A folder (local, or an SMB/NFS share mounted on the machine) as a source. `externalId` is the path
 * relative to the root with forward slashes. There is no change feed (file shares have no reliable
 * one): full listings are cheap because versions come from `stat` and only changed files are read.
 */
export class FilesystemConnector implements Connector {
  private readonly root: string;
  private readonly followSymlinks: boolean;
  private readonly maxFileBytes: number;
  private readonly urlTemplate: string | undefined;
  private readonly included: (relativePath: string) => boolean;
  private readonly excluded: (relativePath: string) => boolean;
  private readonly sourceId: string;

  constructor(options: FilesystemOptions, init: ConnectorInit) {
    this.root = path.resolve(options.root);
    this.followSymlinks = options.followSymlinks ?? false;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.urlTemplate = options.urlTemplate;
    this.sourceId = init.sourceId;
    const globOptions = { dot: true, nocase: true };
    this.included = picomatch([...(options.include ?? DEFAULT_INCLUDE)], globOptions);
    this.excluded = picomatch([...(options.exclude ?? DEFAULT_EXCLUDE)], globOptions);
  }

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    const realRoot = await this.openRoot();
    const walk = walkFiles({
      root: this.root,
      realRoot,
      followSymlinks: this.followSymlinks,
      isExcluded: this.excluded,
      isIncluded: this.included,
      signal: ctx.signal,
      logger: ctx.logger,
      sourceId: this.sourceId,
    });
    for await (const entry of walk) {
      if (entry.kind === "failed") {
        ctx.logger.warn({ path: entry.relativePath, reason: entry.error.reason }, entry.error.message);
        yield { kind: "failed", externalId: entry.relativePath, error: entry.error };
        continue;
      }
      yield this.describe(entry.relativePath, entry.stats, ctx);
    }
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    const realRoot = await this.openRoot();
    for (const id of ids) {
      ctx.signal.throwIfAborted();
      if (!isCanonicalRelativePath(id)) {
        yield {
          kind: "failed",
          externalId: id,
          error: new FilesystemFileError(
            "outside_root",
            id,
            "not a path inside the root (ids are relative paths with forward slashes and no '..')",
          ),
        };
        continue;
      }
      // Outside the configured selection means not part of this source (any more).
      if (!this.included(id) || this.isExcludedWithParents(id)) {
        yield { kind: "deleted", externalId: id };
        continue;
      }
      yield await this.lookUp(id, realRoot, ctx);
    }
  }

  private async lookUp(id: string, realRoot: string, ctx: ListContext): Promise<SourceEvent> {
    const absolutePath = path.join(this.root, id);
    try {
      await lstat(absolutePath);
    } catch (error) {
      // An unmounted share looks exactly like deleted files: not proof, a full walk decides.
      if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR")
        return { kind: "missing", externalId: id, reason: `no file at ${id} (${errorCode(error)})` };
      return { kind: "failed", externalId: id, error: unreadable(id, error) };
    }
    let target: string;
    try {
      target = await realpath(absolutePath);
    } catch (error) {
      if (!this.followSymlinks) return { kind: "deleted", externalId: id };
      return { kind: "failed", externalId: id, error: unreadable(id, error) };
    }
    if (!this.followSymlinks && target !== path.join(realRoot, id)) {
      // A link somewhere on the path: listings skip it, so it is not part of the source.
      return { kind: "deleted", externalId: id };
    }
    if (!isInside(realRoot, target)) {
      return {
        kind: "failed",
        externalId: id,
        error: new FilesystemFileError("outside_root", id, "symbolic link points outside the root"),
      };
    }
    let stats: Stats;
    try {
      stats = await stat(absolutePath);
    } catch (error) {
      return { kind: "failed", externalId: id, error: unreadable(id, error) };
    }
    if (!stats.isFile()) return { kind: "missing", externalId: id, reason: `${id} is not a regular file` };
    return this.describe(id, stats, ctx);
  }

  /**
   * The listing event of one regular file, from its stats alone: type and size are checked here.
   * Readability is not (an `access` call per file doubled the cost of a listing): an unreadable file
   * is listed, and its `load` fails with reason `unreadable`, so the engine reports it as failed and,
   * since it was listed, never deletes its page. Hazard: a file whose mode changes while its mtime and
   * size stay the same keeps its version, so the engine does not load it and its page stays as synced.
   */
  private describe(relativePath: string, stats: Stats, ctx: ListContext): SourceEvent {
    const failed = (error: FilesystemFileError): SourceEvent => {
      ctx.logger.warn({ path: relativePath, reason: error.reason }, error.message);
      return { kind: "failed", externalId: relativePath, error };
    };
    const format = formatOfName(relativePath);
    if (format === undefined) {
      return failed(
        new FilesystemFileError(
          "unsupported",
          relativePath,
          `unsupported file type (supported: ${SUPPORTED_EXTENSIONS.map((ext) => `.${ext}`).join(", ")})`,
        ),
      );
    }
    if (stats.size > this.maxFileBytes) return failed(tooLarge(relativePath, stats.size, this.maxFileBytes));
    return {
      kind: "document",
      document: {
        externalId: relativePath,
        version: versionOf(stats),
        updatedAt: stats.mtime,
        metadata: pathMetadata(relativePath),
        load: (signal) => this.load(relativePath, format, signal),
      },
    };
  }

  /** Reads one file. The version comes from the open handle, so it always matches the bytes read. */
  async load(relativePath: string, format: FileFormat, signal?: AbortSignal): Promise<FetchedDocument> {
    const absolutePath = path.join(this.root, relativePath);
    if (this.followSymlinks) {
      const target = await realpath(absolutePath).catch((error: unknown) => {
        throw unreadable(relativePath, error);
      });
      if (!isInside(await realpath(this.root), target)) {
        throw new FilesystemFileError("outside_root", relativePath, "symbolic link points outside the root");
      }
    }
    // Without followSymlinks, O_NOFOLLOW refuses a file swapped for a link since the listing.
    const flags = constants.O_RDONLY | (this.followSymlinks ? 0 : constants.O_NOFOLLOW);
    const handle = await open(absolutePath, flags).catch((error: unknown) => {
      throw unreadable(relativePath, error);
    });
    let stats: Stats;
    let data: Buffer;
    try {
      stats = await handle.stat();
      if (stats.size > this.maxFileBytes) throw tooLarge(relativePath, stats.size, this.maxFileBytes);
      data = await handle.readFile({ signal });
    } catch (error) {
      if (error instanceof FilesystemFileError || signal?.aborted) throw error;
      throw unreadable(relativePath, error);
    } finally {
      await handle.close();
    }
    const document: FetchedDocument = {
      externalId: relativePath,
      version: versionOf(stats),
      updatedAt: stats.mtime,
      metadata: pathMetadata(relativePath),
      body: { kind: "text", text: "" },
    };
    if (this.urlTemplate !== undefined) document.url = fileUrl(this.urlTemplate, relativePath);
    const stem = path.posix.basename(relativePath).replace(/\.[^.]*$/, "");
    switch (format.kind) {
      case "markdown": {
        let parsed: ReturnType<typeof parseFrontMatter>;
        try {
          parsed = parseFrontMatter(decodeText(data));
        } catch (error) {
          if (error instanceof FrontMatterError) {
            throw new FilesystemFileError("front_matter", relativePath, error.message, { cause: error });
          }
          throw error;
        }
        const fields = frontMatterFields(parsed.data, relativePath);
        if (fields.title !== undefined) document.title = fields.title;
        if (fields.url !== undefined) document.url = fields.url;
        // Front matter may set space, labels…; the path keys are never taken from it (see file-metadata).
        document.metadata = { ...document.metadata, ...fields.metadata };
        document.body = { kind: "markdown", markdown: parsed.content };
        break;
      }
      case "html":
        // No title here: the transforms read <title> or the first <h1>.
        document.body = { kind: "html", html: decodeText(data) };
        break;
      case "text":
        document.title = stem;
        document.body = { kind: "text", text: decodeText(data) };
        break;
      case "binary": {
        // Word and PDF metadata titles are often stale ("Microsoft Word - draft3"): the file name is
        // what people see on the share.
        document.title = stem;
        const body: DocumentBody = {
          kind: "binary",
          mediaType: format.mediaType,
          data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        };
        document.body = body;
        break;
      }
    }
    return document;
  }

  /** The real root; a missing or unreadable root is a configuration error that stops the listing. */
  private async openRoot(): Promise<string> {
    try {
      const stats = await stat(this.root);
      if (!stats.isDirectory()) {
        throw new ConnectorError("config", `filesystem root "${this.root}" is not a directory`, {
          sourceId: this.sourceId,
        });
      }
      await access(this.root, constants.R_OK | constants.X_OK);
      return await realpath(this.root);
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw new ConnectorError(
        "config",
        `filesystem root "${this.root}" cannot be read (${errorCode(error) ?? (error as Error).message})`,
        { sourceId: this.sourceId, cause: error },
      );
    }
  }

  private isExcludedWithParents(relativePath: string): boolean {
    const segments = relativePath.split("/");
    return segments.some((_, index) => this.excluded(segments.slice(0, index + 1).join("/")));
  }
}

/** `a/b.md` yes; `/a`, `a/../b`, `./a`, `a//b`, `a\0` no. */
function isCanonicalRelativePath(id: string): boolean {
  if (id === "" || id.includes("\0") || id.startsWith("/")) return false;
  return id.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

function unreadable(relativePath: string, error: unknown): FilesystemFileError {
  const code = errorCode(error);
  return new FilesystemFileError(
    "unreadable",
    relativePath,
    `cannot read (${code ?? (error as Error).message})`,
    {
      code,
      cause: error,
    },
  );
}

function tooLarge(relativePath: string, size: number, maxFileBytes: number): FilesystemFileError {
  return new FilesystemFileError(
    "too_large",
    relativePath,
    `file is ${size} bytes, larger than maxFileBytes (${maxFileBytes})`,
  );
}

/** UTF-8 without a byte-order mark; invalid bytes become U+FFFD rather than failing the file. */
function decodeText(data: Uint8Array): string {
  return new TextDecoder("utf-8").decode(data);
}

export const filesystemConnector: ConnectorDefinition<FilesystemOptions> = {
  type: "filesystem",
  // Reads local files and mounts, no HTTP: the budget is never drawn from.
  defaultRate: { perSecond: 1000 },
  optionsSchema: filesystemOptionsSchema,
  create: (options, init) => new FilesystemConnector(options, init),
};
