import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Ticket types (not paginated). */
export class TicketTypesResource extends Resource {
  list(options?: RequestOptions): Promise<T.TicketTypeList> {
    return this.call("listTicketTypes", [], { responseSchema: S.TicketTypeListSchema }, options);
  }

  create(body: T.CreateTicketTypeRequest, options?: RequestOptions): Promise<T.TicketType> {
    return this.call(
      "createTicketType",
      [],
      { body, requestSchema: S.CreateTicketTypeRequestSchema, responseSchema: S.TicketTypeSchema },
      options,
    );
  }

  get(id: string, options?: RequestOptions): Promise<T.TicketType> {
    return this.call("getTicketType", [id], { responseSchema: S.TicketTypeSchema }, options);
  }

  update(id: string, body: T.UpdateTicketTypeRequest, options?: RequestOptions): Promise<T.TicketType> {
    return this.call(
      "updateTicketType",
      [id],
      { body, requestSchema: S.UpdateTicketTypeRequestSchema, responseSchema: S.TicketTypeSchema },
      options,
    );
  }
}
