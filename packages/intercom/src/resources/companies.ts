import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource, toQuery } from "./resource.js";

/** Companies, and which contacts and segments they have. */
export class CompaniesResource extends Resource {
  /** Creates the company or updates the one with this `company_id` (an upsert, so retried on 5xx). */
  createOrUpdate(body: T.CreateOrUpdateCompanyRequest, options?: RequestOptions): Promise<T.Company> {
    return this.call(
      "createOrUpdateCompany",
      [],
      { body, requestSchema: S.CreateOrUpdateCompanyRequestSchema, responseSchema: S.CompanySchema },
      options,
    );
  }

  /** Companies matching `name`, `company_id`, `tag_id` or `segment_id`, page by page. */
  find(query: T.RetrieveCompanyQuery, options?: RequestOptions): Paginator<T.Company, T.CompanyList> {
    return this.paginate(
      "retrieveCompany",
      [],
      { query: toQuery(query), responseSchema: S.CompanyListSchema },
      (page: T.CompanyList) => page.data,
      options,
    );
  }

  /** One company by Intercom's id (not the `company_id` you assigned). */
  get(id: string, options?: RequestOptions): Promise<T.Company> {
    return this.call("RetrieveACompanyById", [id], { responseSchema: S.CompanySchema }, options);
  }

  /** `PUT /companies/{id}`; the 2.12 spec defines no body for it. */
  update(id: string, options?: RequestOptions): Promise<T.Company> {
    return this.call("UpdateCompany", [id], { responseSchema: S.CompanySchema }, options);
  }

  delete(id: string, options?: RequestOptions): Promise<T.DeletedCompanyObject> {
    return this.call("deleteCompany", [id], { responseSchema: S.DeletedCompanyObjectSchema }, options);
  }

  listAttachedContacts(
    id: string,
    options?: RequestOptions,
  ): Paginator<T.Contact, T.CompanyAttachedContacts> {
    return this.paginate(
      "ListAttachedContacts",
      [id],
      { responseSchema: S.CompanyAttachedContactsSchema },
      (page: T.CompanyAttachedContacts) => page.data,
      options,
    );
  }

  /** Segments the company belongs to (not paginated). */
  listAttachedSegments(id: string, options?: RequestOptions): Promise<T.CompanyAttachedSegments> {
    return this.call(
      "ListAttachedSegmentsForCompanies",
      [id],
      { responseSchema: S.CompanyAttachedSegmentsSchema },
      options,
    );
  }

  /** Every company, page by page (`POST /companies/list`; a read, so retried like a GET). */
  list(query?: T.ListAllCompaniesQuery, options?: RequestOptions): Paginator<T.Company, T.CompanyList> {
    return this.paginate(
      "listAllCompanies",
      [],
      { query: toQuery(query), responseSchema: S.CompanyListSchema },
      (page: T.CompanyList) => page.data,
      options,
    );
  }

  /**
   * Every company through the scroll API, for workspaces past the 10,000 companies `list` can reach.
   * Hazard: Intercom allows one scroll per workspace at a time, open until a minute after its last page.
   */
  scroll(options?: RequestOptions): Paginator<T.Company, T.CompanyScroll> {
    return this.paginate(
      "scrollOverAllCompanies",
      [],
      { responseSchema: S.CompanyScrollSchema },
      (page: T.CompanyScroll) => page?.data,
      options,
    );
  }

  /** Attaches the contact to the company `body.id` (attaching twice changes nothing, so retried on 5xx). */
  attachContact(
    contactId: string,
    body: T.AttachContactToACompanyRequest,
    options?: RequestOptions,
  ): Promise<T.Company> {
    return this.call(
      "attachContactToACompany",
      [contactId],
      { body, requestSchema: S.AttachContactToACompanyRequestSchema, responseSchema: S.CompanySchema },
      options,
    );
  }

  detachContact(contactId: string, companyId: string, options?: RequestOptions): Promise<T.Company> {
    return this.call(
      "detachContactFromACompany",
      [contactId, companyId],
      { responseSchema: S.CompanySchema },
      options,
    );
  }
}
