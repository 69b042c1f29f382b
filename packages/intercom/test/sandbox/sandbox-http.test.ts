import { afterEach, describe, expect, it } from "vitest";
import { closeSandboxes, openSandbox, pageBody, raw } from "./helpers.js";

afterEach(closeSandboxes);

async function withSource(options: Parameters<typeof openSandbox>[0] = {}) {
  const sandbox = await openSandbox(options);
  const source = await raw(sandbox, "POST", "/ai/content_import_sources", {
    body: { sync_behavior: "api", url: "https://docs.example.com" },
  });
  return { sandbox, sourceId: source.json.id as number };
}

describe("sandbox over plain HTTP", () => {
  it("answers 401 error.list without a token or with a wrong one, with a request id on every answer", async () => {
    const sandbox = await openSandbox({ tokens: ["alpha", "beta"] });
    for (const token of [null, "gamma"]) {
      const answer = await raw(sandbox, "GET", "/ai/external_pages", { token });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        type: "error.list",
        request_id: answer.headers.get("x-request-id"),
        errors: [{ code: "unauthorized", message: "Access Token Invalid" }],
      });
    }
    expect((await raw(sandbox, "GET", "/ai/external_pages", { token: "beta" })).status).toBe(200);
    const ids = new Set<string | null>();
    for (let index = 0; index < 3; index++) {
      ids.add((await raw(sandbox, "GET", "/me", { token: "alpha" })).headers.get("x-request-id"));
    }
    expect(ids.size).toBe(3);
    expect(sandbox.stats().unauthorized).toBe(2);
  });

  it("answers 404 for unknown routes and ids, 405 with Allow for a wrong method", async () => {
    const { sandbox } = await withSource();
    const unknown = await raw(sandbox, "GET", "/ai/nothing_here");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ type: "error.list", errors: [{ code: "not_found" }] });
    expect((await raw(sandbox, "GET", "/ai/content_import_sources/abc")).status).toBe(404);
    expect((await raw(sandbox, "GET", "/ai/external_pages/12345")).status).toBe(404);
    const wrongMethod = await raw(sandbox, "PATCH", "/ai/external_pages/1");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET, PUT, DELETE");
    expect(wrongMethod.json.errors[0].code).toBe("method_not_allowed");
  });

  it("names every missing or mistyped field of a page with the spec's error codes", async () => {
    const { sandbox } = await withSource();
    const answer = await raw(sandbox, "POST", "/ai/external_pages", {
      body: { html: 12, locale: "fr", source_id: "1", ai_agent_availability: "yes" },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.type).toBe("error.list");
    expect(answer.json.errors).toEqual([
      { code: "parameter_not_found", message: "title is a required parameter", field: "title" },
      { code: "parameter_invalid", message: "html must be a string", field: "html" },
      {
        code: "parameter_invalid",
        message: "ai_agent_availability must be a boolean",
        field: "ai_agent_availability",
      },
      { code: "parameter_invalid", message: "locale must be one of: en", field: "locale" },
      { code: "parameter_invalid", message: "source_id must be an integer", field: "source_id" },
      { code: "parameter_not_found", message: "external_id is a required parameter", field: "external_id" },
    ]);
  });

  it("requires locale, and url on PUT", async () => {
    const { sandbox, sourceId } = await withSource();
    const { locale: _locale, ...withoutLocale } = pageBody(sourceId, "a");
    const missingLocale = await raw(sandbox, "POST", "/ai/external_pages", { body: withoutLocale });
    expect(missingLocale.json.errors).toEqual([
      { code: "parameter_not_found", message: "locale is a required parameter", field: "locale" },
    ]);
    const page = await raw(sandbox, "POST", "/ai/external_pages", { body: pageBody(sourceId, "a") });
    const { url: _url, ...withoutUrl } = pageBody(sourceId, "a");
    const put = await raw(sandbox, "PUT", `/ai/external_pages/${page.json.id}`, { body: withoutUrl });
    expect(put.status).toBe(400);
    expect(put.json.errors.map((entry: { field: string }) => entry.field)).toEqual(["url"]);
  });

  it("rejects bodies that are not JSON objects, and bodies over the size limit with 413", async () => {
    const { sandbox } = await withSource({ maxBodyBytes: 1_000 });
    const broken = await raw(sandbox, "POST", "/ai/external_pages", { rawBody: "{not json" });
    expect(broken.status).toBe(400);
    expect(broken.json.errors[0].code).toBe("bad_request");
    const array = await raw(sandbox, "POST", "/ai/content_import_sources", { body: [1, 2] });
    expect(array.status).toBe(400);
    const empty = await raw(sandbox, "POST", "/ai/content_import_sources");
    expect(empty.json.errors[0]).toMatchObject({ code: "bad_request" });
    const big = await raw(sandbox, "POST", "/ai/external_pages", {
      body: pageBody(1, "big", { html: "x".repeat(5_000) }),
    });
    expect(big.status).toBe(413);
    expect(big.json.errors[0].code).toBe("request_too_large");
  });

  it("only creates api sources with absolute URLs", async () => {
    const sandbox = await openSandbox();
    const answer = await raw(sandbox, "POST", "/ai/content_import_sources", {
      body: { sync_behavior: "automatic", url: "docs" },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.errors.map((entry: { field: string }) => entry.field)).toEqual([
      "sync_behavior",
      "url",
    ]);
    expect(sandbox.store.sourceCount).toBe(0);
  });

  it("answers a deleted source with 204 and no body", async () => {
    const { sandbox, sourceId } = await withSource();
    const answer = await raw(sandbox, "DELETE", `/ai/content_import_sources/${sourceId}`);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe("");
  });

  it("rejects a pages.next cursor it did not make", async () => {
    const sandbox = await openSandbox();
    const answer = await raw(sandbox, "GET", "/ai/external_pages?page=2&starting_after=bogus");
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0]).toMatchObject({ code: "parameter_invalid", field: "starting_after" });
  });

  it("counts calls per route template and resets the counters over HTTP", async () => {
    const { sandbox, sourceId } = await withSource();
    await raw(sandbox, "POST", "/ai/external_pages", { body: pageBody(sourceId, "a") });
    await raw(sandbox, "POST", "/ai/external_pages", { body: pageBody(sourceId, "b") });
    await raw(sandbox, "POST", "/ai/external_pages", { body: { title: "no" } });
    await raw(sandbox, "GET", "/ai/external_pages/1");
    await raw(sandbox, "GET", "/ai/external_pages/2");
    const stats = await raw(sandbox, "GET", "/__sandbox/stats", { token: null });
    expect(stats.json.calls).toEqual({
      "POST /ai/content_import_sources": 1,
      "POST /ai/external_pages": 3,
      "GET /ai/external_pages/{id}": 2,
    });
    expect(stats.json.succeeded["POST /ai/external_pages"]).toBe(2);
    expect(stats.json.statuses).toEqual({ "200": 5, "400": 1 });
    expect((await raw(sandbox, "POST", "/__sandbox/stats/reset", { token: null })).status).toBe(204);
    expect(sandbox.stats().calls).toEqual({});
  });

  it("clears all data with POST /__sandbox/reset", async () => {
    const { sandbox, sourceId } = await withSource();
    await raw(sandbox, "POST", "/ai/external_pages", { body: pageBody(sourceId, "a") });
    expect((await raw(sandbox, "POST", "/__sandbox/reset", { token: null })).status).toBe(204);
    expect(sandbox.store.pageCount).toBe(0);
    const again = await raw(sandbox, "POST", "/ai/content_import_sources", {
      body: { sync_behavior: "api", url: "https://docs.example.com" },
    });
    expect(again.json.id).toBe(1);
  });
});

describe("sandbox HTML view", () => {
  it("lists sources and pages without auth, escaping what it renders", async () => {
    const { sandbox, sourceId } = await withSource();
    await raw(sandbox, "POST", "/ai/external_pages", {
      body: pageBody(sourceId, `<img src=x onerror="alert(1)">`, {
        title: "<script>alert('title')</script>",
        url: "https://docs.example.com/?a=1&b=<2>",
        ai_agent_availability: true,
      }),
    });
    const answer = await fetch(`${sandbox.url}/`);
    const html = await answer.text();
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(answer.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).toContain("https://docs.example.com/?a=1&amp;b=&lt;2&gt;");
    expect(html).toContain("https://docs.example.com</td>");
    expect(sandbox.stats().calls).toEqual({
      "POST /ai/content_import_sources": 1,
      "POST /ai/external_pages": 1,
    });
  });

  it("shows a page's stored HTML in a sandboxed iframe", async () => {
    const { sandbox, sourceId } = await withSource();
    const stored = `<h1>Hello "Fin"</h1><script>steal()</script>`;
    const page = await raw(sandbox, "POST", "/ai/external_pages", {
      body: pageBody(sourceId, "a", { html: stored }),
    });
    const html = await (await fetch(`${sandbox.url}/pages/${page.json.id}`)).text();
    expect(html).toContain(
      `<iframe sandbox="" title="Page content" srcdoc="&lt;h1&gt;Hello &quot;Fin&quot;&lt;/h1&gt;&lt;script&gt;steal()&lt;/script&gt;"></iframe>`,
    );
    expect((await fetch(`${sandbox.url}/pages/999`)).status).toBe(404);
  });

  it("filters the page list by source", async () => {
    const { sandbox, sourceId } = await withSource();
    const other = await raw(sandbox, "POST", "/ai/content_import_sources", {
      body: { sync_behavior: "api", url: "https://other.example" },
    });
    await raw(sandbox, "POST", "/ai/external_pages", {
      body: pageBody(sourceId, "in-first", { title: "First" }),
    });
    await raw(sandbox, "POST", "/ai/external_pages", {
      body: pageBody(other.json.id, "in-other", { title: "Other" }),
    });
    const html = await (await fetch(`${sandbox.url}/?source=${other.json.id}`)).text();
    expect(html).toContain(">Other</a>");
    expect(html).not.toContain(">First</a>");
  });
});
