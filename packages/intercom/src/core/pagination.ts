import { IntercomError, IntercomResponseValidationError } from "./errors.js";
import type { ApiRequest, HttpClient } from "./http-client.js";
import type { RequestOptions } from "./types.js";

/** One page as fetched, with the request that produced it (for error messages). */
export interface FetchedPage<P> {
  page: P;
  request: ApiRequest;
}

/**
 * A list call's result: awaitable for its first page and async-iterable over every item, the
 * convention of stripe-node, so the common mistake of awaiting a list just works:
 *
 * ```ts
 * const first = await client.aiContent.listExternalPages(); // one request: the first page as sent
 * for await (const page of client.aiContent.listExternalPages()) … // every item, page after page
 * ```
 *
 * Nothing is sent until the list is awaited or iterated. Awaiting fetches the first page once and
 * every later `await` of the same list shares that answer; each iteration (items, or `pages()` for
 * whole pages) starts again from the first page, and stopping early (`break`) sends no further
 * requests.
 *
 * Hazard: being thenable, a list returned from an `async` function (or passed to `Promise.resolve`)
 * is resolved to its first page. Return it from a plain function to hand the list itself on.
 */
export class Paginator<T, P = unknown> implements AsyncIterable<T>, PromiseLike<P> {
  readonly #source: () => AsyncIterable<FetchedPage<P>>;
  readonly #itemsOf: (page: P) => readonly T[];
  #firstPage: Promise<P> | undefined;

  constructor(source: () => AsyncIterable<FetchedPage<P>>, itemsOf: (page: P) => readonly T[]) {
    this.#source = source;
    this.#itemsOf = itemsOf;
  }

  /** The first page, fetched on first use and shared by every `await` of this list. */
  firstPage(): Promise<P> {
    this.#firstPage ??= (async () => {
      for await (const { page } of this.#source()) return page;
      throw new TypeError("the list produced no page");
    })();
    return this.#firstPage;
  }

  // biome-ignore lint/suspicious/noThenProperty: deliberately thenable: `await list` is its first page.
  then<R1 = P, R2 = never>(
    onFulfilled?: ((page: P) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.firstPage().then(onFulfilled, onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const { page, request } of this.#source()) {
      const items = this.#itemsOf(page);
      if (!Array.isArray(items)) {
        throw new IntercomResponseValidationError({
          method: request.method,
          path: pathOf(request),
          errors: [{ code: "missing_items", message: "the page has no list of items" }],
        });
      }
      yield* items;
    }
  }

  pages(): AsyncIterable<P> {
    const source = this.#source;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const { page } of source()) yield page;
      },
    };
  }

  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}

function pathOf(request: ApiRequest): string {
  return request.path.split("?")[0] ?? request.path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `page.pages` when it is an object (it is `null` or absent on single-page answers). */
function pagesOf(page: unknown): Record<string, unknown> | undefined {
  return isRecord(page) && isRecord(page.pages) ? page.pages : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function stuck(request: ApiRequest, what: string): IntercomError {
  return new IntercomResponseValidationError({
    method: request.method,
    path: pathOf(request),
    errors: [{ code: "pagination_stuck", message: `${what} did not advance; stopping to avoid a loop` }],
  });
}

/** Fetches pages, asking `next` for the request after each one; undefined ends the list. */
function pageSource<P>(
  http: HttpClient,
  first: ApiRequest,
  options: RequestOptions | undefined,
  next: (page: P, request: ApiRequest) => ApiRequest | undefined,
): () => AsyncGenerator<FetchedPage<P>, void, undefined> {
  return async function* () {
    let request: ApiRequest | undefined = first;
    while (request) {
      const page: P = await http.request<P>(request, options);
      yield { page, request };
      request = next(page, request);
    }
  };
}

function paginate<T, P>(
  http: HttpClient,
  first: ApiRequest,
  itemsOf: (page: P) => readonly T[],
  options: RequestOptions | undefined,
  next: (page: P, request: ApiRequest) => ApiRequest | undefined,
): Paginator<T, P> {
  return new Paginator<T, P>(pageSource(http, first, options, next), itemsOf);
}

/**
 * Follows `pages.next` while it is a URL (AI Content sources and pages, articles, help centers…).
 * The link carries its own query. Intercom builds it from its own host (`https://api.intercom.io/…`),
 * which is not the client's when `baseUrl` is a proxy: only the link's path and query are followed,
 * on the configured origin and under its base path, so the token never goes anywhere else.
 */
export function paginateNextUrl<T, P>(
  http: HttpClient,
  first: ApiRequest,
  itemsOf: (page: P) => readonly T[],
  options?: RequestOptions,
): Paginator<T, P> {
  return paginate(http, first, itemsOf, options, (page, request) => {
    const link = nonEmptyString(pagesOf(page)?.next);
    if (!link) return undefined;
    const path = nextLinkPath(link, http.baseUrl);
    if (path === request.path) throw stuck(request, "pages.next");
    const { query: _query, body: _body, requestSchema: _schema, ...rest } = first;
    return { ...rest, method: "GET", path };
  });
}

/** Sends `pages.next.starting_after` back as the `starting_after` query (contacts, conversations…). */
export function paginateCursor<T, P>(
  http: HttpClient,
  first: ApiRequest,
  itemsOf: (page: P) => readonly T[],
  options?: RequestOptions,
): Paginator<T, P> {
  return paginate(http, first, itemsOf, options, (page, request) => {
    const next = pagesOf(page)?.next;
    const cursor = isRecord(next) ? nonEmptyString(next.starting_after) : undefined;
    if (!cursor) return undefined;
    if (cursor === request.query?.starting_after) throw stuck(request, "pages.next.starting_after");
    return { ...request, query: { ...request.query, starting_after: cursor } };
  });
}

/**
 * Asks for `page` 1, 2, 3… (keeping `per_page`) until `pages.page >= pages.total_pages` (companies
 * list, segments of a company…). Counting from the page requested, not the page reported, so a
 * server that ignores `page` cannot cause an endless loop.
 */
export function paginatePageNumbers<T, P>(
  http: HttpClient,
  first: ApiRequest,
  itemsOf: (page: P) => readonly T[],
  options?: RequestOptions,
): Paginator<T, P> {
  return paginate(http, first, itemsOf, options, (page, request) => {
    const pages = pagesOf(page);
    const requested = Number(request.query?.page ?? 1);
    const reported = typeof pages?.page === "number" ? pages.page : requested;
    const total = pages?.total_pages;
    if (typeof total !== "number" || Math.max(requested, reported) >= total) return undefined;
    const items = itemsOf(page);
    if (Array.isArray(items) && items.length === 0) return undefined;
    return { ...request, query: { ...request.query, page: requested + 1 } };
  });
}

/** Intercom keeps a scroll open this long after its last page. */
const SCROLL_EXPIRY_MS = 60_000;
const activeScrolls = new WeakMap<HttpClient, { lastPageAt: number }>();

/**
 * The companies scroll: sends each answer's `scroll_param` back and stops at the first page with no
 * items. Intercom allows one scroll per workspace at a time and drops it a minute after its last page,
 * so this refuses to start a second scroll on the same client while one is running.
 *
 * Hazard: a scroll left early (`break`) stays open at Intercom until it expires, and a new one may be
 * refused until then.
 */
export function paginateScroll<T, P>(
  http: HttpClient,
  first: ApiRequest,
  itemsOf: (page: P) => readonly T[],
  options?: RequestOptions,
): Paginator<T, P> {
  const pages = pageSource<P>(http, first, options, (page, request) => {
    const items = itemsOf(page);
    const scrollParam = isRecord(page) ? nonEmptyString(page.scroll_param) : undefined;
    if (!scrollParam || !Array.isArray(items) || items.length === 0) return undefined;
    return { ...request, query: { ...request.query, scroll_param: scrollParam } };
  });
  return new Paginator<T, P>(async function* () {
    const running = activeScrolls.get(http);
    if (running && Date.now() - running.lastPageAt < SCROLL_EXPIRY_MS) {
      throw new IntercomError({
        method: first.method,
        path: pathOf(first),
        errors: [
          {
            code: "scroll_in_progress",
            message: "another scroll is running on this client; Intercom allows one at a time",
          },
        ],
      });
    }
    const state = { lastPageAt: Date.now() };
    activeScrolls.set(http, state);
    try {
      for await (const fetched of pages()) {
        state.lastPageAt = Date.now();
        yield fetched;
      }
    } finally {
      if (activeScrolls.get(http) === state) activeScrolls.delete(http);
    }
  }, itemsOf);
}

/**
 * Search endpoints (`POST /contacts/search`, `/conversations/search`…): sends
 * `pages.next.starting_after` back as `pagination.starting_after` in the next body. Searches change
 * nothing, so they are retried like GETs unless `first.idempotent` says otherwise.
 */
export function paginateSearch<T, P>(
  http: HttpClient,
  first: ApiRequest,
  itemsOf: (page: P) => readonly T[],
  options?: RequestOptions,
): Paginator<T, P> {
  if (!isRecord(first.body)) {
    throw new TypeError(`paginateSearch: ${first.method} ${first.path} needs an object body to paginate`);
  }
  const start: ApiRequest = { idempotent: true, ...first };
  return paginate(http, start, itemsOf, options, (page, request) => {
    const next = pagesOf(page)?.next;
    const cursor = isRecord(next) ? nonEmptyString(next.starting_after) : undefined;
    if (!cursor) return undefined;
    const body = isRecord(request.body) ? request.body : {};
    const pagination = isRecord(body.pagination) ? body.pagination : {};
    if (cursor === pagination.starting_after) throw stuck(request, "pages.next.starting_after");
    return { ...request, body: { ...body, pagination: { ...pagination, starting_after: cursor } } };
  });
}

/**
 * A `pages.next` link as a path relative to the client's base URL: its path and query, without the
 * base path when the link already carries it (a proxy that rewrites links).
 */
export function nextLinkPath(link: string, baseUrl: string): string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(link)) return link;
  const url = new URL(link);
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const pathname =
    url.origin === base.origin && basePath !== "" && url.pathname.startsWith(`${basePath}/`)
      ? url.pathname.slice(basePath.length)
      : url.pathname;
  return `${pathname}${url.search}`;
}
