import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { SandboxDataFileError } from "./errors.js";
import type { SandboxSnapshot } from "./store.js";

const timestamp = z.number().int().nonnegative();

const sourceSchema = z.object({
  type: z.literal("content_import_source"),
  id: z.number().int().positive(),
  url: z.string(),
  sync_behavior: z.enum(["api", "automated", "manual"]),
  status: z.enum(["active", "deactivated"]),
  created_at: timestamp,
  updated_at: timestamp,
  last_synced_at: timestamp,
});

const pageSchema = z.object({
  type: z.literal("external_page"),
  id: z.string().regex(/^[1-9][0-9]*$/, "must be a string of digits"),
  title: z.string(),
  html: z.string(),
  url: z.string().optional(),
  ai_agent_availability: z.boolean(),
  ai_copilot_availability: z.boolean(),
  ai_sales_agent_availability: z.boolean(),
  fin_availability: z.boolean(),
  locale: z.literal("en"),
  source_id: z.number().int().positive(),
  external_id: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
  last_ingested_at: timestamp,
});

const snapshotSchema = z.object({
  version: z.literal(1),
  nextSourceId: z.number().int().positive(),
  nextPageId: z.number().int().positive(),
  sources: z.array(sourceSchema),
  pages: z.array(pageSchema),
});

/** Reads a data file; undefined when it does not exist yet. */
export async function readDataFile(file: string): Promise<SandboxSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SandboxDataFileError(file, `cannot be read (${(error as Error).message})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SandboxDataFileError(file, "is not valid JSON", { cause: error });
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? "(root)" : issue.path.join(".");
    throw new SandboxDataFileError(file, `is not sandbox data: ${where}: ${issue?.message ?? "invalid"}`);
  }
  const { sources, pages } = parsed.data;
  const sourceIds = new Set(sources.map((source) => source.id));
  const orphan = pages.find((page) => !sourceIds.has(page.source_id));
  if (orphan !== undefined) {
    throw new SandboxDataFileError(
      file,
      `page ${orphan.id} belongs to source ${orphan.source_id}, which is missing`,
    );
  }
  return parsed.data;
}

let temporaryFileCounter = 0;

/**
 * Replaces `file` so that a crash at any moment leaves either the old or the new content, never a
 * torn mix: write a temp file in the same directory, fsync it, rename it over the target (atomic on
 * POSIX), then fsync the directory so the rename itself survives a power loss.
 */
export async function writeFileAtomically(file: string, content: string): Promise<void> {
  const directory = path.dirname(file);
  temporaryFileCounter += 1;
  const temporary = path.join(
    directory,
    `.${path.basename(file)}.${process.pid}.${temporaryFileCounter}.tmp`,
  );
  try {
    const handle = await open(temporary, "w");
    try {
      await handle.writeFile(content, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  try {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse to fsync a directory; the rename is still atomic there.
  }
}

/**
 * Serialises a snapshot as JSON. Stored pages are immutable (the store replaces them on change), so
 * each page's JSON is cached by object identity: a write re-serialises only what changed since the
 * last one, which keeps frequent writes of a big store cheap.
 */
export class SnapshotSerializer {
  private readonly cache = new WeakMap<object, string>();

  serialize(snapshot: SandboxSnapshot): string {
    const pages = snapshot.pages.map((page) => {
      let json = this.cache.get(page);
      if (json === undefined) {
        json = JSON.stringify(page);
        this.cache.set(page, json);
      }
      return json;
    });
    return `{"version":${snapshot.version},"nextSourceId":${snapshot.nextSourceId},"nextPageId":${snapshot.nextPageId},"sources":${JSON.stringify(snapshot.sources)},"pages":[${pages.join(",")}]}`;
  }
}

/**
 * Writes the store to its data file after changes, coalescing them: changes within `delayMs` (and
 * those made while a write runs) cost one write of the latest state. Only one write runs at a time,
 * and the next one waits at least `delayMs`, or four times as long as the last write took, so that
 * under a steady stream of changes writing uses a bounded share of the time.
 */
export class DataFileWriter {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastError: unknown;
  private lastWriteMs = 0;
  private readonly serializer = new SnapshotSerializer();

  constructor(
    readonly file: string,
    private readonly snapshot: () => SandboxSnapshot,
    private readonly delayMs: number,
    private readonly logger: Logger,
  ) {}

  /** Creates the file's directory. */
  async prepare(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
  }

  /** Notes a change; the write follows within `delayMs`. */
  markDirty(): void {
    this.dirty = true;
    if (this.timer === undefined && this.running === undefined) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          void this.drain().catch(() => {});
        },
        Math.max(this.delayMs, this.lastWriteMs * 4),
      );
    }
  }

  /** Writes pending changes now and waits until they are on disk. */
  async flush(): Promise<void> {
    if (this.running !== undefined) await this.running.catch(() => {});
    // Cleared after the running write: its end may have scheduled the next one.
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.dirty) await this.drain();
    else if (this.lastError !== undefined) throw this.lastError;
  }

  private drain(): Promise<void> {
    this.running ??= this.write().finally(() => {
      this.running = undefined;
      // Changes made while writing wait for the next turn (not after a failure: the next change retries).
      if (this.dirty && this.timer === undefined && this.lastError === undefined) this.markDirty();
    });
    return this.running;
  }

  private async write(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const started = performance.now();
    const content = this.serializer.serialize(this.snapshot());
    try {
      await writeFileAtomically(this.file, content);
      this.lastError = undefined;
    } catch (cause) {
      this.dirty = true;
      const problem = `cannot be written (${(cause as Error).message})`;
      this.lastError = new SandboxDataFileError(this.file, problem, { cause });
      this.logger.error({ err: cause, file: this.file }, "sandbox data file write failed");
      throw this.lastError;
    }
    this.lastWriteMs = performance.now() - started;
    this.logger.debug({ file: this.file, bytes: content.length, ms: this.lastWriteMs }, "sandbox data saved");
  }
}
