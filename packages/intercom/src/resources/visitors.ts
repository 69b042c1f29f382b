import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource, toQuery } from "./resource.js";

/** Anonymous Messenger visitors, and turning them into contacts. */
export class VisitorsResource extends Resource {
  update(body: T.UpdateVisitorRequest, options?: RequestOptions): Promise<T.Visitor> {
    return this.call(
      "updateVisitor",
      [],
      { body, requestSchema: S.UpdateVisitorRequestSchema, responseSchema: S.VisitorSchema },
      options,
    );
  }

  /** The visitor with this `user_id` (`GET /visitors?user_id=…`). */
  findByUserId(query: T.RetrieveVisitorWithUserIdQuery, options?: RequestOptions): Promise<T.Visitor> {
    return this.call(
      "retrieveVisitorWithUserId",
      [],
      { query: toQuery(query), responseSchema: S.VisitorSchema },
      options,
    );
  }

  /** Converts the visitor into a user or lead (or merges it into an existing user). */
  convert(body: T.ConvertVisitorRequest, options?: RequestOptions): Promise<T.Contact> {
    return this.call(
      "convertVisitor",
      [],
      { body, requestSchema: S.ConvertVisitorRequestSchema, responseSchema: S.ContactSchema },
      options,
    );
  }
}
