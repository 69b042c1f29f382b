import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource, toQuery } from "./resource.js";

/** Data attributes of contacts, companies and conversations. */
export class DataAttributesResource extends Resource {
  /** All data attributes of a model (not paginated). The spec's operationId is `lisDataAttributes`. */
  list(query?: T.LisDataAttributesQuery, options?: RequestOptions): Promise<T.DataAttributeList> {
    return this.call(
      "lisDataAttributes",
      [],
      { query: toQuery(query), responseSchema: S.DataAttributeListSchema },
      options,
    );
  }

  create(body: T.CreateDataAttributeRequest, options?: RequestOptions): Promise<T.DataAttribute> {
    return this.call(
      "createDataAttribute",
      [],
      { body, requestSchema: S.CreateDataAttributeRequestSchema, responseSchema: S.DataAttributeSchema },
      options,
    );
  }

  update(
    id: number | string,
    body: T.UpdateDataAttributeRequest,
    options?: RequestOptions,
  ): Promise<T.DataAttribute> {
    return this.call(
      "updateDataAttribute",
      [id],
      { body, requestSchema: S.UpdateDataAttributeRequestSchema, responseSchema: S.DataAttributeSchema },
      options,
    );
  }
}
