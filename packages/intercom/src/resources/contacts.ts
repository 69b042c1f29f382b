import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Users and leads, and what is attached to them. */
export class ContactsResource extends Resource {
  create(body: T.CreateContactRequest, options?: RequestOptions): Promise<T.CreateContactResponse> {
    return this.call(
      "CreateContact",
      [],
      { body, requestSchema: S.CreateContactRequestSchema, responseSchema: S.CreateContactResponseSchema },
      options,
    );
  }

  get(id: string, options?: RequestOptions): Promise<T.ShowContactResponse> {
    return this.call("ShowContact", [id], { responseSchema: S.ShowContactResponseSchema }, options);
  }

  update(
    id: string,
    body: T.UpdateContactRequest,
    options?: RequestOptions,
  ): Promise<T.UpdateContactResponse> {
    return this.call(
      "UpdateContact",
      [id],
      { body, requestSchema: S.UpdateContactRequestSchema, responseSchema: S.UpdateContactResponseSchema },
      options,
    );
  }

  delete(id: string, options?: RequestOptions): Promise<T.ContactDeleted> {
    return this.call("DeleteContact", [id], { responseSchema: S.ContactDeletedSchema }, options);
  }

  /** Merges the lead `body.from` into the user `body.into`. */
  merge(body: T.MergeContactsRequest, options?: RequestOptions): Promise<T.MergeContactResponse> {
    return this.call(
      "MergeContact",
      [],
      { body, requestSchema: S.MergeContactsRequestSchema, responseSchema: S.MergeContactResponseSchema },
      options,
    );
  }

  /** Contacts matching `body.query`, following `pages.next.starting_after` in the body. */
  search(body: T.SearchRequest, options?: RequestOptions): Paginator<T.Contact, T.ContactList> {
    return this.paginate(
      "SearchContacts",
      [],
      { body, requestSchema: S.SearchRequestSchema, responseSchema: S.ContactListSchema },
      (page: T.ContactList) => page.data,
      options,
    );
  }

  /** Every contact, following the `starting_after` cursor. */
  list(options?: RequestOptions): Paginator<T.Contact, T.ContactList> {
    return this.paginate(
      "ListContacts",
      [],
      { responseSchema: S.ContactListSchema },
      (page: T.ContactList) => page.data,
      options,
    );
  }

  archive(id: string, options?: RequestOptions): Promise<T.ContactArchived> {
    return this.call("ArchiveContact", [id], { responseSchema: S.ContactArchivedSchema }, options);
  }

  unarchive(id: string, options?: RequestOptions): Promise<T.ContactUnarchived> {
    return this.call("UnarchiveContact", [id], { responseSchema: S.ContactUnarchivedSchema }, options);
  }

  /**
   * Companies of the contact, following `pages.next`. The items are `companies` per the spec; Intercom's
   * own example answers with `data`, so both are read.
   */
  listAttachedCompanies(
    id: string,
    options?: RequestOptions,
  ): Paginator<T.Company, T.ContactAttachedCompanies> {
    return this.paginate(
      "listCompaniesForAContact",
      [id],
      { responseSchema: S.ContactAttachedCompaniesSchema },
      (page: T.ContactAttachedCompanies) => page.companies ?? companiesUnderData(page),
      options,
    );
  }

  listAttachedSegments(contactId: string, options?: RequestOptions): Promise<T.ContactSegments> {
    return this.call(
      "listSegmentsForAContact",
      [contactId],
      { responseSchema: S.ContactSegmentsSchema },
      options,
    );
  }

  listAttachedSubscriptions(contactId: string, options?: RequestOptions): Promise<T.SubscriptionTypeList> {
    return this.call(
      "listSubscriptionsForAContact",
      [contactId],
      { responseSchema: S.SubscriptionTypeListSchema },
      options,
    );
  }

  listAttachedTags(contactId: string, options?: RequestOptions): Promise<T.TagList> {
    return this.call("listTagsForAContact", [contactId], { responseSchema: S.TagListSchema }, options);
  }
}

function companiesUnderData(page: T.ContactAttachedCompanies): T.Company[] | undefined {
  const data: unknown = (page as Record<string, unknown>).data;
  return Array.isArray(data) ? (data as T.Company[]) : undefined;
}
