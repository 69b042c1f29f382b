import type { RequestOptions } from "@content-sync/intercom";

/** The fields of an External Page the engine reads. */
export interface ExternalPageView {
  id: string;
  external_id: string;
  source_id: number;
  title: string;
  html: string;
  url?: string | null;
  locale?: string;
  ai_agent_availability: boolean;
  ai_copilot_availability: boolean;
}

/** The fields of a Content Import Source the engine reads. */
export interface ContentImportSourceView {
  id: number;
  url: string;
  sync_behavior?: string;
  status?: string;
}

/** What `POST /ai/external_pages` receives. Both availability flags are always sent: they do not default on update. */
export interface ExternalPagePayload {
  title: string;
  html: string;
  url?: string;
  locale: "en";
  source_id: number;
  external_id: string;
  ai_agent_availability: boolean;
  ai_copilot_availability: boolean;
}

/**
 * The AI Content calls the engine makes. `IntercomClient` from `@content-sync/intercom` satisfies it;
 * the engine depends on this narrow shape so it states exactly which endpoints a sync touches.
 */
export interface AiContentApi {
  listContentImportSources(options?: RequestOptions): AsyncIterable<ContentImportSourceView>;
  getContentImportSource(id: number, options?: RequestOptions): Promise<ContentImportSourceView>;
  createContentImportSource(
    body: { url: string; sync_behavior: "api" },
    options?: RequestOptions,
  ): Promise<ContentImportSourceView>;
  listExternalPages(options?: RequestOptions): AsyncIterable<ExternalPageView>;
  createExternalPage(body: ExternalPagePayload, options?: RequestOptions): Promise<ExternalPageView>;
  deleteExternalPage(id: string, options?: RequestOptions): Promise<unknown>;
  deleteContentImportSource(id: number, options?: RequestOptions): Promise<unknown>;
}

export interface SyncClient {
  aiContent: AiContentApi;
}
