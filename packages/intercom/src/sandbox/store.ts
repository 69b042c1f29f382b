import { SandboxApiError } from "./errors.js";
import { SortedIdIndex } from "./sorted-id-index.js";
import type { ContentImportSource, ExternalPage, SandboxStoreReader } from "./types.js";

/** Everything the sandbox knows, as written to its data file. */
export interface SandboxSnapshot {
  version: 1;
  nextSourceId: number;
  nextPageId: number;
  sources: ContentImportSource[];
  pages: ExternalPage[];
}

/** The fields of a page write after validation. */
export interface PageWrite {
  title: string;
  html: string;
  /** undefined keeps the stored URL (none on create); null removes it. */
  url?: string | null;
  /** undefined keeps the stored flag on update and means false on create. */
  ai_agent_availability?: boolean;
  ai_copilot_availability?: boolean;
  ai_sales_agent_availability?: boolean;
  source_id: number;
  external_id: string;
}

/** A page update (PUT): the external id may be left out to keep it. */
export type PageUpdate = Omit<PageWrite, "external_id"> & { external_id?: string };

export interface SourceWrite {
  url: string;
  sync_behavior: ContentImportSource["sync_behavior"];
  /** undefined keeps the stored status (active on create). */
  status?: ContentImportSource["status"];
}

export interface UpsertResult {
  page: ExternalPage;
  created: boolean;
  /** False when the write was identical to what was stored (no timestamp moved). */
  changed: boolean;
}

const keyOf = (sourceId: number, externalId: string): string => `${sourceId}\u0000${externalId}`;

/**
 * In-memory data of the sandbox with the indexes the API needs: pages by id, by source and by
 * (source, external id). Stored objects are replaced, never mutated, so references handed out stay
 * valid snapshots. `onChange` fires after every change (persistence listens to it).
 */
export class SandboxStore implements SandboxStoreReader {
  private readonly sources = new Map<number, ContentImportSource>();
  private readonly pages = new Map<string, ExternalPage>();
  private readonly pageIdByKey = new Map<string, string>();
  private readonly pageIdsBySource = new Map<number, Set<string>>();
  private readonly sourceOrder = new SortedIdIndex();
  private readonly pageOrder = new SortedIdIndex();
  private nextSourceId = 1;
  private nextPageId = 1;

  constructor(private readonly onChange: () => void = () => {}) {}

  get sourceCount(): number {
    return this.sources.size;
  }

  get pageCount(): number {
    return this.pages.size;
  }

  getSource(id: number): ContentImportSource | undefined {
    return this.sources.get(id);
  }

  getPage(id: string): ExternalPage | undefined {
    return this.pages.get(id);
  }

  findPage(sourceId: number, externalId: string): ExternalPage | undefined {
    const id = this.pageIdByKey.get(keyOf(sourceId, externalId));
    return id === undefined ? undefined : this.pages.get(id);
  }

  listSources(): ContentImportSource[] {
    return this.sourceOrder.all().map((id) => this.sources.get(id) as ContentImportSource);
  }

  listPages(sourceId?: number): ExternalPage[] {
    const all = this.pageOrder.all().map((id) => this.pages.get(String(id)) as ExternalPage);
    return sourceId === undefined ? all : all.filter((page) => page.source_id === sourceId);
  }

  /** Sources in ascending id order after `afterId` (Intercom lists sources oldest first). */
  sourcesAfter(
    afterId: number | undefined,
    limit: number,
  ): { items: ContentImportSource[]; hasMore: boolean } {
    const { ids, hasMore } = this.sourceOrder.ascending(afterId, limit);
    return { items: ids.map((id) => this.sources.get(id) as ContentImportSource), hasMore };
  }

  /** Pages in descending id order before `beforeId` (Intercom lists pages newest first). */
  pagesBefore(beforeId: number | undefined, limit: number): { items: ExternalPage[]; hasMore: boolean } {
    const { ids, hasMore } = this.pageOrder.descending(beforeId, limit);
    return { items: ids.map((id) => this.pages.get(String(id)) as ExternalPage), hasMore };
  }

  createSource(write: SourceWrite, now: number): ContentImportSource {
    const source: ContentImportSource = {
      type: "content_import_source",
      id: this.nextSourceId++,
      url: write.url,
      sync_behavior: write.sync_behavior,
      status: write.status ?? "active",
      created_at: now,
      updated_at: now,
      last_synced_at: now,
    };
    this.sources.set(source.id, source);
    this.sourceOrder.add(source.id);
    this.onChange();
    return source;
  }

  updateSource(id: number, write: SourceWrite, now: number): ContentImportSource | undefined {
    const current = this.sources.get(id);
    if (current === undefined) return undefined;
    const status = write.status ?? current.status;
    if (
      current.url === write.url &&
      current.sync_behavior === write.sync_behavior &&
      current.status === status
    ) {
      return current;
    }
    const next: ContentImportSource = {
      ...current,
      url: write.url,
      sync_behavior: write.sync_behavior,
      status,
      updated_at: now,
    };
    this.sources.set(id, next);
    this.onChange();
    return next;
  }

  /** Deletes the source and every page imported from it. */
  deleteSource(id: number): ContentImportSource | undefined {
    const source = this.sources.get(id);
    if (source === undefined) return undefined;
    for (const pageId of this.pageIdsBySource.get(id) ?? []) {
      const page = this.pages.get(pageId);
      if (page !== undefined) this.unindexPage(page);
    }
    this.pageIdsBySource.delete(id);
    this.sources.delete(id);
    this.sourceOrder.remove(id);
    this.onChange();
    return source;
  }

  /** Creates the page, or updates the one with the same source and external id. */
  upsertPage(write: PageWrite, now: number): UpsertResult {
    const existingId = this.pageIdByKey.get(keyOf(write.source_id, write.external_id));
    const existing = existingId === undefined ? undefined : this.pages.get(existingId);
    if (existing !== undefined) {
      const page = this.applyUpdate(existing, write, now);
      return { page, created: false, changed: page !== existing };
    }
    const agent = write.ai_agent_availability ?? false;
    const page: ExternalPage = {
      type: "external_page",
      id: String(this.nextPageId++),
      title: write.title,
      html: write.html,
      ...(typeof write.url === "string" ? { url: write.url } : {}),
      ai_agent_availability: agent,
      ai_copilot_availability: write.ai_copilot_availability ?? false,
      ai_sales_agent_availability: write.ai_sales_agent_availability ?? false,
      fin_availability: agent,
      locale: "en",
      source_id: write.source_id,
      external_id: write.external_id,
      created_at: now,
      updated_at: now,
      last_ingested_at: now,
    };
    this.indexPage(page);
    this.touchSource(page.source_id, now);
    this.onChange();
    return { page, created: true, changed: true };
  }

  /** Updates a page by id; fails when the new (source, external id) belongs to another page. */
  updatePage(id: string, update: PageUpdate, now: number): ExternalPage | undefined {
    const current = this.pages.get(id);
    if (current === undefined) return undefined;
    const write: PageWrite = { ...update, external_id: update.external_id ?? current.external_id };
    const owner = this.pageIdByKey.get(keyOf(write.source_id, write.external_id));
    if (owner !== undefined && owner !== id) {
      throw new SandboxApiError(400, [
        {
          code: "parameter_invalid",
          message: `external_id ${write.external_id} is already used by page ${owner} of source ${write.source_id}`,
          field: "external_id",
        },
      ]);
    }
    return this.applyUpdate(current, write, now);
  }

  deletePage(id: string, now: number): ExternalPage | undefined {
    const page = this.pages.get(id);
    if (page === undefined) return undefined;
    this.unindexPage(page);
    this.pageIdsBySource.get(page.source_id)?.delete(id);
    this.touchSource(page.source_id, now);
    this.onChange();
    return page;
  }

  /** Forgets everything and restarts the id counters. */
  clear(): void {
    this.sources.clear();
    this.pages.clear();
    this.pageIdByKey.clear();
    this.pageIdsBySource.clear();
    this.sourceOrder.clear();
    this.pageOrder.clear();
    this.nextSourceId = 1;
    this.nextPageId = 1;
    this.onChange();
  }

  snapshot(): SandboxSnapshot {
    return {
      version: 1,
      nextSourceId: this.nextSourceId,
      nextPageId: this.nextPageId,
      sources: this.listSources(),
      pages: this.listPages(),
    };
  }

  /** Replaces the data with a snapshot (from the data file); does not fire `onChange`. */
  load(snapshot: SandboxSnapshot): void {
    this.sources.clear();
    this.pages.clear();
    this.pageIdByKey.clear();
    this.pageIdsBySource.clear();
    this.sourceOrder.clear();
    this.pageOrder.clear();
    for (const source of snapshot.sources) {
      this.sources.set(source.id, source);
      this.sourceOrder.add(source.id);
    }
    for (const page of snapshot.pages) this.indexPage(page);
    // Counters never go back, even when the file was edited by hand.
    let maxSourceId = 0;
    for (const source of snapshot.sources) maxSourceId = Math.max(maxSourceId, source.id);
    let maxPageId = 0;
    for (const page of snapshot.pages) maxPageId = Math.max(maxPageId, Number(page.id));
    this.nextSourceId = Math.max(snapshot.nextSourceId, maxSourceId + 1);
    this.nextPageId = Math.max(snapshot.nextPageId, maxPageId + 1);
  }

  private applyUpdate(current: ExternalPage, write: PageWrite, now: number): ExternalPage {
    const agent = write.ai_agent_availability ?? current.ai_agent_availability;
    const url = write.url === undefined ? current.url : (write.url ?? undefined);
    const next: ExternalPage = {
      type: "external_page",
      id: current.id,
      title: write.title,
      html: write.html,
      ...(url === undefined ? {} : { url }),
      ai_agent_availability: agent,
      ai_copilot_availability: write.ai_copilot_availability ?? current.ai_copilot_availability,
      ai_sales_agent_availability: write.ai_sales_agent_availability ?? current.ai_sales_agent_availability,
      fin_availability: agent,
      locale: "en",
      source_id: write.source_id,
      external_id: write.external_id,
      created_at: current.created_at,
      updated_at: current.updated_at,
      last_ingested_at: current.last_ingested_at,
    };
    if (samePageContent(current, next)) return current;
    next.updated_at = now;
    next.last_ingested_at = now;
    if (next.source_id !== current.source_id || next.external_id !== current.external_id) {
      this.unindexPage(current);
      this.pageIdsBySource.get(current.source_id)?.delete(current.id);
      this.touchSource(current.source_id, now);
    }
    this.indexPage(next);
    this.touchSource(next.source_id, now);
    this.onChange();
    return next;
  }

  private indexPage(page: ExternalPage): void {
    this.pages.set(page.id, page);
    this.pageIdByKey.set(keyOf(page.source_id, page.external_id), page.id);
    let ids = this.pageIdsBySource.get(page.source_id);
    if (ids === undefined) {
      ids = new Set();
      this.pageIdsBySource.set(page.source_id, ids);
    }
    ids.add(page.id);
    this.pageOrder.add(Number(page.id));
  }

  private unindexPage(page: ExternalPage): void {
    this.pages.delete(page.id);
    this.pageIdByKey.delete(keyOf(page.source_id, page.external_id));
    this.pageOrder.remove(Number(page.id));
  }

  private touchSource(id: number, now: number): void {
    const source = this.sources.get(id);
    if (source !== undefined && source.last_synced_at !== now) {
      this.sources.set(id, { ...source, last_synced_at: now });
    }
  }
}

function samePageContent(a: ExternalPage, b: ExternalPage): boolean {
  return (
    a.title === b.title &&
    a.html === b.html &&
    a.url === b.url &&
    a.ai_agent_availability === b.ai_agent_availability &&
    a.ai_copilot_availability === b.ai_copilot_availability &&
    a.ai_sales_agent_availability === b.ai_sales_agent_availability &&
    a.source_id === b.source_id &&
    a.external_id === b.external_id
  );
}
