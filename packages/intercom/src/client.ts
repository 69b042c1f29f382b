import { type ClientOptions, HttpClient } from "./core/index.js";
import {
  AdminsResource,
  AiContentResource,
  ArticlesResource,
  CompaniesResource,
  ContactsResource,
  ConversationsResource,
  DataAttributesResource,
  DataEventsResource,
  DataExportResource,
  HelpCenterResource,
  MessagesResource,
  NewsResource,
  NotesResource,
  type Resource,
  type ResourceName,
  SegmentsResource,
  SubscriptionTypesResource,
  SwitchResource,
  TagsResource,
  TeamsResource,
  TicketStatesResource,
  TicketTypeAttributesResource,
  TicketTypesResource,
  TicketsResource,
  VisitorsResource,
} from "./resources/index.js";

/**
 * The typed client for all 118 operations of Intercom's REST API 2.12, one resource per getter.
 * Resources are created on first use and share one `HttpClient` (auth, retries, rate limit, validation).
 *
 * ```ts
 * const intercom = new IntercomClient({ token: process.env.INTERCOM_TOKEN!, region: "eu" });
 * for await (const page of intercom.aiContent.listExternalPages()) console.log(page.title);
 * ```
 */
export class IntercomClient {
  readonly http: HttpClient;
  readonly #resources = new Map<ResourceName, Resource>();

  constructor(options: ClientOptions) {
    this.http = new HttpClient(options);
  }

  #lazy<R extends Resource>(name: ResourceName, create: (http: HttpClient) => R): R {
    let resource = this.#resources.get(name);
    if (!resource) {
      resource = create(this.http);
      this.#resources.set(name, resource);
    }
    return resource as R;
  }

  get admins(): AdminsResource {
    return this.#lazy("admins", (http) => new AdminsResource(http));
  }

  get aiContent(): AiContentResource {
    return this.#lazy("aiContent", (http) => new AiContentResource(http));
  }

  get articles(): ArticlesResource {
    return this.#lazy("articles", (http) => new ArticlesResource(http));
  }

  get helpCenter(): HelpCenterResource {
    return this.#lazy("helpCenter", (http) => new HelpCenterResource(http));
  }

  get companies(): CompaniesResource {
    return this.#lazy("companies", (http) => new CompaniesResource(http));
  }

  get contacts(): ContactsResource {
    return this.#lazy("contacts", (http) => new ContactsResource(http));
  }

  get conversations(): ConversationsResource {
    return this.#lazy("conversations", (http) => new ConversationsResource(http));
  }

  get dataAttributes(): DataAttributesResource {
    return this.#lazy("dataAttributes", (http) => new DataAttributesResource(http));
  }

  get dataEvents(): DataEventsResource {
    return this.#lazy("dataEvents", (http) => new DataEventsResource(http));
  }

  get dataExport(): DataExportResource {
    return this.#lazy("dataExport", (http) => new DataExportResource(http));
  }

  get messages(): MessagesResource {
    return this.#lazy("messages", (http) => new MessagesResource(http));
  }

  get news(): NewsResource {
    return this.#lazy("news", (http) => new NewsResource(http));
  }

  get notes(): NotesResource {
    return this.#lazy("notes", (http) => new NotesResource(http));
  }

  get segments(): SegmentsResource {
    return this.#lazy("segments", (http) => new SegmentsResource(http));
  }

  get subscriptionTypes(): SubscriptionTypesResource {
    return this.#lazy("subscriptionTypes", (http) => new SubscriptionTypesResource(http));
  }

  /** Switch: phone call redirects to Messenger. */
  get switch(): SwitchResource {
    return this.#lazy("switch", (http) => new SwitchResource(http));
  }

  get tags(): TagsResource {
    return this.#lazy("tags", (http) => new TagsResource(http));
  }

  get teams(): TeamsResource {
    return this.#lazy("teams", (http) => new TeamsResource(http));
  }

  get ticketStates(): TicketStatesResource {
    return this.#lazy("ticketStates", (http) => new TicketStatesResource(http));
  }

  get ticketTypeAttributes(): TicketTypeAttributesResource {
    return this.#lazy("ticketTypeAttributes", (http) => new TicketTypeAttributesResource(http));
  }

  get ticketTypes(): TicketTypesResource {
    return this.#lazy("ticketTypes", (http) => new TicketTypesResource(http));
  }

  get tickets(): TicketsResource {
    return this.#lazy("tickets", (http) => new TicketsResource(http));
  }

  get visitors(): VisitorsResource {
    return this.#lazy("visitors", (http) => new VisitorsResource(http));
  }
}
