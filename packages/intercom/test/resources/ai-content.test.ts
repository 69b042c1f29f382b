import { afterEach, describe, expect, it } from "vitest";
import { IntercomClient } from "../../src/client.js";
import {
  externalPage,
  type LocalIntercom,
  type ReceivedRequest,
  type Reply,
  startLocalIntercom,
} from "./local-intercom.js";

let server: LocalIntercom | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(
  answer: (request: ReceivedRequest, baseUrl: string) => Reply,
): Promise<IntercomClient> {
  server = await startLocalIntercom(answer);
  return new IntercomClient({
    token: "test-token",
    baseUrl: server.baseUrl,
    validation: "strict",
    maxRetries: 0,
  });
}

describe("aiContent", () => {
  it("lists External Pages across pages by following pages.next", async () => {
    const client = await clientFor((request, baseUrl) => {
      if (request.query.page === "2") {
        return {
          json: { type: "list", data: [externalPage("3")], pages: { type: "pages", page: 2, next: null } },
        };
      }
      return {
        json: {
          type: "list",
          data: [externalPage("1"), externalPage("2")],
          pages: {
            type: "pages",
            page: 1,
            per_page: 2,
            total_pages: 2,
            next: `${baseUrl}/ai/external_pages?page=2`,
          },
        },
      };
    });

    const pages = await client.aiContent.listExternalPages().toArray();

    expect(pages.map((page) => page.id)).toEqual(["1", "2", "3"]);
    expect(server!.received.map((r) => [r.method, r.rawPath, r.query])).toEqual([
      ["GET", "/ai/external_pages", {}],
      ["GET", "/ai/external_pages", { page: "2" }],
    ]);
    expect(server!.received[1]!.headers.authorization).toBe("Bearer test-token");
  });

  it("stops after one request when the first page has no next link", async () => {
    const client = await clientFor(() => ({
      json: {
        type: "list",
        data: [
          {
            type: "content_import_source",
            id: 5,
            url: "https://x.example",
            sync_behavior: "api",
            status: "active",
            created_at: 1,
            updated_at: 1,
            last_synced_at: 1,
          },
        ],
        pages: { type: "pages", page: 1, total_pages: 1 },
      },
    }));

    const sources = await client.aiContent.listContentImportSources().toArray();

    expect(sources.map((source) => source.id)).toEqual([5]);
    expect(server!.received).toHaveLength(1);
    expect(server!.received[0]!.rawPath).toBe("/ai/content_import_sources");
  });

  it("sends the upsert body as JSON and returns the page", async () => {
    const client = await clientFor((request) => ({
      json: externalPage("42", request.body as Record<string, unknown>),
    }));
    const body = {
      title: "Install guide",
      html: "<h1>Install</h1>",
      url: "https://docs.example.com/install",
      locale: "en" as const,
      source_id: 7,
      external_id: "install",
      ai_agent_availability: true,
      ai_copilot_availability: true,
    };

    const page = await client.aiContent.createExternalPage(body);

    expect(page.id).toBe("42");
    expect(server!.received[0]).toMatchObject({ method: "POST", rawPath: "/ai/external_pages", body });
    expect(server!.received[0]!.headers["content-type"]).toContain("application/json");
  });

  it("refuses an invalid page body before sending anything", async () => {
    const client = await clientFor(() => ({ json: externalPage("1") }));
    const invalid = {
      title: "No html",
      locale: "en",
      source_id: 7,
      external_id: "x",
    } as unknown as Parameters<typeof client.aiContent.createExternalPage>[0];

    await expect(client.aiContent.createExternalPage(invalid)).rejects.toMatchObject({
      name: "IntercomValidationError",
    });
    expect(server!.received).toHaveLength(0);
  });

  it("encodes ids in the path and resolves a 204 delete with undefined", async () => {
    const client = await clientFor(() => ({ status: 204 }));

    await expect(client.aiContent.deleteContentImportSource("a/b c")).resolves.toBeUndefined();

    expect(server!.received[0]).toMatchObject({
      method: "DELETE",
      rawPath: "/ai/content_import_sources/a%2Fb%20c",
    });
  });

  it("rejects an answer that breaks the schema in strict mode, naming the field", async () => {
    const client = await clientFor(() => ({ json: externalPage("9", { source_id: "seven" }) }));

    const failure = client.aiContent.getExternalPage("9");

    await expect(failure).rejects.toMatchObject({ name: "IntercomResponseValidationError" });
    await expect(failure).rejects.toThrow(/source_id/);
  });

  it("accepts fields Intercom adds beyond the spec", async () => {
    const client = await clientFor(() => ({
      json: externalPage("9", { brand_new_field: { nested: true } }),
    }));

    const page = await client.aiContent.getExternalPage("9");

    expect(page).toMatchObject({ id: "9", brand_new_field: { nested: true } });
  });
});
