import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Subscription types and the contacts' opt-ins and opt-outs to them. */
export class SubscriptionTypesResource extends Resource {
  list(options?: RequestOptions): Promise<T.SubscriptionTypeList> {
    return this.call("listSubscriptionTypes", [], { responseSchema: S.SubscriptionTypeListSchema }, options);
  }

  /** Opts the contact in or out (`consent_type`); repeating it changes nothing, so retried on 5xx. */
  attachToContact(
    contactId: string,
    body: T.AttachSubscriptionTypeToContactRequest,
    options?: RequestOptions,
  ): Promise<T.SubscriptionType> {
    return this.call(
      "attachSubscriptionTypeToContact",
      [contactId],
      {
        body,
        requestSchema: S.AttachSubscriptionTypeToContactRequestSchema,
        responseSchema: S.SubscriptionTypeSchema,
      },
      options,
    );
  }

  detachFromContact(contactId: string, id: string, options?: RequestOptions): Promise<T.SubscriptionType> {
    return this.call(
      "detachSubscriptionTypeToContact",
      [contactId, id],
      { responseSchema: S.SubscriptionTypeSchema },
      options,
    );
  }
}
