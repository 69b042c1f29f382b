import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** The attributes (fields) of a ticket type. */
export class TicketTypeAttributesResource extends Resource {
  create(
    ticketTypeId: string,
    body: T.CreateTicketTypeAttributeRequest,
    options?: RequestOptions,
  ): Promise<T.TicketTypeAttribute> {
    return this.call(
      "createTicketTypeAttribute",
      [ticketTypeId],
      {
        body,
        requestSchema: S.CreateTicketTypeAttributeRequestSchema,
        responseSchema: S.TicketTypeAttributeSchema,
      },
      options,
    );
  }

  update(
    ticketTypeId: string,
    id: string,
    body: T.UpdateTicketTypeAttributeRequest,
    options?: RequestOptions,
  ): Promise<T.TicketTypeAttribute> {
    return this.call(
      "updateTicketTypeAttribute",
      [ticketTypeId, id],
      {
        body,
        requestSchema: S.UpdateTicketTypeAttributeRequestSchema,
        responseSchema: S.TicketTypeAttributeSchema,
      },
      options,
    );
  }
}
