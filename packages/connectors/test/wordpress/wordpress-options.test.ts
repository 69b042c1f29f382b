import { describe, expect, it } from "vitest";
import { decodeTitle, parseWordPressExternalId } from "../../src/wordpress/wordpress-document.js";
import { wordpressOptionsSchema } from "../../src/wordpress/wordpress-options.js";
import { wordpressRoutes } from "../../src/wordpress/wordpress-routes.js";

const issues = (input: unknown) => {
  const result = wordpressOptionsSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};

describe("WordPress options", () => {
  it("fills documented defaults", () => {
    expect(wordpressOptionsSchema.parse({ baseUrl: "https://example.com" })).toMatchObject({
      restRoute: "pretty",
      postTypes: ["post", "page"],
      statuses: ["publish"],
      perPage: 100,
      overlapSeconds: 3600,
      includePasswordProtected: false,
    });
  });

  it("rejects unknown keys, ambiguous bases, half credentials and private statuses without credentials", () => {
    expect(issues({ baseUrl: "https://example.com", tpyo: 1 }).join()).toMatch(/tpyo/);
    expect(issues({})).toContain("baseUrl: set exactly one of baseUrl and apiBaseUrl");
    expect(issues({ baseUrl: "https://a.example", apiBaseUrl: "https://b.example/wp/v2" })).toContain(
      "baseUrl: set exactly one of baseUrl and apiBaseUrl",
    );
    expect(issues({ baseUrl: "https://example.com", usernameEnv: "WP_USER" })).toContain(
      "applicationPasswordEnv: usernameEnv and applicationPasswordEnv go together",
    );
    expect(issues({ baseUrl: "https://example.com", statuses: ["publish", "draft"] })).toContain(
      "statuses: statuses draft need credentials (auth, applicationPasswordEnv or bearerTokenEnv)",
    );
    expect(
      issues({
        baseUrl: "https://example.com",
        usernameEnv: "not a name",
        applicationPasswordEnv: "P",
      }).join(),
    ).toMatch(/usernameEnv: must be an environment variable name/);
  });

  it("addresses routes with pretty permalinks, rest_route and a ready API base", () => {
    expect(wordpressRoutes({ baseUrl: "https://example.com/blog/", restRoute: "pretty" })("/posts")).toBe(
      "https://example.com/blog/wp-json/wp/v2/posts",
    );
    expect(wordpressRoutes({ baseUrl: "https://example.com", restRoute: "query" })("/posts/4")).toBe(
      "https://example.com/?rest_route=%2Fwp%2Fv2%2Fposts%2F4",
    );
    expect(
      wordpressRoutes({
        apiBaseUrl: "https://public-api.wordpress.com/wp/v2/sites/example.blog",
        restRoute: "pretty",
      })("/pages"),
    ).toBe("https://public-api.wordpress.com/wp/v2/sites/example.blog/pages");
  });

  it("decodes rendered titles and parses external ids", () => {
    expect(decodeTitle("Q&amp;A: &#8220;Why&#8221; <em>now</em>?")).toBe("Q&A: “Why” now?");
    expect(parseWordPressExternalId("page:45")).toEqual({ type: "page", id: 45 });
    expect(parseWordPressExternalId("page:045")).toBeUndefined();
    expect(parseWordPressExternalId("45")).toBeUndefined();
  });
});
