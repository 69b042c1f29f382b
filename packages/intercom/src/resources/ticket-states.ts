import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** The states a ticket can be in (not paginated). */
export class TicketStatesResource extends Resource {
  list(options?: RequestOptions): Promise<T.TicketStateList> {
    return this.call("listTicketStates", [], { responseSchema: S.TicketStateListSchema }, options);
  }
}
