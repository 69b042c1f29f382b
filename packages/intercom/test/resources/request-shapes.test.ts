import { afterEach, describe, expect, it } from "vitest";
import { IntercomClient } from "../../src/client.js";
import { type ApiRequest, HttpClient, type RequestOptions } from "../../src/core/index.js";
import { OPERATIONS } from "../../src/resources/operations.js";
import {
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

const tag = { type: "tag", id: "7", name: "VIP" };

describe("paths", () => {
  it("encodes every path parameter and fills them in template order", async () => {
    const client = await clientFor(() => ({ json: tag }));

    await client.tags.untagConversation("conv/1", "tag 2?", { admin_id: "991" });

    expect(server!.received[0]).toMatchObject({
      method: "DELETE",
      rawPath: "/conversations/conv%2F1/tags/tag%202%3F",
      body: { admin_id: "991" },
    });
  });

  it("refuses an empty path parameter instead of calling the list endpoint", async () => {
    const client = await clientFor(() => ({ json: tag }));

    await expect(client.contacts.get("")).rejects.toThrow(/ShowContact: path parameter "id"/);
    expect(server!.received).toHaveLength(0);
  });
});

describe("query shapes", () => {
  it("sends the data events filter form-exploded and follows pages.next", async () => {
    const client = await clientFor((request, baseUrl) => ({
      json: {
        type: "event.summary",
        events: [{ name: request.query.page === "2" ? "second" : "first" }],
        pages: request.query.page === "2" ? {} : { next: `${baseUrl}/events?user_id=u-1&type=user&page=2` },
      },
    }));

    const events = await client.dataEvents.list({ filter: { user_id: "u-1" }, type: "user" }).toArray();

    expect(events.map((event) => event.name)).toEqual(["first", "second"]);
    expect(server!.received[0]!.query).toEqual({ user_id: "u-1", type: "user" });
  });

  it("drops undefined query values and keeps booleans", async () => {
    const client = await clientFor(() => ({ json: { type: "list", data: [] } }));

    await client.dataAttributes.list({ model: "company", include_archived: false });
    await client.dataAttributes.list({ model: undefined });

    expect(server!.received.map((r) => r.query)).toEqual([
      { model: "company", include_archived: "false" },
      {},
    ]);
  });

  it("pages companies with page numbers on POST /companies/list", async () => {
    const company = (id: string) => ({ type: "company", id, company_id: id, app_id: "app", name: id });
    const client = await clientFor((request) => {
      const page = Number(request.query.page ?? 1);
      return {
        json: {
          type: "list",
          data: [company(`c${page}`)],
          pages: { type: "pages", page, per_page: 1, total_pages: 2 },
        },
      };
    });

    const companies = await client.companies.list({ per_page: 1, order: "asc" }).toArray();

    expect(companies.map((c) => c.id)).toEqual(["c1", "c2"]);
    expect(server!.received.map((r) => [r.method, r.rawPath, r.query])).toEqual([
      ["POST", "/companies/list", { per_page: "1", order: "asc" }],
      ["POST", "/companies/list", { per_page: "1", order: "asc", page: "2" }],
    ]);
  });

  it("follows the conversations cursor with starting_after", async () => {
    const client = await clientFor((request) => ({
      json: {
        type: "conversation.list",
        conversations: [{ type: "conversation", id: request.query.starting_after ? "2" : "1" }],
        pages: request.query.starting_after
          ? { type: "pages" }
          : { type: "pages", next: { starting_after: "cursor-1" } },
      },
    }));

    const conversations = await client.conversations.list({ per_page: 1 }).toArray();

    expect(conversations.map((c) => c.id)).toEqual(["1", "2"]);
    expect(server!.received.map((r) => r.query)).toEqual([
      { per_page: "1" },
      { per_page: "1", starting_after: "cursor-1" },
    ]);
  });
});

describe("body shapes", () => {
  it("searches contacts, sending the cursor back in body.pagination", async () => {
    const contact = (id: string) => ({ type: "contact", id });
    const client = await clientFor((request) => {
      const cursor = (request.body as { pagination?: { starting_after?: string } }).pagination
        ?.starting_after;
      return {
        json: {
          type: "list",
          data: [contact(cursor ? "b" : "a")],
          pages: cursor ? { type: "pages" } : { type: "pages", next: { per_page: 1, starting_after: "abc" } },
        },
      };
    });
    const query = { field: "email", operator: "=", value: "a@example.com" } as const;

    const contacts = await client.contacts.search({ query, pagination: { per_page: 1 } }).toArray();

    expect(contacts.map((c) => c.id)).toEqual(["a", "b"]);
    expect(server!.received.map((r) => r.body)).toEqual([
      { query, pagination: { per_page: 1 } },
      { query, pagination: { per_page: 1, starting_after: "abc" } },
    ]);
  });

  it("sends an update body with the query next to it", async () => {
    const client = await clientFor(() => ({ json: { type: "conversation", id: "5" } }));

    await client.conversations.update("5", { read: true }, { display_as: "plaintext" });

    expect(server!.received[0]).toMatchObject({
      method: "PUT",
      rawPath: "/conversations/5",
      query: { display_as: "plaintext" },
      body: { read: true },
    });
  });

  it("downloads a data export as bytes, asking for octet-stream", async () => {
    const bytes = new Uint8Array([31, 139, 8, 0, 1, 2, 3]);
    const client = await clientFor(() => ({ bytes }));

    const downloaded = await client.dataExport.download("job 1");

    expect(Array.from(downloaded)).toEqual(Array.from(bytes));
    expect(server!.received[0]).toMatchObject({ rawPath: "/download/content/data/job%201" });
    expect(server!.received[0]!.headers.accept).toBe("application/octet-stream");
  });
});

/** Keeps the requests the resources describe, to check retry safety without waiting for backoff. */
class RecordingHttpClient extends HttpClient {
  readonly described: ApiRequest[] = [];

  override request<T>(request: ApiRequest, _options?: RequestOptions): Promise<T> {
    this.described.push(request);
    return Promise.resolve({} as T);
  }
}

describe("retry safety", () => {
  it("marks upserts as idempotent and leaves creates that would duplicate unmarked", async () => {
    const client = new IntercomClient({ token: "t", baseUrl: "http://127.0.0.1:9" });
    const http = new RecordingHttpClient({ token: "t", baseUrl: "http://127.0.0.1:9" });
    Object.defineProperty(client, "http", { value: http });
    const page = { title: "t", html: "<p/>", locale: "en" as const, source_id: 1, external_id: "e" };

    await client.aiContent.createExternalPage(page);
    await client.companies.createOrUpdate({ company_id: "c-1" });
    await client.messages.create({
      message_type: "in_app",
      body: "hi",
      from: { type: "admin", id: 1 },
      to: { type: "user", id: "u" },
    });
    await client.conversations.reply("1", {
      message_type: "comment",
      type: "user",
      body: "hi",
      intercom_user_id: "u",
    });

    expect(http.described.map((r) => [r.method, r.path, r.idempotent ?? false])).toEqual([
      ["POST", "/ai/external_pages", true],
      ["POST", "/companies", true],
      ["POST", "/messages", false],
      ["POST", "/conversations/1/reply", false],
    ]);
    expect(OPERATIONS.createExternalPage.idempotent).toBe(true);
  });
});
