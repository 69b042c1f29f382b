import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource, toQuery } from "./resource.js";

/** Help Center articles. */
export class ArticlesResource extends Resource {
  /** All articles, page by page. */
  list(options?: RequestOptions): Paginator<T.ArticleListItem, T.ArticleList> {
    return this.paginate(
      "listArticles",
      [],
      { responseSchema: S.ArticleListSchema },
      (page: T.ArticleList) => page.data,
      options,
    );
  }

  create(body: T.CreateArticleRequest, options?: RequestOptions): Promise<T.Article> {
    return this.call(
      "createArticle",
      [],
      { body, requestSchema: S.CreateArticleRequestSchema, responseSchema: S.ArticleSchema },
      options,
    );
  }

  get(id: number | string, options?: RequestOptions): Promise<T.Article> {
    return this.call("retrieveArticle", [id], { responseSchema: S.ArticleSchema }, options);
  }

  update(id: number | string, body: T.UpdateArticleRequest, options?: RequestOptions): Promise<T.Article> {
    return this.call(
      "updateArticle",
      [id],
      { body, requestSchema: S.UpdateArticleRequestSchema, responseSchema: S.ArticleSchema },
      options,
    );
  }

  delete(id: number | string, options?: RequestOptions): Promise<T.DeletedArticleObject> {
    return this.call("deleteArticle", [id], { responseSchema: S.DeletedArticleObjectSchema }, options);
  }

  /** Articles matching `phrase`, page by page (the items are `data.articles`). */
  search(
    query: T.SearchArticlesQuery,
    options?: RequestOptions,
  ): Paginator<T.Article, T.ArticleSearchResponse> {
    return this.paginate(
      "searchArticles",
      [],
      { query: toQuery(query), responseSchema: S.ArticleSearchResponseSchema },
      (page: T.ArticleSearchResponse) => page.data?.articles,
      options,
    );
  }
}
