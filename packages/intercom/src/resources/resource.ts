import {
  type ApiRequest,
  type HttpClient,
  type Paginator,
  paginateCursor,
  paginateNextUrl,
  paginatePageNumbers,
  paginateScroll,
  paginateSearch,
  type RequestOptions,
} from "../core/index.js";
import { OPERATIONS, type OperationId, type OperationSpec, type PaginationStyle } from "./operations.js";

/** A value for one `{placeholder}` of a path template. */
export type PathParam = string | number;

/** What a resource method adds to the operation's method and path. */
export type RequestParts = Omit<ApiRequest, "method" | "path" | "idempotent">;

const PAGINATORS: Readonly<
  Record<
    PaginationStyle,
    <T, P>(
      http: HttpClient,
      first: ApiRequest,
      itemsOf: (page: P) => readonly T[],
      options?: RequestOptions,
    ) => Paginator<T, P>
  >
> = {
  nextUrl: paginateNextUrl,
  cursor: paginateCursor,
  pageNumbers: paginatePageNumbers,
  scroll: paginateScroll,
  search: paginateSearch,
};

/**
 * Fills `{placeholders}` in order with encoded values. Empty values are refused: `/contacts/` with an
 * empty id would silently hit the list endpoint instead of the one the caller meant.
 */
export function fillPath(operationId: string, template: string, params: readonly PathParam[]): string {
  let index = 0;
  const filled = template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = params[index++];
    if (value === undefined || String(value) === "") {
      throw new TypeError(`${operationId}: path parameter "${name}" must be a non-empty string or number`);
    }
    return encodeURIComponent(String(value));
  });
  if (index !== params.length) {
    throw new TypeError(`${operationId}: expected ${index} path parameter(s), got ${params.length}`);
  }
  return filled;
}

/** Shared plumbing of the resource modules: each method names its operation and adds its payload. */
export abstract class Resource {
  constructor(protected readonly http: HttpClient) {}

  /** The request for `operationId` with its path filled from `pathParams`. */
  protected build(
    operationId: OperationId,
    pathParams: readonly PathParam[],
    parts: RequestParts,
  ): ApiRequest {
    const operation: OperationSpec = OPERATIONS[operationId];
    const request: ApiRequest = {
      ...parts,
      method: operation.method,
      path: fillPath(operationId, operation.path, pathParams),
    };
    if (operation.idempotent) request.idempotent = true;
    return request;
  }

  /** Sends one request and resolves with its (validated) body; bad path parameters reject, not throw. */
  protected async call<T>(
    operationId: OperationId,
    pathParams: readonly PathParam[],
    parts: RequestParts,
    options: RequestOptions | undefined,
  ): Promise<T> {
    return this.http.request<T>(this.build(operationId, pathParams, parts), options);
  }

  /** A lazily fetched list in the pagination style the operation map records for `operationId`. */
  protected paginate<T, P>(
    operationId: OperationId,
    pathParams: readonly PathParam[],
    parts: RequestParts,
    itemsOf: (page: P) => readonly T[] | undefined,
    options: RequestOptions | undefined,
  ): Paginator<T, P> {
    const operation: OperationSpec = OPERATIONS[operationId];
    if (!operation.pagination) throw new TypeError(`${operationId} is not a paginated operation`);
    const first = this.build(operationId, pathParams, parts);
    // A page without its list key (Intercom omits empty arrays on some endpoints) has no items.
    return PAGINATORS[operation.pagination](this.http, first, (page: P) => itemsOf(page) ?? [], options);
  }
}

/** Copies a typed query object into the transport's query shape, dropping undefined values. */
export function toQuery(
  query: object | undefined,
): Record<string, string | number | boolean | readonly (string | number)[]> | undefined {
  if (!query) return undefined;
  const out: Record<string, string | number | boolean | readonly (string | number)[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      out[key] = value;
    else if (Array.isArray(value)) out[key] = value as (string | number)[];
    else throw new TypeError(`query parameter "${key}" must be a string, number, boolean or array`);
  }
  return out;
}
