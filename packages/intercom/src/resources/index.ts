export { AdminsResource } from "./admins.js";
export { AiContentResource } from "./ai-content.js";
export { ArticlesResource } from "./articles.js";
export { CompaniesResource } from "./companies.js";
export { ContactsResource } from "./contacts.js";
export { ConversationsResource } from "./conversations.js";
export { DataAttributesResource } from "./data-attributes.js";
export { DataEventsResource } from "./data-events.js";
export { DataExportResource } from "./data-export.js";
export { HelpCenterResource } from "./help-center.js";
export { MessagesResource } from "./messages.js";
export { NewsResource } from "./news.js";
export { NotesResource } from "./notes.js";
export {
  clientMethodOf,
  OPERATIONS,
  type OperationId,
  type OperationSpec,
  type PaginationStyle,
  type ResourceName,
} from "./operations.js";
export { fillPath, Resource } from "./resource.js";
export { SegmentsResource } from "./segments.js";
export { SubscriptionTypesResource } from "./subscription-types.js";
export { SwitchResource } from "./switch.js";
export { TagsResource } from "./tags.js";
export { TeamsResource } from "./teams.js";
export { TicketStatesResource } from "./ticket-states.js";
export { TicketTypeAttributesResource } from "./ticket-type-attributes.js";
export { TicketTypesResource } from "./ticket-types.js";
export { TicketsResource } from "./tickets.js";
export { VisitorsResource } from "./visitors.js";
