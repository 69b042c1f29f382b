import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Fin's AI Content library: Content Import Sources and the External Pages inside them. */
export class AiContentResource extends Resource {
  /** All Content Import Sources, following `pages.next`. */
  listContentImportSources(
    options?: RequestOptions,
  ): Paginator<T.ContentImportSource, T.ContentImportSourcesList> {
    return this.paginate(
      "listContentImportSources",
      [],
      { responseSchema: S.ContentImportSourcesListSchema },
      (page: T.ContentImportSourcesList) => page.data,
      options,
    );
  }

  /** Creates a source. Not retried on 5xx: a second attempt could create a duplicate source. */
  createContentImportSource(
    body: T.CreateContentImportSourceRequest,
    options?: RequestOptions,
  ): Promise<T.ContentImportSource> {
    return this.call(
      "createContentImportSource",
      [],
      {
        body,
        requestSchema: S.CreateContentImportSourceRequestSchema,
        responseSchema: S.ContentImportSourceSchema,
      },
      options,
    );
  }

  getContentImportSource(id: number | string, options?: RequestOptions): Promise<T.ContentImportSource> {
    return this.call(
      "getContentImportSource",
      [id],
      { responseSchema: S.ContentImportSourceSchema },
      options,
    );
  }

  updateContentImportSource(
    id: number | string,
    body: T.UpdateContentImportSourceRequest,
    options?: RequestOptions,
  ): Promise<T.ContentImportSource> {
    return this.call(
      "updateContentImportSource",
      [id],
      {
        body,
        requestSchema: S.UpdateContentImportSourceRequestSchema,
        responseSchema: S.ContentImportSourceSchema,
      },
      options,
    );
  }

  /** Deletes the source and, at Intercom, every External Page in it. */
  async deleteContentImportSource(id: number | string, options?: RequestOptions): Promise<void> {
    await this.call<unknown>("deleteContentImportSource", [id], {}, options);
  }

  /** All External Pages of the workspace, following `pages.next`. */
  listExternalPages(options?: RequestOptions): Paginator<T.ExternalPage, T.ExternalPagesList> {
    return this.paginate(
      "listExternalPages",
      [],
      { responseSchema: S.ExternalPagesListSchema },
      (page: T.ExternalPagesList) => page.data,
      options,
    );
  }

  /**
   * Creates or updates the page with this `source_id` + `external_id` (Intercom upserts, answering 200
   * either way), so it is retried on 5xx and network errors.
   */
  createExternalPage(body: T.CreateExternalPageRequest, options?: RequestOptions): Promise<T.ExternalPage> {
    return this.call(
      "createExternalPage",
      [],
      { body, requestSchema: S.CreateExternalPageRequestSchema, responseSchema: S.ExternalPageSchema },
      options,
    );
  }

  getExternalPage(id: string, options?: RequestOptions): Promise<T.ExternalPage> {
    return this.call("getExternalPage", [id], { responseSchema: S.ExternalPageSchema }, options);
  }

  updateExternalPage(
    id: string,
    body: T.UpdateExternalPageRequest,
    options?: RequestOptions,
  ): Promise<T.ExternalPage> {
    return this.call(
      "updateExternalPage",
      [id],
      { body, requestSchema: S.UpdateExternalPageRequestSchema, responseSchema: S.ExternalPageSchema },
      options,
    );
  }

  /** Deletes the page; Intercom answers with the deleted page. */
  deleteExternalPage(id: string, options?: RequestOptions): Promise<T.ExternalPage> {
    return this.call("deleteExternalPage", [id], { responseSchema: S.ExternalPageSchema }, options);
  }
}
