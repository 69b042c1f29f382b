import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Outbound messages (in-app or email) started by an admin. */
export class MessagesResource extends Resource {
  /** Sends a message. Not retried on 5xx: the recipient could get it twice. */
  create(body: T.CreateMessageRequest, options?: RequestOptions): Promise<T.Message> {
    return this.call(
      "createMessage",
      [],
      { body, requestSchema: S.CreateMessageRequestSchema, responseSchema: S.MessageSchema },
      options,
    );
  }
}
