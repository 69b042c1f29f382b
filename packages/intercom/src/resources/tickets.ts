import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Tickets: create, read, update, reply and search. */
export class TicketsResource extends Resource {
  /** Not retried on 5xx: a second attempt could create a second ticket. */
  create(body: T.CreateTicketRequest, options?: RequestOptions): Promise<T.Ticket> {
    return this.call(
      "createTicket",
      [],
      { body, requestSchema: S.CreateTicketRequestSchema, responseSchema: S.TicketSchema },
      options,
    );
  }

  get(id: string, options?: RequestOptions): Promise<T.Ticket> {
    return this.call("getTicket", [id], { responseSchema: S.TicketSchema }, options);
  }

  update(id: string, body: T.UpdateTicketRequest, options?: RequestOptions): Promise<T.Ticket> {
    return this.call(
      "updateTicket",
      [id],
      { body, requestSchema: S.UpdateTicketRequestSchema, responseSchema: S.TicketSchema },
      options,
    );
  }

  /** Replies as a contact or an admin. Not retried on 5xx: the reply would be posted twice. */
  reply(id: string, body: T.ReplyTicketRequest, options?: RequestOptions): Promise<T.TicketReply> {
    return this.call(
      "replyTicket",
      [id],
      { body, requestSchema: S.ReplyTicketRequestSchema, responseSchema: S.TicketReplySchema },
      options,
    );
  }

  /** Tickets matching `body.query`, following `pages.next.starting_after` in the body. */
  search(body: T.SearchRequest, options?: RequestOptions): Paginator<T.Ticket, T.TicketList> {
    return this.paginate(
      "searchTickets",
      [],
      { body, requestSchema: S.SearchRequestSchema, responseSchema: S.TicketListSchema },
      (page: T.TicketList) => page.tickets,
      options,
    );
  }
}
