/** What the engine remembers about one document it synced. */
export interface PageRecord {
  /** Intercom's External Page id. */
  pageId: string;
  /** SHA-256 of the exact payload last sent (title, html, url, availability), hex. */
  contentHash: string;
  /** The connector's cheap version at that time. */
  version: string;
  /** When it was last written or confirmed, unix milliseconds. */
  syncedAt: number;
}

/** Per-source facts outside the document map. */
export interface SourceRecord {
  /** Intercom Content Import Source id once ensured. */
  contentImportSourceId?: number;
  /** Incremental cursor from the last run whose writes all succeeded up to it. */
  cursor?: string;
  /** Checkpoint of a run in progress, so a crashed run resumes instead of restarting. */
  checkpoint?: RunCheckpoint;
}

export interface RunCheckpoint {
  runId: string;
  mode: "full" | "incremental";
  startedAt: number;
  /** Cursor of the last fully applied cursor event inside this run. */
  cursor?: string;
}

/**
 * Durable state of every source: one implementation per home (a JSON file for inline runs, Redis for
 * the services). Writes must be durable when the promise resolves (the file store may batch and
 * persist on `flush`, which the engine calls at checkpoints and at the end of a run).
 */
export interface StateStore {
  getSource(sourceId: string): Promise<SourceRecord>;
  /** Merges `patch` into the source's record; `undefined` values remove keys. */
  updateSource(sourceId: string, patch: Partial<SourceRecord>): Promise<void>;
  getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>>;
  putPage(sourceId: string, externalId: string, record: PageRecord): Promise<void>;
  deletePage(sourceId: string, externalId: string): Promise<void>;
  /** Every page record of the source; order unspecified. */
  listPages(sourceId: string): AsyncIterable<[externalId: string, record: PageRecord]>;
  countPages(sourceId: string): Promise<number>;
  /** Persists anything buffered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
