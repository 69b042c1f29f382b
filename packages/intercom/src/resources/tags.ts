import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Tags, and tagging contacts, companies, conversations and tickets. */
export class TagsResource extends Resource {
  list(options?: RequestOptions): Promise<T.TagList> {
    return this.call("listTags", [], { responseSchema: S.TagListSchema }, options);
  }

  /**
   * Creates or renames a tag, or tags/untags companies or users in bulk. Every form is keyed by name
   * or id, so repeating it changes nothing and it is retried on 5xx.
   */
  create(body: T.CreateTagRequest, options?: RequestOptions): Promise<T.TagBasic> {
    return this.call(
      "createTag",
      [],
      { body, requestSchema: S.CreateTagRequestSchema, responseSchema: S.TagBasicSchema },
      options,
    );
  }

  get(id: string, options?: RequestOptions): Promise<T.TagBasic> {
    return this.call("findTag", [id], { responseSchema: S.TagBasicSchema }, options);
  }

  /** Deletes the tag; Intercom answers with no body. */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.call<unknown>("deleteTag", [id], {}, options);
  }

  tagContact(contactId: string, body: T.AttachTagToContactRequest, options?: RequestOptions): Promise<T.Tag> {
    return this.call(
      "attachTagToContact",
      [contactId],
      { body, requestSchema: S.AttachTagToContactRequestSchema, responseSchema: S.TagSchema },
      options,
    );
  }

  untagContact(contactId: string, tagId: string, options?: RequestOptions): Promise<T.Tag> {
    return this.call("detachTagFromContact", [contactId, tagId], { responseSchema: S.TagSchema }, options);
  }

  tagConversation(
    conversationId: string,
    body: T.AttachTagToConversationRequest,
    options?: RequestOptions,
  ): Promise<T.Tag> {
    return this.call(
      "attachTagToConversation",
      [conversationId],
      { body, requestSchema: S.AttachTagToConversationRequestSchema, responseSchema: S.TagSchema },
      options,
    );
  }

  untagConversation(
    conversationId: string,
    tagId: string,
    body: T.DetachTagFromConversationRequest,
    options?: RequestOptions,
  ): Promise<T.Tag> {
    return this.call(
      "detachTagFromConversation",
      [conversationId, tagId],
      { body, requestSchema: S.DetachTagFromConversationRequestSchema, responseSchema: S.TagSchema },
      options,
    );
  }

  tagTicket(ticketId: string, body: T.AttachTagToTicketRequest, options?: RequestOptions): Promise<T.Tag> {
    return this.call(
      "attachTagToTicket",
      [ticketId],
      { body, requestSchema: S.AttachTagToTicketRequestSchema, responseSchema: S.TagSchema },
      options,
    );
  }

  untagTicket(
    ticketId: string,
    tagId: string,
    body: T.DetachTagFromTicketRequest,
    options?: RequestOptions,
  ): Promise<T.Tag> {
    return this.call(
      "detachTagFromTicket",
      [ticketId, tagId],
      { body, requestSchema: S.DetachTagFromTicketRequestSchema, responseSchema: S.TagSchema },
      options,
    );
  }
}
