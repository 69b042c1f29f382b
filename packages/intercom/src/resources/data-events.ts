import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource, toQuery } from "./resource.js";

/** Events a contact did (submitted, listed and summarised). */
export class DataEventsResource extends Resource {
  /** Submits one event. Intercom answers 202 with no body. Not retried on 5xx: it could count twice. */
  async create(body: T.CreateDataEventRequest, options?: RequestOptions): Promise<void> {
    await this.call<unknown>(
      "createDataEvent",
      [],
      { body, requestSchema: S.CreateDataEventRequestSchema },
      options,
    );
  }

  /**
   * Events of one contact, following `pages.next`. The spec's operationId is `lisDataEvents`; its
   * `filter` parameter is form-exploded, so `{ filter: { user_id } }` is sent as `?user_id=…`.
   */
  list(
    query: T.LisDataEventsQuery,
    options?: RequestOptions,
  ): Paginator<NonNullable<T.DataEventSummaryItem>, T.DataEventSummary> {
    const { filter, ...rest } = query;
    return this.paginate(
      "lisDataEvents",
      [],
      { query: toQuery({ ...filter, ...rest }), responseSchema: S.DataEventSummarySchema },
      (page: T.DataEventSummary) => page.events?.filter((event) => event !== null),
      options,
    );
  }

  /** Submits event counts in bulk. Intercom answers with no body. */
  async createSummaries(body: T.CreateDataEventSummariesRequest, options?: RequestOptions): Promise<void> {
    await this.call<unknown>(
      "dataEventSummaries",
      [],
      { body, requestSchema: S.CreateDataEventSummariesRequestSchema },
      options,
    );
  }
}
