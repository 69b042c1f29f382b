import type { ValidateFunction } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSandbox } from "../../src/sandbox/index.js";
import { closeSandboxes, openSandbox, pageBody, type RawAnswer, raw } from "./helpers.js";
import {
  loadSpecValidators,
  SPEC_PATH,
  type SpecValidators,
  specAvailable,
  toJsonSchema,
} from "./openapi-json-schema.js";

if (!specAvailable) {
  console.warn(`Skipping the spec conformance tests: ${SPEC_PATH} is missing.`);
}

function errorsOf(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors, null, 2);
}

describe.skipIf(!specAvailable)("sandbox answers match Intercom's OpenAPI 2.12 schemas", () => {
  let spec: SpecValidators;
  let sandbox: RunningSandbox;
  let sourceId: number;
  let pageId: string;

  /** Checks status and body against the operation's documented response. */
  function expectConforms(answer: RawAnswer, pathTemplate: string, method: string, status: number): void {
    expect(answer.status).toBe(status);
    expect(spec.documents(pathTemplate, method, status)).toBe(true);
    const validate = spec.response(pathTemplate, method, status);
    const valid = validate(answer.json);
    expect(valid, errorsOf(validate)).toBe(true);
  }

  beforeAll(async () => {
    spec = loadSpecValidators();
    sandbox = await openSandbox({ rateLimit: { perMinute: 6_000 }, perPage: 2 });
    const source = await raw(sandbox, "POST", "/ai/content_import_sources", {
      body: { sync_behavior: "api", url: "https://docs.example.com" },
    });
    sourceId = source.json.id;
    for (const externalId of ["a", "b", "c"]) {
      const page = await raw(sandbox, "POST", "/ai/external_pages", { body: pageBody(sourceId, externalId) });
      pageId = page.json.id;
    }
    await raw(sandbox, "POST", "/ai/external_pages", {
      body: pageBody(sourceId, "no-url", { url: undefined, ai_copilot_availability: true }),
    });
  });

  afterAll(closeSandboxes);

  it("GET /me", async () => {
    expectConforms(await raw(sandbox, "GET", "/me"), "/me", "GET", 200);
  });

  it("POST /ai/content_import_sources", async () => {
    const answer = await raw(sandbox, "POST", "/ai/content_import_sources", {
      body: { sync_behavior: "api", url: "https://other.example", status: "deactivated" },
    });
    expectConforms(answer, "/ai/content_import_sources", "POST", 200);
  });

  it("GET /ai/content_import_sources, first page and the page pages.next points to", async () => {
    const first = await raw(sandbox, "GET", "/ai/content_import_sources");
    expectConforms(first, "/ai/content_import_sources", "GET", 200);
    expect(first.json.pages.next).toBeUndefined();
    await raw(sandbox, "POST", "/ai/content_import_sources", {
      body: { sync_behavior: "api", url: "https://x.example" },
    });
    const again = await raw(sandbox, "GET", "/ai/content_import_sources");
    expectConforms(again, "/ai/content_import_sources", "GET", 200);
    expect(again.json.pages.next).toMatch(/^http:\/\//);
  });

  it("GET, PUT and DELETE /ai/content_import_sources/{id}", async () => {
    const created = await raw(sandbox, "POST", "/ai/content_import_sources", {
      body: { sync_behavior: "api", url: "https://temp.example" },
    });
    const id = created.json.id;
    expectConforms(
      await raw(sandbox, "GET", `/ai/content_import_sources/${id}`),
      "/ai/content_import_sources/{id}",
      "GET",
      200,
    );
    expectConforms(
      await raw(sandbox, "PUT", `/ai/content_import_sources/${id}`, {
        body: { sync_behavior: "api", url: "https://temp2.example" },
      }),
      "/ai/content_import_sources/{id}",
      "PUT",
      200,
    );
    const deleted = await raw(sandbox, "DELETE", `/ai/content_import_sources/${id}`);
    expect(deleted.status).toBe(204);
    expect(spec.documents("/ai/content_import_sources/{id}", "DELETE", 204)).toBe(true);
    expect(deleted.text).toBe("");
  });

  it("POST /ai/external_pages (create and update)", async () => {
    const body = pageBody(sourceId, "posted", { ai_agent_availability: true });
    expectConforms(
      await raw(sandbox, "POST", "/ai/external_pages", { body }),
      "/ai/external_pages",
      "POST",
      200,
    );
    expectConforms(
      await raw(sandbox, "POST", "/ai/external_pages", { body: { ...body, title: "changed" } }),
      "/ai/external_pages",
      "POST",
      200,
    );
  });

  it("GET /ai/external_pages, following pages.next to the end", async () => {
    let path: string | undefined = "/ai/external_pages";
    let pages = 0;
    while (path !== undefined) {
      const answer = await raw(sandbox, "GET", path);
      expectConforms(answer, "/ai/external_pages", "GET", 200);
      pages += 1;
      const next: string | undefined = answer.json.pages.next;
      path = next === undefined ? undefined : next.slice(sandbox.url.length);
    }
    expect(pages).toBeGreaterThan(1);
  });

  it("GET, PUT and DELETE /ai/external_pages/{id}", async () => {
    expectConforms(
      await raw(sandbox, "GET", `/ai/external_pages/${pageId}`),
      "/ai/external_pages/{id}",
      "GET",
      200,
    );
    expectConforms(
      await raw(sandbox, "PUT", `/ai/external_pages/${pageId}`, {
        body: { ...pageBody(sourceId, "c"), title: "put", fin_availability: true },
      }),
      "/ai/external_pages/{id}",
      "PUT",
      200,
    );
    expectConforms(
      await raw(sandbox, "DELETE", `/ai/external_pages/${pageId}`),
      "/ai/external_pages/{id}",
      "DELETE",
      200,
    );
  });

  it("401 error.list on every AI Content operation", async () => {
    const operations: [string, string, string][] = [
      ["GET", "/ai/content_import_sources", "/ai/content_import_sources"],
      ["POST", "/ai/content_import_sources", "/ai/content_import_sources"],
      ["GET", `/ai/content_import_sources/${sourceId}`, "/ai/content_import_sources/{id}"],
      ["PUT", `/ai/content_import_sources/${sourceId}`, "/ai/content_import_sources/{id}"],
      ["DELETE", `/ai/content_import_sources/${sourceId}`, "/ai/content_import_sources/{id}"],
      ["GET", "/ai/external_pages", "/ai/external_pages"],
      ["POST", "/ai/external_pages", "/ai/external_pages"],
      ["GET", "/ai/external_pages/1", "/ai/external_pages/{id}"],
      ["PUT", "/ai/external_pages/1", "/ai/external_pages/{id}"],
      ["DELETE", "/ai/external_pages/1", "/ai/external_pages/{id}"],
    ];
    for (const [method, path, template] of operations) {
      expectConforms(await raw(sandbox, method, path, { token: "wrong" }), template, method, 401);
    }
  });

  it("400, 404, 405 and 429 answers are error lists too", async () => {
    const validate = spec.component("error");
    const answers = [
      await raw(sandbox, "POST", "/ai/external_pages", { body: { title: 1 } }),
      await raw(sandbox, "GET", "/ai/external_pages/999999"),
      await raw(sandbox, "PATCH", "/ai/external_pages"),
    ];
    sandbox.setRateLimit({ perMinute: 6 });
    await raw(sandbox, "GET", "/me");
    answers.push(await raw(sandbox, "GET", "/me"));
    sandbox.setRateLimit(false);
    expect(answers.map((answer) => answer.status)).toEqual([400, 404, 405, 429]);
    for (const answer of answers) expect(validate(answer.json), errorsOf(validate)).toBe(true);
  });

  it("the closed schemas catch an undocumented field (the check can fail)", () => {
    const validate = spec.component("external_page");
    const page = sandbox.store.listPages()[0];
    expect(validate(page)).toBe(true);
    expect(validate({ ...page, secret_field: 1 })).toBe(false);
    expect(validate({ ...page, id: 5 })).toBe(false);
  });

  it("converts nullable and $ref as JSON Schema expects", () => {
    expect(toJsonSchema({ type: "string", nullable: true, example: "x" }, false)).toEqual({
      type: ["string", "null"],
    });
    expect(toJsonSchema({ $ref: "#/components/schemas/app", nullable: true }, false)).toEqual({
      anyOf: [{ $ref: "#/definitions/app" }, { type: "null" }],
    });
    expect(toJsonSchema({ type: "object", properties: { a: { type: "integer" } } }, true)).toEqual({
      type: "object",
      properties: { a: { type: "integer" } },
      additionalProperties: false,
    });
  });
});
