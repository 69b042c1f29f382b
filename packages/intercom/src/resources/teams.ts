import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Teams of admins (not paginated). */
export class TeamsResource extends Resource {
  list(options?: RequestOptions): Promise<T.TeamList> {
    return this.call("listTeams", [], { responseSchema: S.TeamListSchema }, options);
  }

  get(id: string, options?: RequestOptions): Promise<T.Team> {
    return this.call("retrieveTeam", [id], { responseSchema: S.TeamSchema }, options);
  }
}
