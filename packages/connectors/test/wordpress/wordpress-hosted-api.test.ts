import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isConnectorError } from "../../src/errors.js";
import { wordpressConnector } from "../../src/wordpress/wordpress-connector.js";
import { collect, documentIds, silentContext } from "./collect.js";

/**
 * A WordPress.com-style host: `wp/v2` routes under `/wp/v2/sites/{site}`, OAuth bearer tokens. The
 * real-WordPress suite covers the API's semantics; this covers what a local WordPress cannot show.
 */
describe("WordPress connector on a hosted API base", () => {
  let server: Server;
  let base: string;
  const seen: { path: string; query: URLSearchParams; authorization: string | undefined }[] = [];
  let posts: { id: number; title: string }[];
  let onPage: ((page: number) => void) | undefined;
  let failNext: number | undefined;

  beforeEach(async () => {
    seen.length = 0;
    posts = [1, 2, 3, 4, 5].map((id) => ({ id, title: `Post ${id}` }));
    onPage = undefined;
    failNext = undefined;
    server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://host");
      seen.push({
        path: url.pathname,
        query: url.searchParams,
        authorization: request.headers.authorization,
      });
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        response
          .writeHead(status, { "content-type": "application/json", ...headers })
          .end(JSON.stringify(body));
      if (request.headers.authorization !== "Bearer wpcom-token") {
        return json(401, {
          code: "rest_not_logged_in",
          message: "You are not currently logged in.",
          data: { status: 401 },
        });
      }
      const route = url.pathname.replace("/wp/v2/sites/example.blog", "");
      if (route === "/users/me") return json(200, { id: 1, name: "Editor" });
      if (route === "/types/post")
        return json(200, { slug: "post", rest_base: "posts", taxonomies: ["category", "post_tag"] });
      if (route === "/posts") {
        if (failNext !== undefined) {
          const status = failNext;
          failNext = undefined;
          return json(status, { code: "unavailable" }, { "retry-after": "0" });
        }
        if (url.searchParams.get("status") === "trash") {
          return json(200, [], { "x-wp-total": "0", "x-wp-totalpages": "0" });
        }
        const page = Number(url.searchParams.get("page") ?? 1);
        const perPage = Number(url.searchParams.get("per_page") ?? 10);
        const slice = posts.slice((page - 1) * perPage, page * perPage).map((post) => ({
          id: post.id,
          type: "post",
          status: "publish",
          slug: `post-${post.id}`,
          link: `https://example.blog/post-${post.id}/`,
          modified_gmt: "2026-01-01T00:00:00",
          title: { rendered: post.title },
          content: { rendered: `<p>${post.title}</p>`, protected: false },
          categories: [],
          tags: [],
        }));
        json(200, slice, {
          "x-wp-total": String(posts.length),
          "x-wp-totalpages": String(Math.ceil(posts.length / perPage)),
        });
        onPage?.(page);
        return;
      }
      json(404, { code: "rest_no_route", message: "No route was found", data: { status: 404 } });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wp/v2/sites/example.blog`;
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const connect = (token = "wpcom-token") =>
    wordpressConnector.create(
      wordpressConnector.optionsSchema.parse({
        apiBaseUrl: base,
        bearerTokenEnv: "WPCOM_TOKEN",
        postTypes: ["post"],
        perPage: 2,
      }),
      { sourceId: "wpcom", logger: pino({ level: "silent" }), env: { WPCOM_TOKEN: token } },
    );

  it("lists every page under the site's API base with the bearer token and edit context", async () => {
    failNext = 503;
    const events = await collect(connect().listAll(silentContext()));
    expect(documentIds(events)).toEqual(["post:1", "post:2", "post:3", "post:4", "post:5"]);
    const listing = seen.filter(
      (request) => request.path.endsWith("/posts") && request.query.get("status") === "publish",
    );
    expect(listing.map((request) => request.query.get("page"))).toEqual(["1", "1", "2", "3"]);
    expect(listing[0]!.query.get("context")).toBe("edit");
    expect(listing[0]!.query.get("orderby")).toBe("id");
  });

  it("refuses to call a listing complete when posts vanish between pages", async () => {
    onPage = (page) => {
      if (page === 1) posts = posts.filter((post) => post.id !== 1);
    };
    const yielded: string[] = [];
    const error = await (async () => {
      for await (const event of connect().listAll(silentContext())) {
        if (event.kind === "document") yielded.push(event.document.externalId);
      }
    })().catch((caught: unknown) => caught);
    expect(isConnectorError(error) && error.kind).toBe("unavailable");
    expect((error as Error).message).toMatch(/posts changed while listing \(5 → 4\)/);
    expect(yielded).not.toContain("post:3");
  });

  it("maps a refused token to an auth error naming its env var", async () => {
    const error = await collect(connect("expired").listAll(silentContext())).catch(
      (caught: unknown) => caught,
    );
    expect(isConnectorError(error) && [error.kind, error.credentialEnv]).toEqual(["auth", "WPCOM_TOKEN"]);
  });
});
