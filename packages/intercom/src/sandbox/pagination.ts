import { SandboxApiError } from "./errors.js";

/** Where a list request starts, read from the query string of a `pages.next` URL. */
export interface ListPosition {
  /** 1 for the first page. */
  page: number;
  perPage: number;
  /** Id of the last item of the previous page; undefined on the first page. */
  afterId: number | undefined;
}

/** The `pages` object of a list answer (`pages_link` in the spec). */
export interface PagesLink {
  type: "pages";
  page: number;
  per_page: number;
  total_pages: number;
  next?: string;
}

const MAX_PER_PAGE = 150;

/**
 * Lists in 2.12 take no parameters of their own: clients follow `pages.next`. The next URL carries
 * the page number and an opaque cursor, the id of the last item served. Items are ordered by id and
 * the next page starts after that id, so pages added or removed meanwhile neither shift nor repeat
 * what is left to read.
 */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`after:${lastId}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^after:([0-9]{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (match === null) {
    throw new SandboxApiError(400, [
      {
        code: "parameter_invalid",
        message: "starting_after is not a cursor from pages.next",
        field: "starting_after",
      },
    ]);
  }
  return Number(match[1]);
}

function positiveInteger(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < 1 || value > max) {
    throw new SandboxApiError(400, [
      { code: "parameter_invalid", message: `${name} must be an integer from 1 to ${max}`, field: name },
    ]);
  }
  return value;
}

export function readListPosition(query: URLSearchParams, defaultPerPage: number): ListPosition {
  const cursor = query.get("starting_after");
  return {
    page: positiveInteger(query, "page", 1, Number.MAX_SAFE_INTEGER),
    perPage: positiveInteger(query, "per_page", defaultPerPage, Math.max(MAX_PER_PAGE, defaultPerPage)),
    afterId: cursor === null || cursor === "" ? undefined : decodeCursor(cursor),
  };
}

export function pagesLink(
  position: ListPosition,
  totalCount: number,
  next: { baseUrl: string; path: string; lastId: number } | undefined,
): PagesLink {
  const link: PagesLink = {
    type: "pages",
    page: position.page,
    per_page: position.perPage,
    total_pages: Math.ceil(totalCount / position.perPage),
  };
  if (next !== undefined) {
    const query = new URLSearchParams({
      page: String(position.page + 1),
      per_page: String(position.perPage),
      starting_after: encodeCursor(next.lastId),
    });
    link.next = `${next.baseUrl}${next.path}?${query.toString()}`;
  }
  return link;
}
