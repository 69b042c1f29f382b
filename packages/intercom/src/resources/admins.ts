import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource, toQuery } from "./resource.js";

/** Teammates of the workspace, their away status and the activity log. */
export class AdminsResource extends Resource {
  /** The admin the token belongs to, with its workspace (`GET /me`). */
  identify(options?: RequestOptions): Promise<T.AdminWithApp> {
    return this.call("identifyAdmin", [], { responseSchema: S.AdminWithAppSchema }, options);
  }

  setAway(id: number | string, body: T.SetAwayAdminRequest, options?: RequestOptions): Promise<T.Admin> {
    return this.call(
      "setAwayAdmin",
      [id],
      { body, requestSchema: S.SetAwayAdminRequestSchema, responseSchema: S.AdminSchema },
      options,
    );
  }

  /** Activity log entries in a time window (`created_at_after` is required, unix seconds as a string). */
  listActivityLogs(
    query: T.ListActivityLogsQuery,
    options?: RequestOptions,
  ): Paginator<T.ActivityLog, T.ActivityLogList> {
    return this.paginate(
      "listActivityLogs",
      [],
      { query: toQuery(query), responseSchema: S.ActivityLogListSchema },
      (page: T.ActivityLogList) => page.activity_logs,
      options,
    );
  }

  /** All admins (not paginated). */
  list(query?: T.ListAdminsQuery, options?: RequestOptions): Promise<T.AdminList> {
    return this.call("listAdmins", [], { query: toQuery(query), responseSchema: S.AdminListSchema }, options);
  }

  get(id: number | string, options?: RequestOptions): Promise<T.Admin> {
    return this.call("retrieveAdmin", [id], { responseSchema: S.AdminSchema }, options);
  }
}
