import type { PageRecord, SourceRecord, StateStore } from "./state-store.js";

/** State kept in memory only: for dry runs over a copy, tests and one-shot tools. */
export class MemoryStateStore implements StateStore {
  private readonly sources = new Map<string, SourceRecord>();
  private readonly pages = new Map<string, Map<string, PageRecord>>();

  async getSource(sourceId: string): Promise<SourceRecord> {
    return { ...(this.sources.get(sourceId) ?? {}) };
  }

  async updateSource(sourceId: string, patch: Partial<SourceRecord>): Promise<void> {
    const merged: Record<string, unknown> = { ...(this.sources.get(sourceId) ?? {}) };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    this.sources.set(sourceId, merged as SourceRecord);
  }

  async getPages(sourceId: string, externalIds: readonly string[]): Promise<Map<string, PageRecord>> {
    const pages = this.pages.get(sourceId);
    const found = new Map<string, PageRecord>();
    for (const id of externalIds) {
      const record = pages?.get(id);
      if (record) found.set(id, { ...record });
    }
    return found;
  }

  async putPage(sourceId: string, externalId: string, record: PageRecord): Promise<void> {
    let pages = this.pages.get(sourceId);
    if (!pages) {
      pages = new Map();
      this.pages.set(sourceId, pages);
    }
    pages.set(externalId, { ...record });
  }

  async deletePage(sourceId: string, externalId: string): Promise<void> {
    this.pages.get(sourceId)?.delete(externalId);
  }

  async *listPages(sourceId: string): AsyncIterable<[externalId: string, record: PageRecord]> {
    for (const [id, record] of [...(this.pages.get(sourceId) ?? [])]) yield [id, { ...record }];
  }

  async countPages(sourceId: string): Promise<number> {
    return this.pages.get(sourceId)?.size ?? 0;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
