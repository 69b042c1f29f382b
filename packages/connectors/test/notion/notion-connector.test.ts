import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Connector, FetchedDocument, SourceEvent } from "../../src/contract.js";
import { ConnectorError } from "../../src/errors.js";
import { notionConnector } from "../../src/notion/index.js";
import { block, NotionFixture, notionError, paragraph, text } from "./notion-fixture.js";

const TOKEN = "ntn_4242_integration_secret_token";
const logger = pino({ level: "silent" });
const ctx = () => ({ signal: new AbortController().signal, logger });

async function collect(iterable: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

const ids = (events: SourceEvent[], kind: SourceEvent["kind"]) =>
  events
    .flatMap((event) =>
      event.kind !== kind
        ? []
        : event.kind === "document"
          ? [event.document.externalId]
          : "externalId" in event
            ? [event.externalId]
            : [],
    )
    .sort();

async function documents(events: SourceEvent[]): Promise<Map<string, FetchedDocument>> {
  const docs = new Map<string, FetchedDocument>();
  for (const event of events)
    if (event.kind === "document") docs.set(event.document.externalId, await event.document.load());
  return docs;
}

const changesOf = (connector: Connector, cursor: string) => {
  if (!connector.listChanges) throw new Error("no change feed");
  return connector.listChanges(cursor, ctx());
};

const lastCursor = (events: SourceEvent[]): string => {
  const last = events.at(-1);
  if (last?.kind !== "cursor") throw new Error(`last event is ${last?.kind}`);
  return last.cursor;
};

async function failure(run: Promise<unknown>): Promise<ConnectorError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`);
  return error;
}

const htmlOf = (doc: FetchedDocument | undefined) => (doc?.body.kind === "html" ? doc.body.html : "");

describe("notion connector", () => {
  let fixture: NotionFixture;
  afterEach(async () => fixture?.close());

  const connect = (
    options: Record<string, unknown> = {},
    env: Record<string, string> = { NOTION_TOKEN: TOKEN },
  ) =>
    notionConnector.create(
      notionConnector.optionsSchema.parse({
        tokenEnv: "NOTION_TOKEN",
        baseUrl: fixture.url,
        pageSize: 2,
        ...options,
      }),
      { sourceId: "notion-wiki", logger, env },
    );

  it("lists every shared page across search pages, with title, URL, path and metadata, pinning Notion-Version 2025-09-03", async () => {
    fixture = await NotionFixture.start(TOKEN);
    const handbook = fixture.addPage({ title: "Handbook", content: [paragraph(text("Welcome"))] });
    const oncall = fixture.addPage({ title: "On call", parent: { page: handbook } });
    const escalation = fixture.addPage({ title: "Escalation", parent: { page: oncall } });
    const glossary = fixture.addPage({ title: "Glossary", publicUrl: "https://acme.notion.site/Glossary" });
    const trashed = fixture.addPage({ title: "Old" });
    fixture.trash(trashed);
    fixture.tick(3600);

    const events = await collect(connect().listAll(ctx()));

    expect(ids(events, "document")).toEqual([handbook, oncall, escalation, glossary].sort());
    expect(events.at(-1)?.kind).toBe("cursor");
    const searches = fixture.server.requestsTo("/v1/search");
    expect(searches).toHaveLength(2); // four pages, two per request
    expect(JSON.parse(searches[0]?.body ?? "")).toEqual({
      filter: { property: "object", value: "page" },
      sort: { timestamp: "last_edited_time", direction: "descending" },
      page_size: 2,
    });
    expect(JSON.parse(searches[1]?.body ?? "").start_cursor).toBeTruthy();
    for (const request of fixture.server.requests)
      expect(request.headers["notion-version"]).toBe("2025-09-03");

    const docs = await documents(events);
    expect(docs.get(escalation)).toMatchObject({
      title: "Escalation",
      url: `https://www.notion.so/Escalation-${escalation.replace(/-/g, "")}`,
      metadata: { type: "page", path: "Handbook/On call/Escalation" },
    });
    expect(docs.get(escalation)?.version).toMatch(/^2026-03-02T09:00:00\.000Z#/);
    expect(htmlOf(docs.get(handbook))).toBe("<p>Welcome</p>");
    expect(connect({ preferPublicUrl: true })).toBeDefined();
    const publicDocs = await documents(await collect(connect({ preferPublicUrl: true }).listAll(ctx())));
    expect(publicDocs.get(glossary)?.url).toBe("https://acme.notion.site/Glossary");
  });

  it("renders every supported block type, nested children and rich-text annotations, escaping text and skipping unsupported blocks", async () => {
    fixture = await NotionFixture.start(TOKEN);
    const rt = (content: string) => [text(content)];
    const page = fixture.addPage({
      title: "Everything",
      content: [
        paragraph(
          text("bold", { bold: true }),
          text(" italic", { italic: true }),
          text(" struck", { strikethrough: true }),
          text(" under", { underline: true }),
          text(" code", { code: true }),
          text(" link", {}, "https://example.com/a?b=1&c=2"),
          text(" <script>alert(1)</script>"),
          text(" bad", {}, "javascript:alert(1)"),
        ),
        block("heading_1", { rich_text: rt("One"), color: "default", is_toggleable: false }),
        block("heading_2", { rich_text: rt("Two"), color: "default", is_toggleable: false }),
        block("heading_3", { rich_text: rt("Three"), color: "default", is_toggleable: false }),
        block("bulleted_list_item", { rich_text: rt("b1"), color: "default" }, [
          block("bulleted_list_item", { rich_text: rt("b1.1"), color: "default" }),
        ]),
        block("bulleted_list_item", { rich_text: rt("b2"), color: "default" }),
        block("numbered_list_item", { rich_text: rt("n1"), color: "default" }),
        block("numbered_list_item", { rich_text: rt("n2"), color: "default" }),
        block("to_do", { rich_text: rt("done"), color: "default", checked: true }),
        block("to_do", { rich_text: rt("open"), color: "default", checked: false }),
        block("toggle", { rich_text: rt("More"), color: "default" }, [paragraph(text("Hidden"))]),
        block("code", { rich_text: rt("const a = 1 < 2;"), caption: [], language: "typescript" }),
        block("quote", { rich_text: rt("Quoted"), color: "default" }),
        block("callout", { rich_text: rt("Careful"), color: "default", icon: { type: "emoji", emoji: "⚠️" } }),
        block("divider", {}),
        block("equation", { expression: "e = mc^2" }),
        block("table", { has_column_header: true, has_row_header: false, table_width: 2 }, [
          block("table_row", { cells: [rt("Name"), rt("Role")] }),
          block("table_row", { cells: [rt("Ada"), rt("Eng")] }),
        ]),
        block("column_list", {}, [
          block("column", {}, [paragraph(text("Left"))]),
          block("column", {}, [paragraph(text("Right"))]),
        ]),
        block("image", {
          type: "external",
          external: { url: "https://cdn.example.com/a.png" },
          caption: rt("Diagram"),
        }),
        block("image", {
          type: "file",
          file: { url: "https://files.notion.example/b.png?sig=1", expiry_time: "2026-03-02T10:00:00.000Z" },
          caption: [],
        }),
        block("bookmark", { url: "https://example.com/bookmark", caption: [] }),
        block("link_preview", { url: "https://github.com/acme/repo/pull/1" }),
        block("child_page", { title: "Sub page" }),
        block("child_database", { title: "Tasks" }),
        block("breadcrumb", {}),
      ],
    });
    fixture.tick(3600);
    const events = await collect(connect({ pageSize: 3 }).fetchByIds([page], ctx()));
    const html = htmlOf((await documents(events)).get(page));

    expect(html).toContain(
      '<p><strong>bold</strong><em> italic</em><s> struck</s><u> under</u><code> code</code><a href="https://example.com/a?b=1&amp;c=2"> link</a> &lt;script&gt;alert(1)&lt;/script&gt; bad</p>',
    );
    expect(html).toContain("<h1>One</h1><h2>Two</h2><h3>Three</h3>");
    expect(html).toContain(
      "<ul><li>b1<ul><li>b1.1</li></ul></li><li>b2</li></ul><ol><li>n1</li><li>n2</li></ol>",
    );
    expect(html).toContain(
      '<ul class="to-do"><li><input type="checkbox" disabled checked> done</li><li><input type="checkbox" disabled> open</li></ul>',
    );
    expect(html).toContain("<details><summary>More</summary><p>Hidden</p></details>");
    expect(html).toContain('<pre><code class="language-typescript">const a = 1 &lt; 2;</code></pre>');
    expect(html).toContain("<blockquote>Quoted</blockquote>");
    expect(html).toContain('<aside class="callout"><p>⚠️ Careful</p></aside>');
    expect(html).toContain("<hr>");
    expect(html).toContain('<p class="equation"><code>e = mc^2</code></p>');
    expect(html).toContain(
      "<table><thead><tr><th>Name</th><th>Role</th></tr></thead><tbody><tr><td>Ada</td><td>Eng</td></tr></tbody></table>",
    );
    expect(html).toContain(
      '<div class="columns"><div class="column"><p>Left</p></div><div class="column"><p>Right</p></div></div>',
    );
    expect(html).toContain(
      '<figure><img src="https://cdn.example.com/a.png" alt="Diagram"><figcaption>Diagram</figcaption></figure>',
    );
    expect(html).toContain('<img src="https://files.notion.example/b.png?sig=1" alt="">');
    expect(html).toContain('<a href="https://example.com/bookmark">https://example.com/bookmark</a>');
    expect(html).toContain('<a href="https://github.com/acme/repo/pull/1">');
    expect(html).toMatch(
      /<p class="child-page"><a href="https:\/\/www\.notion\.so\/[0-9a-f]{32}">Sub page<\/a><\/p>/,
    );
    expect(html).toContain(">Tasks</a>");
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("breadcrumb");
    // 26 top-level blocks at three per request: nine pages of children, each after the first with a cursor.
    const top = fixture.server.requestsTo(`/v1/blocks/${page}/children`);
    expect(top).toHaveLength(9);
    expect(top.slice(1).every((request) => request.query.get("start_cursor"))).toBe(true);
    // Children of child pages and databases are documents of their own, never read as content.
    const childBlocks = [...fixture.blocks.values()].filter(
      (b) => b.type === "child_page" || b.type === "child_database",
    );
    for (const child of childBlocks)
      expect(fixture.server.requestsTo(`/v1/blocks/${child.id}/children`)).toHaveLength(0);
  });

  it("scopes to root pages (with their sub-pages) and data sources (of configured databases too), labels and status from properties", async () => {
    fixture = await NotionFixture.start(TOKEN);
    const root = fixture.addPage({ title: "Docs" });
    const child = fixture.addPage({ title: "Install", parent: { page: root } });
    fixture.addPage({ title: "Elsewhere" });
    const faq = fixture.addDatabase("FAQ");
    const tasks = fixture.addDatabase("Tasks", root);
    const q1 = fixture.addPage({
      title: "How to log in",
      parent: { dataSource: faq.dataSourceId },
      tags: ["auth", "faq"],
      status: "Published",
    });
    const q2 = fixture.addPage({ title: "How to reset", parent: { dataSource: faq.dataSourceId } });
    const q3 = fixture.addPage({ title: "Retired", parent: { dataSource: faq.dataSourceId } });
    fixture.trash(q3);
    const task = fixture.addPage({ title: "Write docs", parent: { dataSource: tasks.dataSourceId } });
    fixture.tick(3600);

    const byDatabase = await collect(
      connect({ databases: [faq.databaseId.replace(/-/g, "")] }).listAll(ctx()),
    );
    expect(ids(byDatabase, "document")).toEqual([q1, q2].sort());
    expect(fixture.server.requestsTo("/v1/search")).toHaveLength(0);
    const query = fixture.server.requestsTo(`/v1/data_sources/${faq.dataSourceId}/query`)[0];
    expect(JSON.parse(query?.body ?? "")).toEqual({ page_size: 2 });
    const row = (await documents(byDatabase)).get(q1);
    expect(row).toMatchObject({
      title: "How to log in",
      metadata: {
        type: "database_row",
        labels: ["auth", "faq"],
        status: "Published",
        space: "FAQ",
        path: "FAQ/How to log in",
      },
    });

    const byRoot = await collect(connect({ pages: [root], dataSources: [faq.dataSourceId] }).listAll(ctx()));
    expect(ids(byRoot, "document")).toEqual([root, child, q1, q2, task].sort());
    expect((await documents(byRoot)).get(task)?.metadata.path).toBe("Docs/Tasks/Write docs");
    const only = await collect(connect({ pages: [root], includeChildPages: false }).listAll(ctx()));
    expect(ids(only, "document")).toEqual([root]);
    // A root page search has not indexed yet is listed all the same: it is read by id.
    fixture.unindexed.add(root);
    const unindexed = await collect(connect({ pages: [root] }).listAll(ctx()));
    expect(ids(unindexed, "document")).toEqual([root, child, task].sort());
  });

  it("changes: re-reads search newest first down to the cursor minus the overlap and emits a cursor; a trashed page is deleted by id", async () => {
    fixture = await NotionFixture.start(TOKEN);
    const pages = Array.from({ length: 6 }, (_, index) => fixture.addPage({ title: `Page ${index}` }));
    fixture.tick(3600);
    const connector = connect({ overlapMinutes: 5 });
    const first = await collect(connector.listAll(ctx()));
    expect(ids(first, "document")).toHaveLength(6);
    const [a = "", b = "", c = ""] = pages;

    // The cursor is the local clock at the start of the run; Notion's minute-rounded times later.
    fixture.now = new Date(Date.now() + 60_000);
    fixture.edit(a, { title: "Page 0 renamed" });
    fixture.trash(b);
    const later = fixture.addPage({ title: "New page" });
    fixture.server.requests.length = 0;
    const changes = await collect(changesOf(connector, lastCursor(first)));

    expect(ids(changes, "document")).toEqual([a, later].sort());
    expect(ids(changes, "deleted")).toEqual([]); // trashed pages leave search: the full listing removes them
    expect(changes.at(-1)?.kind).toBe("cursor");
    // Two results per request: the second page of results reaches pages older than the window.
    expect(fixture.server.requestsTo("/v1/search")).toHaveLength(2);
    const renamed = (await documents(changes)).get(a);
    expect(renamed?.title).toBe("Page 0 renamed");
    // Fresh edits carry no version: Notion's minute rounding cannot tell two edits in one minute apart.
    expect(renamed?.version).toBe("");

    const byId = await collect(connector.fetchByIds([b, c], ctx()));
    expect(ids(byId, "deleted")).toEqual([b]);
    expect(ids(byId, "document")).toEqual([c]);

    const other = await failure(collect(changesOf(connect({ pages: [c] }), lastCursor(first))));
    expect(other.kind).toBe("cursor_expired");
    const junk = await failure(collect(changesOf(connector, "not a cursor")));
    expect(junk.kind).toBe("config");
  });

  it("changes in data sources come from the query's last_edited_time filter", async () => {
    fixture = await NotionFixture.start(TOKEN);
    const faq = fixture.addDatabase("FAQ");
    const keep = fixture.addPage({ title: "Kept", parent: { dataSource: faq.dataSourceId } });
    const edited = fixture.addPage({ title: "Edited", parent: { dataSource: faq.dataSourceId } });
    fixture.tick(3600);
    const connector: Connector = connect({ dataSources: [faq.dataSourceId] });
    const first = await collect(connector.listAll(ctx()));
    expect(ids(first, "document")).toEqual([keep, edited].sort());
    fixture.now = new Date(Date.now() + 60_000);
    fixture.edit(edited, { title: "Edited again" });
    fixture.server.requests.length = 0;
    const changes = await collect(changesOf(connector, lastCursor(first)));
    expect(ids(changes, "document")).toEqual([edited]);
    const query = fixture.server.requestsTo(`/v1/data_sources/${faq.dataSourceId}/query`)[0];
    expect(JSON.parse(query?.body ?? "").filter).toEqual({
      timestamp: "last_edited_time",
      last_edited_time: { on_or_after: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
  });

  it("fetchByIds: 404 is missing (Notion's answer for unshared too), trash is deleted, a moved-out page is deleted", async () => {
    fixture = await NotionFixture.start(TOKEN);
    const root = fixture.addPage({ title: "Root" });
    const inside = fixture.addPage({ title: "Inside", parent: { page: root } });
    const outside = fixture.addPage({ title: "Outside" });
    const gone = fixture.addPage({ title: "Gone", parent: { page: root } });
    const binned = fixture.addPage({ title: "Binned", parent: { page: root } });
    fixture.purge(gone);
    fixture.trash(binned);
    fixture.tick(3600);
    const events = await collect(
      connect({ pages: [root] }).fetchByIds([inside, outside, gone, binned, "nope"], ctx()),
    );
    expect(ids(events, "document")).toEqual([inside]);
    expect(ids(events, "deleted")).toEqual([outside, binned].sort());
    expect(ids(events, "missing")).toEqual([gone, "nope"].sort());
    const missing = events.find((event) => event.kind === "missing" && event.externalId === gone);
    expect(missing).toMatchObject({ reason: expect.stringContaining("not shared") });
  });

  it("a refused token is an auth error naming its env var, never the token; an unshared database is a config error", async () => {
    fixture = await NotionFixture.start(TOKEN);
    fixture.addPage({ title: "Any" });
    const refused = await failure(
      collect(connect({}, { NOTION_TOKEN: "ntn_wrong_secret_value" }).listAll(ctx())),
    );
    expect(refused.kind).toBe("auth");
    expect(refused.credentialEnv).toBe("NOTION_TOKEN");
    expect(refused.message).toContain("NOTION_TOKEN");
    expect(refused.message).not.toContain("ntn_wrong_secret_value");
    const byId = await failure(
      collect(
        connect({}, { NOTION_TOKEN: "ntn_wrong_secret_value" }).fetchByIds(
          ["6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b"],
          ctx(),
        ),
      ),
    );
    expect(byId.kind).toBe("auth");

    const unshared = fixture.addDatabase("Private");
    fixture.unshared.add(unshared.databaseId);
    const config = await failure(collect(connect({ databases: [unshared.databaseId] }).listAll(ctx())));
    expect(config.kind).toBe("config");
    expect(config.message).toContain(`database ${unshared.databaseId}`);
    expect(() => connect({}, {})).toThrow(/NOTION_TOKEN/);
    expect(() => notionConnector.optionsSchema.parse({ tokenEnv: "T", pages: ["not-an-id"] })).toThrow(
      /Notion id/,
    );
  });

  it("honours 429 Retry-After and retries Notion's 529 service_overload through the toolkit", async () => {
    fixture = await NotionFixture.start(TOKEN);
    const page = fixture.addPage({ title: "Busy", content: [paragraph(text("Still here"))] });
    fixture.tick(3600);
    fixture.server.failNext(1, {
      ...notionError(429, "rate_limited", "You have been rate limited."),
      headers: { "retry-after": "1" },
    });
    fixture.server.failNext(1, {
      ...notionError(529, "service_overload", "Notion is overloaded."),
      headers: { "retry-after": "0" },
    });
    const events = await collect(connect().listAll(ctx()));
    expect(ids(events, "document")).toEqual([page]);
    expect(fixture.server.requestsTo("/v1/search")).toHaveLength(3);
  });
});
