import { IntercomError } from "./errors.js";
import { REGION_BASE_URLS, type ClientOptions, type Region } from "./types.js";

/** Query values: `undefined` is left out, arrays become repeated keys (`ids=1&ids=2`). */
export type QueryParams = Record<
  string,
  string | number | boolean | readonly (string | number)[] | undefined
>;

/** The API origin for the options: `baseUrl` when given, otherwise the region's host (default `us`). */
export function resolveBaseUrl(options: Pick<ClientOptions, "baseUrl" | "region">): string {
  if (options.baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`ClientOptions.baseUrl must be an absolute http(s) URL, got "${options.baseUrl}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`ClientOptions.baseUrl must use http or https, got "${url.protocol}"`);
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  }
  const region: Region = options.region ?? "us";
  const base = Object.hasOwn(REGION_BASE_URLS, region) ? REGION_BASE_URLS[region] : undefined;
  if (base === undefined) {
    const known = Object.keys(REGION_BASE_URLS).join(", ");
    throw new TypeError(`ClientOptions.region must be one of ${known}, got "${String(region)}"`);
  }
  return base;
}

export interface RequestTarget {
  url: URL;
  /** Path for logs, metrics and errors: no origin, no base prefix, no query string. */
  path: string;
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Turns a request path (or an absolute `pages.next` link) into the URL to call. Absolute URLs must be
 * on the client's own origin: a link elsewhere would receive the bearer token.
 */
export function resolveTarget(
  baseUrl: string,
  method: string,
  path: string,
  query?: QueryParams,
): RequestTarget {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  let url: URL;
  if (ABSOLUTE_URL.test(path)) {
    url = new URL(path);
    if (url.origin !== base.origin) {
      throw new IntercomError({
        method,
        path: url.pathname,
        errors: [
          {
            code: "foreign_origin",
            message: `refusing to send the token to ${url.origin}; the client's origin is ${base.origin}`,
          },
        ],
      });
    }
  } else {
    url = new URL(`${base.origin}${basePath}${path.startsWith("/") ? path : `/${path}`}`);
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    url.searchParams.delete(key);
    if (Array.isArray(value)) {
      for (const item of value) url.searchParams.append(key, String(item));
    } else {
      url.searchParams.append(key, String(value));
    }
  }
  const displayPath =
    basePath && url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : url.pathname;
  return { url, path: displayPath };
}
