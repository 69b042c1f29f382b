import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource, toQuery } from "./resource.js";

/** Conversations: listing, searching, replying and managing their state. */
export class ConversationsResource extends Resource {
  /** Every conversation, newest first, following the `starting_after` cursor. */
  list(
    query?: T.ListConversationsQuery,
    options?: RequestOptions,
  ): Paginator<T.ConversationListItem, T.PaginatedResponse> {
    return this.paginate(
      "listConversations",
      [],
      { query: toQuery(query), responseSchema: S.PaginatedResponseSchema },
      (page: T.PaginatedResponse) => conversationsOf(page),
      options,
    );
  }

  /** Starts a conversation initiated by a contact. Not retried on 5xx: it would post the message twice. */
  create(body: T.CreateConversationRequest, options?: RequestOptions): Promise<T.Message> {
    return this.call(
      "createConversation",
      [],
      { body, requestSchema: S.CreateConversationRequestSchema, responseSchema: S.MessageSchema },
      options,
    );
  }

  get(
    id: number | string,
    query?: T.RetrieveConversationQuery,
    options?: RequestOptions,
  ): Promise<T.Conversation> {
    return this.call(
      "retrieveConversation",
      [id],
      { query: toQuery(query), responseSchema: S.ConversationSchema },
      options,
    );
  }

  update(
    id: number | string,
    body: T.UpdateConversationRequest,
    query?: T.UpdateConversationQuery,
    options?: RequestOptions,
  ): Promise<T.Conversation> {
    return this.call(
      "updateConversation",
      [id],
      {
        body,
        query: toQuery(query),
        requestSchema: S.UpdateConversationRequestSchema,
        responseSchema: S.ConversationSchema,
      },
      options,
    );
  }

  /** Conversations matching `body.query`, following `pages.next.starting_after` in the body. */
  search(
    body: T.SearchRequest,
    options?: RequestOptions,
  ): Paginator<T.ConversationListItem, T.ConversationList> {
    return this.paginate(
      "searchConversations",
      [],
      { body, requestSchema: S.SearchRequestSchema, responseSchema: S.ConversationListSchema },
      (page: T.ConversationList) => page.conversations,
      options,
    );
  }

  /** Replies as a contact or an admin. Not retried on 5xx: the reply would be posted twice. */
  reply(id: string, body: T.ReplyConversationRequest, options?: RequestOptions): Promise<T.Conversation> {
    return this.call(
      "replyConversation",
      [id],
      { body, requestSchema: S.ReplyConversationRequestSchema, responseSchema: S.ConversationSchema },
      options,
    );
  }

  /** Closes, snoozes, opens or assigns the conversation. */
  manage(id: string, body: T.ManageConversationRequest, options?: RequestOptions): Promise<T.Conversation> {
    return this.call(
      "manageConversation",
      [id],
      { body, requestSchema: S.ManageConversationRequestSchema, responseSchema: S.ConversationSchema },
      options,
    );
  }

  attachContact(
    id: string,
    body: T.AttachContactToConversationRequest,
    options?: RequestOptions,
  ): Promise<T.Conversation> {
    return this.call(
      "attachContactToConversation",
      [id],
      {
        body,
        requestSchema: S.AttachContactToConversationRequestSchema,
        responseSchema: S.ConversationSchema,
      },
      options,
    );
  }

  detachContact(
    conversationId: string,
    contactId: string,
    body: T.DetachContactFromConversationRequest,
    options?: RequestOptions,
  ): Promise<T.Conversation> {
    return this.call(
      "detachContactFromConversation",
      [conversationId, contactId],
      {
        body,
        requestSchema: S.DetachContactFromConversationRequestSchema,
        responseSchema: S.ConversationSchema,
      },
      options,
    );
  }

  /** Redacts a conversation part or source (redacting twice leaves the same result, so retried on 5xx). */
  redact(body: T.RedactConversationRequest, options?: RequestOptions): Promise<T.Conversation> {
    return this.call(
      "redactConversation",
      [],
      { body, requestSchema: S.RedactConversationRequestSchema, responseSchema: S.ConversationSchema },
      options,
    );
  }

  convertToTicket(
    id: number | string,
    body: T.ConvertConversationToTicketRequest,
    options?: RequestOptions,
  ): Promise<T.Ticket> {
    return this.call(
      "convertConversationToTicket",
      [id],
      {
        body,
        requestSchema: S.ConvertConversationToTicketRequestSchema,
        responseSchema: S.TicketSchema,
      },
      options,
    );
  }
}

/**
 * `GET /conversations` answers with `conversations` (its example and the live API), though the spec
 * points its schema at the shared paginated response whose items sit under `data`.
 */
function conversationsOf(page: T.PaginatedResponse): T.ConversationListItem[] | undefined {
  const record = page as Record<string, unknown>;
  const items = record.conversations ?? record.data;
  return Array.isArray(items) ? (items as T.ConversationListItem[]) : undefined;
}
