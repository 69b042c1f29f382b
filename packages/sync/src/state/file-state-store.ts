import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { PageRecord, SourceRecord, StateStore } from "./state-store.js";

interface SourceEntry {
  source: SourceRecord;
  pages: Map<string, PageRecord>;
}

interface StateFileV1 {
  version: 1;
  sources: Record<string, { source: SourceRecord; pages: Record<string, PageRecord> }>;
}

export interface FileStateStoreOptions {
  /**
   * Persist automatically once this many changes are buffered (besides every explicit `flush`).
   * Default 500: bounds what a crash can lose without rewriting the file on every document.
   */
  autoFlushEvery?: number;
}

/** The state file exists but cannot be understood; the message names the file. */
export class StateFileError extends Error {
  override readonly name = "StateFileError";
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`state file ${file}: ${message}`, options);
  }
}

export const isStateFileError = (error: unknown): error is StateFileError => error instanceof StateFileError;

/**
 * State of inline runs in one JSON file. Loaded once, changes buffered in memory and written
 * atomically (temp file, fsync, rename, fsync of the folder), so a crash leaves either the previous
 * or the new file, never a torn one. One process at a time should own a file.
 */
export class FileStateStore implements StateStore {
  private sources: Map<string, SourceEntry> | undefined;
  private loading: Promise<Map<string, SourceEntry>> | undefined;
  private pendingChanges = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly autoFlushEvery: number;

  constructor(
    readonly file: string,
    options: FileStateStoreOptions = {},
  ) {
    this.autoFlushEvery = options.autoFlushEvery ?? 500;
  }

  async getSource(sourceId: string): Promise<SourceRecord> {
    const entry = (await this.load()).get(sourceId);
    return entry ? { ...entry.source } : {};
  }

  async updateSource(sourceId: string, patch: Partial<SourceRecord>): Promise<void> {
    const entry = await this.entry(sourceId);
    const merged: Record<string, unknown> = { ...entry.source };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    entry.source = merged as SourceRecord;
    await this.changed();
  }

  async getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>> {
    const pages = (await this.load()).get(sourceId)?.pages;
    const found = new Map<string, PageRecord>();
    if (!pages) return found;
    for (const id of externalIds) {
      const record = pages.get(id);
      if (record) found.set(id, { ...record });
    }
    return found;
  }

  async putPage(sourceId: string, externalId: string, record: PageRecord): Promise<void> {
    (await this.entry(sourceId)).pages.set(externalId, { ...record });
    await this.changed();
  }

  async deletePage(sourceId: string, externalId: string): Promise<void> {
    const entry = (await this.load()).get(sourceId);
    if (entry?.pages.delete(externalId)) await this.changed();
  }

  async *listPages(sourceId: string): AsyncIterable<[externalId: string, record: PageRecord]> {
    const pages = (await this.load()).get(sourceId)?.pages;
    if (!pages) return;
    // A snapshot, so callers may delete while iterating.
    for (const [id, record] of [...pages]) yield [id, { ...record }];
  }

  async countPages(sourceId: string): Promise<number> {
    return (await this.load()).get(sourceId)?.pages.size ?? 0;
  }

  /** Writes the file when anything changed since the last write; concurrent calls share the queue. */
  async flush(): Promise<void> {
    const next = this.writing.then(() => this.writeIfChanged());
    this.writing = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async writeIfChanged(): Promise<void> {
    if (this.pendingChanges === 0 || !this.sources) return;
    const changes = this.pendingChanges;
    const content: StateFileV1 = { version: 1, sources: {} };
    for (const [id, entry] of this.sources) {
      content.sources[id] = { source: entry.source, pages: Object.fromEntries(entry.pages) };
    }
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      const handle = await open(temp, "w", 0o600);
      try {
        await handle.writeFile(JSON.stringify(content));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(path.dirname(this.file));
    this.pendingChanges -= changes;
  }

  private async changed(): Promise<void> {
    this.pendingChanges++;
    if (this.pendingChanges >= this.autoFlushEvery) await this.flush();
  }

  private async entry(sourceId: string): Promise<SourceEntry> {
    const sources = await this.load();
    let entry = sources.get(sourceId);
    if (!entry) {
      entry = { source: {}, pages: new Map() };
      sources.set(sourceId, entry);
    }
    return entry;
  }

  private load(): Promise<Map<string, SourceEntry>> {
    if (this.sources) return Promise.resolve(this.sources);
    this.loading ??= this.readFile().then((sources) => {
      this.sources = sources;
      return sources;
    });
    return this.loading;
  }

  private async readFile(): Promise<Map<string, SourceEntry>> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
      throw new StateFileError(this.file, `cannot be read: ${(error as Error).message}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new StateFileError(this.file, `is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!isStateFile(parsed)) {
      throw new StateFileError(
        this.file,
        'has an unknown format (expected { "version": 1, "sources": {...} })',
      );
    }
    const sources = new Map<string, SourceEntry>();
    for (const [id, entry] of Object.entries(parsed.sources)) {
      sources.set(id, { source: entry.source ?? {}, pages: new Map(Object.entries(entry.pages ?? {})) });
    }
    return sources;
  }
}

function isStateFile(value: unknown): value is StateFileV1 {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { version?: unknown }).version === 1 &&
    typeof (value as { sources?: unknown }).sources === "object" &&
    (value as { sources?: unknown }).sources !== null
  );
}

/** Makes the rename itself durable; some platforms cannot open folders, which is harmless there. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, "r");
    await handle.sync();
  } catch {
    // Directory fsync is unsupported on some platforms (Windows); the rename is still atomic.
  } finally {
    await handle?.close();
  }
}
