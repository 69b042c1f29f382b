import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceEvent } from "../../src/contract.js";
import { notionConnector } from "../../src/notion/index.js";
import { type FixtureRequest, sharedContract } from "../../src/testing/index.js";
import { block, NotionFixture, paragraph, text } from "./notion-fixture.js";

/**
 * Holds every request the connector sends against Notion's own OpenAPI description
 * (`../shared/contracts/notion/mcp-server-openapi/notion-openapi.json`, maintained by Notion for its
 * MCP server): the path and method must be an operation there, every query parameter one it
 * declares, the JSON body valid against its request body schema with no undeclared top-level keys,
 * `Notion-Version` the version the file describes, and the credential its bearer scheme. Responses
 * are typed with the SDK's `…Response` types in the fixture instead (the file's are `{}`).
 */
const SPEC = sharedContract("notion/mcp-server-openapi/notion-openapi.json");
if (!SPEC) console.warn("notion contract test skipped: ../shared/contracts/notion is absent");

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { default?: unknown };
  $ref?: string;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: { "application/json"?: { schema?: Record<string, unknown> } } };
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter>; schemas: Record<string, unknown> };
}

const TOKEN = "ntn_contract_test_token";

function operationFor(
  spec: Spec,
  request: FixtureRequest,
): { template: string; operation: Operation } | undefined {
  for (const [template, operations] of Object.entries(spec.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    const operation = operations[request.method.toLowerCase()];
    if (pattern.test(request.path) && operation) return { template, operation };
  }
  return undefined;
}

describe.skipIf(!SPEC)("notion connector's requests against Notion's OpenAPI description", () => {
  let fixture: NotionFixture;
  let spec: Spec;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

  beforeAll(async () => {
    spec = JSON.parse(readFileSync(SPEC ?? "", "utf8")) as Spec;
    fixture = await NotionFixture.start(TOKEN);
    const root = fixture.addPage({
      title: "Root",
      content: [
        paragraph(text("Hello")),
        block("toggle", { rich_text: [text("More")], color: "default" }, [paragraph(text("Inside"))]),
      ],
    });
    fixture.addPage({ title: "Child", parent: { page: root } });
    const faq = fixture.addDatabase("FAQ", root);
    fixture.addPage({ title: "Row", parent: { dataSource: faq.dataSourceId } });
    const other = fixture.addDatabase("Other");
    fixture.addPage({ title: "Other row", parent: { dataSource: other.dataSourceId } });
    fixture.tick(3600);

    const connector = notionConnector.create(
      notionConnector.optionsSchema.parse({
        tokenEnv: "NOTION_TOKEN",
        baseUrl: fixture.url,
        pageSize: 2,
        pages: [root],
        databases: [other.databaseId],
        dataSources: [faq.dataSourceId],
      }),
      { sourceId: "notion-contract", logger: pino({ level: "silent" }), env: { NOTION_TOKEN: TOKEN } },
    );
    const ctx = { signal: new AbortController().signal, logger: pino({ level: "silent" }) };
    const events: SourceEvent[] = [];
    for await (const event of connector.listAll(ctx)) events.push(event);
    for (const event of events) if (event.kind === "document") await event.document.load();
    const cursor = events.at(-1);
    if (cursor?.kind !== "cursor" || !connector.listChanges) throw new Error("no cursor");
    for await (const _ of connector.listChanges(cursor.cursor, ctx));
    for await (const _ of connector.fetchByIds([root, "00000000-0000-4000-8000-000000000000"], ctx));
  });
  afterAll(async () => fixture?.close());

  it("sent every kind of request the connector makes", () => {
    const operations = new Set(
      fixture.server.requests.map((request) => `${request.method} ${operationFor(spec, request)?.template}`),
    );
    expect([...operations].sort()).toEqual(
      [
        "GET /v1/blocks/{block_id}/children",
        "GET /v1/data_sources/{data_source_id}",
        "GET /v1/databases/{database_id}",
        "GET /v1/pages/{page_id}",
        "POST /v1/data_sources/{data_source_id}/query",
        "POST /v1/search",
      ].sort(),
    );
  });

  it("sends only operations, query parameters and bodies the description declares, with its Notion-Version and bearer auth", () => {
    const problems: string[] = [];
    for (const request of fixture.server.requests) {
      const found = operationFor(spec, request);
      const where = `${request.method} ${request.path}`;
      if (!found) {
        problems.push(`${where}: no such operation`);
        continue;
      }
      const parameters = (found.operation.parameters ?? []).map((parameter) =>
        parameter.$ref ? spec.components.parameters[parameter.$ref.split("/").at(-1) ?? ""] : parameter,
      );
      const query = new Set(parameters.filter((p) => p?.in === "query").map((p) => p?.name));
      for (const name of request.query.keys())
        if (!query.has(name)) problems.push(`${where}: query ${name} undeclared`);
      const version = parameters.find((p) => p?.in === "header" && p.name === "Notion-Version");
      if (request.headers["notion-version"] !== version?.schema?.default)
        problems.push(
          `${where}: Notion-Version ${request.headers["notion-version"]} (described: ${version?.schema?.default})`,
        );
      if (request.headers.authorization !== `Bearer ${TOKEN}`) problems.push(`${where}: not bearer auth`);
      const schema = found.operation.requestBody?.content?.["application/json"]?.schema;
      if (request.method === "GET") {
        if (request.body !== "") problems.push(`${where}: a GET with a body`);
        continue;
      }
      if (!schema) {
        problems.push(`${where}: body not described`);
        continue;
      }
      const body = JSON.parse(request.body) as Record<string, unknown>;
      const declared = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
      for (const key of Object.keys(body))
        if (!declared.includes(key)) problems.push(`${where}: body.${key} undeclared`);
      const validate = ajv.compile({ ...schema, components: spec.components });
      if (!validate(body))
        for (const error of validate.errors ?? [])
          problems.push(`${where}: body${error.instancePath} ${error.message}`);
    }
    expect(problems).toEqual([]);
    expect(fixture.server.requests.length).toBeGreaterThan(10);
  });
});
