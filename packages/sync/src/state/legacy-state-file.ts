import { readFile, rename } from "node:fs/promises";
import type { PageRecord, SourceRecord } from "./state-store.js";

/** The JSON state file of earlier versions (one file, rewritten whole on every flush). */
interface StateFileV1 {
  version: 1;
  sources: Record<string, { source?: Record<string, unknown>; pages?: Record<string, PageRecord> }>;
}

/** The legacy state file exists but cannot be understood; the message names the file. */
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

export interface StateImporter {
  /** True when the new store already holds state (then nothing is imported). */
  hasSources(): boolean;
  write(sourceId: string, source: SourceRecord, pages: Iterable<[string, PageRecord]>): Promise<void>;
}

/**
 * Imports a legacy JSON state file into an empty store once, then renames it `<file>.migrated` so the
 * import never runs twice and the original stays for inspection. The page records and the Content
 * Import Source id carry over; a cursor carries over too (it was only written after everything before
 * it was applied). A run checkpoint does not: the next run simply starts fresh.
 */
export async function migrateStateFile(file: string, store: StateImporter): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new StateFileError(file, `cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (store.hasSources()) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(file, `is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isStateFile(parsed)) {
    throw new StateFileError(file, 'has an unknown format (expected { "version": 1, "sources": {...} })');
  }
  for (const [sourceId, entry] of Object.entries(parsed.sources)) {
    const legacy = entry.source ?? {};
    const source: SourceRecord = {};
    if (typeof legacy.contentImportSourceId === "number")
      source.contentImportSourceId = legacy.contentImportSourceId;
    if (typeof legacy.cursor === "string") source.cursor = legacy.cursor;
    await store.write(sourceId, source, Object.entries(entry.pages ?? {}));
  }
  await rename(file, `${file}.migrated`);
  return true;
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
