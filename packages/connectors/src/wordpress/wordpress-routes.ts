import type { WordPressOptions } from "./wordpress-options.js";

/**
 * Builds absolute URLs of `wp/v2` routes for the three ways a site can be addressed: pretty
 * permalinks (`/wp-json/wp/v2/posts`), the query form every site understands
 * (`/?rest_route=/wp/v2/posts`), and a ready API base (`…/wp/v2/sites/{site}/posts`).
 */
export function wordpressRoutes(options: Pick<WordPressOptions, "baseUrl" | "apiBaseUrl" | "restRoute">) {
  const trim = (url: string) => url.replace(/\/+$/, "");
  if (options.apiBaseUrl !== undefined) {
    const base = trim(options.apiBaseUrl);
    return (route: string): string => `${base}${route}`;
  }
  const site = trim(options.baseUrl ?? "");
  if (options.restRoute === "query") {
    return (route: string): string => `${site}/?rest_route=${encodeURIComponent(`/wp/v2${route}`)}`;
  }
  return (route: string): string => `${site}/wp-json/wp/v2${route}`;
}
