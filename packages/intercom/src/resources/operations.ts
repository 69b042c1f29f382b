/**
 * The explicit map from every operationId of Intercom's OpenAPI 2.12 spec to the client method that
 * calls it. Resource methods read their HTTP method, path template, pagination style and retry safety
 * from here, the operations table in the README is printed from it, and a test fails when an operation
 * of the spec has no entry (or an entry names a method the client lacks).
 */

/** Resource getters of `IntercomClient`. */
export type ResourceName =
  | "admins"
  | "aiContent"
  | "articles"
  | "helpCenter"
  | "companies"
  | "contacts"
  | "conversations"
  | "dataAttributes"
  | "dataEvents"
  | "dataExport"
  | "messages"
  | "news"
  | "notes"
  | "segments"
  | "subscriptionTypes"
  | "switch"
  | "tags"
  | "teams"
  | "ticketStates"
  | "ticketTypeAttributes"
  | "ticketTypes"
  | "tickets"
  | "visitors";

/** How a list operation pages; see `core/pagination.ts`. Absent for single-object and unpaged answers. */
export type PaginationStyle = "nextUrl" | "cursor" | "pageNumbers" | "scroll" | "search";

export interface OperationSpec {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path template as in the spec; `{name}` placeholders are filled in order from positional arguments. */
  readonly path: string;
  readonly resource: ResourceName;
  readonly clientMethod: string;
  readonly pagination?: PaginationStyle;
  /** A POST that is safe to repeat (an upsert, a read-only search, attaching what may be attached). */
  readonly idempotent?: boolean;
}

export const OPERATIONS = {
  identifyAdmin: { method: "GET", path: "/me", resource: "admins", clientMethod: "identify" },
  setAwayAdmin: { method: "PUT", path: "/admins/{id}/away", resource: "admins", clientMethod: "setAway" },
  listActivityLogs: {
    method: "GET",
    path: "/admins/activity_logs",
    resource: "admins",
    clientMethod: "listActivityLogs",
    pagination: "pageNumbers",
  },
  listAdmins: { method: "GET", path: "/admins", resource: "admins", clientMethod: "list" },
  retrieveAdmin: { method: "GET", path: "/admins/{id}", resource: "admins", clientMethod: "get" },
  listContentImportSources: {
    method: "GET",
    path: "/ai/content_import_sources",
    resource: "aiContent",
    clientMethod: "listContentImportSources",
    pagination: "nextUrl",
  },
  createContentImportSource: {
    method: "POST",
    path: "/ai/content_import_sources",
    resource: "aiContent",
    clientMethod: "createContentImportSource",
  },
  deleteContentImportSource: {
    method: "DELETE",
    path: "/ai/content_import_sources/{id}",
    resource: "aiContent",
    clientMethod: "deleteContentImportSource",
  },
  getContentImportSource: {
    method: "GET",
    path: "/ai/content_import_sources/{id}",
    resource: "aiContent",
    clientMethod: "getContentImportSource",
  },
  updateContentImportSource: {
    method: "PUT",
    path: "/ai/content_import_sources/{id}",
    resource: "aiContent",
    clientMethod: "updateContentImportSource",
  },
  listExternalPages: {
    method: "GET",
    path: "/ai/external_pages",
    resource: "aiContent",
    clientMethod: "listExternalPages",
    pagination: "nextUrl",
  },
  createExternalPage: {
    method: "POST",
    path: "/ai/external_pages",
    resource: "aiContent",
    clientMethod: "createExternalPage",
    idempotent: true,
  },
  deleteExternalPage: {
    method: "DELETE",
    path: "/ai/external_pages/{id}",
    resource: "aiContent",
    clientMethod: "deleteExternalPage",
  },
  getExternalPage: {
    method: "GET",
    path: "/ai/external_pages/{id}",
    resource: "aiContent",
    clientMethod: "getExternalPage",
  },
  updateExternalPage: {
    method: "PUT",
    path: "/ai/external_pages/{id}",
    resource: "aiContent",
    clientMethod: "updateExternalPage",
  },
  listArticles: {
    method: "GET",
    path: "/articles",
    resource: "articles",
    clientMethod: "list",
    pagination: "pageNumbers",
  },
  createArticle: { method: "POST", path: "/articles", resource: "articles", clientMethod: "create" },
  retrieveArticle: { method: "GET", path: "/articles/{id}", resource: "articles", clientMethod: "get" },
  updateArticle: { method: "PUT", path: "/articles/{id}", resource: "articles", clientMethod: "update" },
  deleteArticle: { method: "DELETE", path: "/articles/{id}", resource: "articles", clientMethod: "delete" },
  searchArticles: {
    method: "GET",
    path: "/articles/search",
    resource: "articles",
    clientMethod: "search",
    pagination: "pageNumbers",
  },
  listAllCollections: {
    method: "GET",
    path: "/help_center/collections",
    resource: "helpCenter",
    clientMethod: "listCollections",
    pagination: "pageNumbers",
  },
  createCollection: {
    method: "POST",
    path: "/help_center/collections",
    resource: "helpCenter",
    clientMethod: "createCollection",
  },
  retrieveCollection: {
    method: "GET",
    path: "/help_center/collections/{id}",
    resource: "helpCenter",
    clientMethod: "getCollection",
  },
  updateCollection: {
    method: "PUT",
    path: "/help_center/collections/{id}",
    resource: "helpCenter",
    clientMethod: "updateCollection",
  },
  deleteCollection: {
    method: "DELETE",
    path: "/help_center/collections/{id}",
    resource: "helpCenter",
    clientMethod: "deleteCollection",
  },
  retrieveHelpCenter: {
    method: "GET",
    path: "/help_center/help_centers/{id}",
    resource: "helpCenter",
    clientMethod: "getHelpCenter",
  },
  listHelpCenters: {
    method: "GET",
    path: "/help_center/help_centers",
    resource: "helpCenter",
    clientMethod: "listHelpCenters",
  },
  createOrUpdateCompany: {
    method: "POST",
    path: "/companies",
    resource: "companies",
    clientMethod: "createOrUpdate",
    idempotent: true,
  },
  retrieveCompany: {
    method: "GET",
    path: "/companies",
    resource: "companies",
    clientMethod: "find",
    pagination: "pageNumbers",
  },
  RetrieveACompanyById: {
    method: "GET",
    path: "/companies/{id}",
    resource: "companies",
    clientMethod: "get",
  },
  UpdateCompany: { method: "PUT", path: "/companies/{id}", resource: "companies", clientMethod: "update" },
  deleteCompany: { method: "DELETE", path: "/companies/{id}", resource: "companies", clientMethod: "delete" },
  ListAttachedContacts: {
    method: "GET",
    path: "/companies/{id}/contacts",
    resource: "companies",
    clientMethod: "listAttachedContacts",
    pagination: "pageNumbers",
  },
  ListAttachedSegmentsForCompanies: {
    method: "GET",
    path: "/companies/{id}/segments",
    resource: "companies",
    clientMethod: "listAttachedSegments",
  },
  listAllCompanies: {
    method: "POST",
    path: "/companies/list",
    resource: "companies",
    clientMethod: "list",
    pagination: "pageNumbers",
    idempotent: true,
  },
  scrollOverAllCompanies: {
    method: "GET",
    path: "/companies/scroll",
    resource: "companies",
    clientMethod: "scroll",
    pagination: "scroll",
  },
  attachContactToACompany: {
    method: "POST",
    path: "/contacts/{id}/companies",
    resource: "companies",
    clientMethod: "attachContact",
    idempotent: true,
  },
  listCompaniesForAContact: {
    method: "GET",
    path: "/contacts/{id}/companies",
    resource: "contacts",
    clientMethod: "listAttachedCompanies",
    pagination: "nextUrl",
  },
  detachContactFromACompany: {
    method: "DELETE",
    path: "/contacts/{contact_id}/companies/{id}",
    resource: "companies",
    clientMethod: "detachContact",
  },
  listNotes: {
    method: "GET",
    path: "/contacts/{id}/notes",
    resource: "notes",
    clientMethod: "list",
    pagination: "pageNumbers",
  },
  createNote: { method: "POST", path: "/contacts/{id}/notes", resource: "notes", clientMethod: "create" },
  listSegmentsForAContact: {
    method: "GET",
    path: "/contacts/{contact_id}/segments",
    resource: "contacts",
    clientMethod: "listAttachedSegments",
  },
  listSubscriptionsForAContact: {
    method: "GET",
    path: "/contacts/{contact_id}/subscriptions",
    resource: "contacts",
    clientMethod: "listAttachedSubscriptions",
  },
  attachSubscriptionTypeToContact: {
    method: "POST",
    path: "/contacts/{contact_id}/subscriptions",
    resource: "subscriptionTypes",
    clientMethod: "attachToContact",
    idempotent: true,
  },
  detachSubscriptionTypeToContact: {
    method: "DELETE",
    path: "/contacts/{contact_id}/subscriptions/{id}",
    resource: "subscriptionTypes",
    clientMethod: "detachFromContact",
  },
  listTagsForAContact: {
    method: "GET",
    path: "/contacts/{contact_id}/tags",
    resource: "contacts",
    clientMethod: "listAttachedTags",
  },
  attachTagToContact: {
    method: "POST",
    path: "/contacts/{contact_id}/tags",
    resource: "tags",
    clientMethod: "tagContact",
    idempotent: true,
  },
  detachTagFromContact: {
    method: "DELETE",
    path: "/contacts/{contact_id}/tags/{id}",
    resource: "tags",
    clientMethod: "untagContact",
  },
  UpdateContact: { method: "PUT", path: "/contacts/{id}", resource: "contacts", clientMethod: "update" },
  ShowContact: { method: "GET", path: "/contacts/{id}", resource: "contacts", clientMethod: "get" },
  DeleteContact: { method: "DELETE", path: "/contacts/{id}", resource: "contacts", clientMethod: "delete" },
  MergeContact: { method: "POST", path: "/contacts/merge", resource: "contacts", clientMethod: "merge" },
  SearchContacts: {
    method: "POST",
    path: "/contacts/search",
    resource: "contacts",
    clientMethod: "search",
    pagination: "search",
    idempotent: true,
  },
  ListContacts: {
    method: "GET",
    path: "/contacts",
    resource: "contacts",
    clientMethod: "list",
    pagination: "cursor",
  },
  CreateContact: { method: "POST", path: "/contacts", resource: "contacts", clientMethod: "create" },
  ArchiveContact: {
    method: "POST",
    path: "/contacts/{id}/archive",
    resource: "contacts",
    clientMethod: "archive",
    idempotent: true,
  },
  UnarchiveContact: {
    method: "POST",
    path: "/contacts/{id}/unarchive",
    resource: "contacts",
    clientMethod: "unarchive",
    idempotent: true,
  },
  attachTagToConversation: {
    method: "POST",
    path: "/conversations/{conversation_id}/tags",
    resource: "tags",
    clientMethod: "tagConversation",
    idempotent: true,
  },
  detachTagFromConversation: {
    method: "DELETE",
    path: "/conversations/{conversation_id}/tags/{id}",
    resource: "tags",
    clientMethod: "untagConversation",
  },
  listConversations: {
    method: "GET",
    path: "/conversations",
    resource: "conversations",
    clientMethod: "list",
    pagination: "cursor",
  },
  createConversation: {
    method: "POST",
    path: "/conversations",
    resource: "conversations",
    clientMethod: "create",
  },
  retrieveConversation: {
    method: "GET",
    path: "/conversations/{id}",
    resource: "conversations",
    clientMethod: "get",
  },
  updateConversation: {
    method: "PUT",
    path: "/conversations/{id}",
    resource: "conversations",
    clientMethod: "update",
  },
  searchConversations: {
    method: "POST",
    path: "/conversations/search",
    resource: "conversations",
    clientMethod: "search",
    pagination: "search",
    idempotent: true,
  },
  replyConversation: {
    method: "POST",
    path: "/conversations/{id}/reply",
    resource: "conversations",
    clientMethod: "reply",
  },
  manageConversation: {
    method: "POST",
    path: "/conversations/{id}/parts",
    resource: "conversations",
    clientMethod: "manage",
  },
  attachContactToConversation: {
    method: "POST",
    path: "/conversations/{id}/customers",
    resource: "conversations",
    clientMethod: "attachContact",
  },
  detachContactFromConversation: {
    method: "DELETE",
    path: "/conversations/{conversation_id}/customers/{contact_id}",
    resource: "conversations",
    clientMethod: "detachContact",
  },
  redactConversation: {
    method: "POST",
    path: "/conversations/redact",
    resource: "conversations",
    clientMethod: "redact",
    idempotent: true,
  },
  convertConversationToTicket: {
    method: "POST",
    path: "/conversations/{id}/convert",
    resource: "conversations",
    clientMethod: "convertToTicket",
  },
  lisDataAttributes: {
    method: "GET",
    path: "/data_attributes",
    resource: "dataAttributes",
    clientMethod: "list",
  },
  createDataAttribute: {
    method: "POST",
    path: "/data_attributes",
    resource: "dataAttributes",
    clientMethod: "create",
  },
  updateDataAttribute: {
    method: "PUT",
    path: "/data_attributes/{id}",
    resource: "dataAttributes",
    clientMethod: "update",
  },
  createDataEvent: { method: "POST", path: "/events", resource: "dataEvents", clientMethod: "create" },
  lisDataEvents: {
    method: "GET",
    path: "/events",
    resource: "dataEvents",
    clientMethod: "list",
    pagination: "nextUrl",
  },
  dataEventSummaries: {
    method: "POST",
    path: "/events/summaries",
    resource: "dataEvents",
    clientMethod: "createSummaries",
  },
  createDataExport: {
    method: "POST",
    path: "/export/content/data",
    resource: "dataExport",
    clientMethod: "create",
  },
  getDataExport: {
    method: "GET",
    path: "/export/content/data/{job_identifier}",
    resource: "dataExport",
    clientMethod: "get",
  },
  cancelDataExport: {
    method: "POST",
    path: "/export/cancel/{job_identifier}",
    resource: "dataExport",
    clientMethod: "cancel",
    idempotent: true,
  },
  downloadDataExport: {
    method: "GET",
    path: "/download/content/data/{job_identifier}",
    resource: "dataExport",
    clientMethod: "download",
  },
  createMessage: { method: "POST", path: "/messages", resource: "messages", clientMethod: "create" },
  listNewsItems: {
    method: "GET",
    path: "/news/news_items",
    resource: "news",
    clientMethod: "listItems",
    pagination: "pageNumbers",
  },
  createNewsItem: { method: "POST", path: "/news/news_items", resource: "news", clientMethod: "createItem" },
  retrieveNewsItem: {
    method: "GET",
    path: "/news/news_items/{id}",
    resource: "news",
    clientMethod: "getItem",
  },
  updateNewsItem: {
    method: "PUT",
    path: "/news/news_items/{id}",
    resource: "news",
    clientMethod: "updateItem",
  },
  deleteNewsItem: {
    method: "DELETE",
    path: "/news/news_items/{id}",
    resource: "news",
    clientMethod: "deleteItem",
  },
  listLiveNewsfeedItems: {
    method: "GET",
    path: "/news/newsfeeds/{id}/items",
    resource: "news",
    clientMethod: "listLiveNewsfeedItems",
    pagination: "pageNumbers",
  },
  listNewsfeeds: {
    method: "GET",
    path: "/news/newsfeeds",
    resource: "news",
    clientMethod: "listNewsfeeds",
    pagination: "pageNumbers",
  },
  retrieveNewsfeed: {
    method: "GET",
    path: "/news/newsfeeds/{id}",
    resource: "news",
    clientMethod: "getNewsfeed",
  },
  retrieveNote: { method: "GET", path: "/notes/{id}", resource: "notes", clientMethod: "get" },
  listSegments: { method: "GET", path: "/segments", resource: "segments", clientMethod: "list" },
  retrieveSegment: { method: "GET", path: "/segments/{id}", resource: "segments", clientMethod: "get" },
  listSubscriptionTypes: {
    method: "GET",
    path: "/subscription_types",
    resource: "subscriptionTypes",
    clientMethod: "list",
  },
  createPhoneSwitch: {
    method: "POST",
    path: "/phone_call_redirects",
    resource: "switch",
    clientMethod: "createPhoneCallRedirect",
  },
  listTags: { method: "GET", path: "/tags", resource: "tags", clientMethod: "list" },
  createTag: { method: "POST", path: "/tags", resource: "tags", clientMethod: "create", idempotent: true },
  findTag: { method: "GET", path: "/tags/{id}", resource: "tags", clientMethod: "get" },
  deleteTag: { method: "DELETE", path: "/tags/{id}", resource: "tags", clientMethod: "delete" },
  listTeams: { method: "GET", path: "/teams", resource: "teams", clientMethod: "list" },
  retrieveTeam: { method: "GET", path: "/teams/{id}", resource: "teams", clientMethod: "get" },
  listTicketStates: { method: "GET", path: "/ticket_states", resource: "ticketStates", clientMethod: "list" },
  createTicketTypeAttribute: {
    method: "POST",
    path: "/ticket_types/{ticket_type_id}/attributes",
    resource: "ticketTypeAttributes",
    clientMethod: "create",
  },
  updateTicketTypeAttribute: {
    method: "PUT",
    path: "/ticket_types/{ticket_type_id}/attributes/{id}",
    resource: "ticketTypeAttributes",
    clientMethod: "update",
  },
  listTicketTypes: { method: "GET", path: "/ticket_types", resource: "ticketTypes", clientMethod: "list" },
  createTicketType: {
    method: "POST",
    path: "/ticket_types",
    resource: "ticketTypes",
    clientMethod: "create",
  },
  getTicketType: { method: "GET", path: "/ticket_types/{id}", resource: "ticketTypes", clientMethod: "get" },
  updateTicketType: {
    method: "PUT",
    path: "/ticket_types/{id}",
    resource: "ticketTypes",
    clientMethod: "update",
  },
  replyTicket: { method: "POST", path: "/tickets/{id}/reply", resource: "tickets", clientMethod: "reply" },
  attachTagToTicket: {
    method: "POST",
    path: "/tickets/{ticket_id}/tags",
    resource: "tags",
    clientMethod: "tagTicket",
    idempotent: true,
  },
  detachTagFromTicket: {
    method: "DELETE",
    path: "/tickets/{ticket_id}/tags/{id}",
    resource: "tags",
    clientMethod: "untagTicket",
  },
  createTicket: { method: "POST", path: "/tickets", resource: "tickets", clientMethod: "create" },
  updateTicket: { method: "PUT", path: "/tickets/{id}", resource: "tickets", clientMethod: "update" },
  getTicket: { method: "GET", path: "/tickets/{id}", resource: "tickets", clientMethod: "get" },
  searchTickets: {
    method: "POST",
    path: "/tickets/search",
    resource: "tickets",
    clientMethod: "search",
    pagination: "search",
    idempotent: true,
  },
  updateVisitor: { method: "PUT", path: "/visitors", resource: "visitors", clientMethod: "update" },
  retrieveVisitorWithUserId: {
    method: "GET",
    path: "/visitors",
    resource: "visitors",
    clientMethod: "findByUserId",
  },
  convertVisitor: {
    method: "POST",
    path: "/visitors/convert",
    resource: "visitors",
    clientMethod: "convert",
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationId = keyof typeof OPERATIONS;

/** `IntercomClient` property path of an operation, e.g. `contacts.update`. */
export function clientMethodOf(operationId: OperationId): string {
  const operation: OperationSpec = OPERATIONS[operationId];
  return `${operation.resource}.${operation.clientMethod}`;
}
