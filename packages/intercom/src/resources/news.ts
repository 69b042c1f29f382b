import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** News items and the newsfeeds they are published in. */
export class NewsResource extends Resource {
  listItems(options?: RequestOptions): Paginator<T.NewsItem, T.PaginatedResponse> {
    return this.paginate(
      "listNewsItems",
      [],
      { responseSchema: S.PaginatedResponseSchema },
      (page: T.PaginatedResponse) => page.data as T.NewsItem[] | undefined,
      options,
    );
  }

  createItem(body: T.NewsItemRequest, options?: RequestOptions): Promise<T.NewsItem> {
    return this.call(
      "createNewsItem",
      [],
      { body, requestSchema: S.NewsItemRequestSchema, responseSchema: S.NewsItemSchema },
      options,
    );
  }

  getItem(id: number | string, options?: RequestOptions): Promise<T.NewsItem> {
    return this.call("retrieveNewsItem", [id], { responseSchema: S.NewsItemSchema }, options);
  }

  updateItem(id: number | string, body: T.NewsItemRequest, options?: RequestOptions): Promise<T.NewsItem> {
    return this.call(
      "updateNewsItem",
      [id],
      { body, requestSchema: S.NewsItemRequestSchema, responseSchema: S.NewsItemSchema },
      options,
    );
  }

  deleteItem(id: number | string, options?: RequestOptions): Promise<T.DeletedObject> {
    return this.call("deleteNewsItem", [id], { responseSchema: S.DeletedObjectSchema }, options);
  }

  /** The items currently live in one newsfeed. */
  listLiveNewsfeedItems(
    newsfeedId: string,
    options?: RequestOptions,
  ): Paginator<T.NewsItem, T.PaginatedResponse> {
    return this.paginate(
      "listLiveNewsfeedItems",
      [newsfeedId],
      { responseSchema: S.PaginatedResponseSchema },
      (page: T.PaginatedResponse) => page.data as T.NewsItem[] | undefined,
      options,
    );
  }

  listNewsfeeds(options?: RequestOptions): Paginator<T.Newsfeed, T.PaginatedResponse> {
    return this.paginate(
      "listNewsfeeds",
      [],
      { responseSchema: S.PaginatedResponseSchema },
      (page: T.PaginatedResponse) => page.data as T.Newsfeed[] | undefined,
      options,
    );
  }

  getNewsfeed(id: string, options?: RequestOptions): Promise<T.Newsfeed> {
    return this.call("retrieveNewsfeed", [id], { responseSchema: S.NewsfeedSchema }, options);
  }
}
