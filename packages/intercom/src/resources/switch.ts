import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Switch: moves a phone call to a Messenger conversation by texting the caller a link. */
export class SwitchResource extends Resource {
  /** Sends the SMS. Not retried on 5xx: the caller could get it twice. */
  createPhoneCallRedirect(
    body: T.CreatePhoneSwitchRequest,
    options?: RequestOptions,
  ): Promise<T.PhoneSwitch> {
    return this.call(
      "createPhoneSwitch",
      [],
      { body, requestSchema: S.CreatePhoneSwitchRequestSchema, responseSchema: S.PhoneSwitchSchema },
      options,
    );
  }
}
