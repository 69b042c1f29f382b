import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Help Centers and their collections. */
export class HelpCenterResource extends Resource {
  listCollections(options?: RequestOptions): Paginator<T.Collection, T.CollectionList> {
    return this.paginate(
      "listAllCollections",
      [],
      { responseSchema: S.CollectionListSchema },
      (page: T.CollectionList) => page.data,
      options,
    );
  }

  createCollection(body: T.CreateCollectionRequest, options?: RequestOptions): Promise<T.Collection> {
    return this.call(
      "createCollection",
      [],
      { body, requestSchema: S.CreateCollectionRequestSchema, responseSchema: S.CollectionSchema },
      options,
    );
  }

  getCollection(id: number | string, options?: RequestOptions): Promise<T.Collection> {
    return this.call("retrieveCollection", [id], { responseSchema: S.CollectionSchema }, options);
  }

  updateCollection(
    id: number | string,
    body: T.UpdateCollectionRequest,
    options?: RequestOptions,
  ): Promise<T.Collection> {
    return this.call(
      "updateCollection",
      [id],
      { body, requestSchema: S.UpdateCollectionRequestSchema, responseSchema: S.CollectionSchema },
      options,
    );
  }

  deleteCollection(id: number | string, options?: RequestOptions): Promise<T.DeletedCollectionObject> {
    return this.call("deleteCollection", [id], { responseSchema: S.DeletedCollectionObjectSchema }, options);
  }

  getHelpCenter(id: number | string, options?: RequestOptions): Promise<T.HelpCenter> {
    return this.call("retrieveHelpCenter", [id], { responseSchema: S.HelpCenterSchema }, options);
  }

  /** All Help Centers of the workspace (not paginated in 2.12). */
  listHelpCenters(options?: RequestOptions): Promise<T.HelpCenterList> {
    return this.call("listHelpCenters", [], { responseSchema: S.HelpCenterListSchema }, options);
  }
}
