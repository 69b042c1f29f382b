import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_DIR, render, renderFromFile, type Spec } from "../../../../scripts/generate-intercom.js";
import { specAvailable, specPath } from "./spec-file.js";

/** A spec with one operation whose body and answer are the given schemas. */
function tinySpec(components: Spec["components"]["schemas"]): Spec {
  return {
    paths: {
      "/things/{id}": {
        post: {
          operationId: "createThing",
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            { name: "verbose", in: "query", schema: { type: "boolean" } },
          ],
          requestBody: {
            content: { "application/json": { schema: { $ref: "#/components/schemas/thing_request" } } },
          },
          responses: {
            "200": { content: { "application/json": { schema: { $ref: "#/components/schemas/thing" } } } },
          },
        },
      },
    },
    components: { schemas: components },
  };
}

describe("generate-intercom", () => {
  const files = render(
    tinySpec({
      thing: {
        type: "object",
        required: ["id"],
        properties: {
          id: { type: "string" },
          state: { type: "string", enum: ["open", "closed"] },
          note: { type: "string", nullable: true },
          parent: { $ref: "#/components/schemas/thing" },
          "odd-key": { type: "integer" },
        },
      },
      thing_request: {
        type: "object",
        nullable: true,
        properties: { email: { type: "string" }, user_id: { type: "string" } },
        anyOf: [{ required: ["email"] }, { required: ["user_id"] }],
      },
    }),
  );
  const types = files["types.ts"]!;
  const schemas = files["schemas.ts"]!;

  it("emits interfaces with optional, nullable, enum, recursive and quoted properties", () => {
    expect(types).toContain("export interface Thing {");
    expect(types).toContain("  id: string;");
    expect(types).toContain('  state?: "open" | "closed";');
    expect(types).toContain("  note?: string | null;");
    expect(types).toContain("  parent?: Thing;");
    expect(types).toContain('  "odd-key"?: number;');
  });

  it("emits loose zod objects that reference each other lazily", () => {
    expect(schemas).toContain("export const ThingSchema: z.ZodType<T.Thing> = z.looseObject({");
    expect(schemas).toContain("parent: z.lazy(() => ThingSchema).optional(),");
    expect(schemas).toContain("note: z.string().nullable().optional(),");
  });

  it("turns required-only anyOf members into a union and drops nullable from request bodies", () => {
    expect(types).toMatch(
      /export type ThingRequest = \(\{\n {2}email: string;\n {2}user_id\?: string;\n\} \| \{/,
    );
    expect(types).not.toMatch(/ThingRequest = [^;]*\| null;/);
    expect(schemas).toContain("export const ThingRequestSchema: z.ZodType<T.ThingRequest> = z.union([");
  });

  it("emits a query type per operation with query parameters", () => {
    expect(types).toContain("export interface CreateThingQuery {\n  verbose?: boolean;\n}");
  });

  it("refuses an inline schema whose name collides with a component", () => {
    const spec = tinySpec({
      create_thing_request: { type: "object", properties: {} },
      thing: { type: "string" },
    });
    const post = spec.paths["/things/{id}"]!.post as { requestBody: unknown };
    post.requestBody = { content: { "application/json": { schema: { type: "object", properties: {} } } } };
    expect(() => render(spec)).toThrow(/CreateThingRequest collides/);
  });
});

describe.skipIf(!specAvailable)("generated code", () => {
  it("has committed output that matches the spec", () => {
    const rendered = renderFromFile(specPath);
    for (const [file, content] of Object.entries(rendered)) {
      expect(readFileSync(path.join(GENERATED_DIR, file), "utf8"), `${file} is stale: npm run generate`).toBe(
        content,
      );
    }
  });
});
