import { readFileSync } from "node:fs";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confluenceConnector } from "../../src/confluence/index.js";
import { sharedContract } from "../../src/testing/index.js";
import { ConfluenceFixture } from "./confluence-fixture.js";

/**
 * Holds the fixture's answers against the documented shapes recorded in
 * `../shared/contracts/confluence/README.md` (Confluence has no redistributable API description). The
 * field lists are parsed from that file, not restated here, so the fixture cannot merely agree with
 * the connector.
 */
const README = sharedContract("confluence/README.md");
const text = README ? readFileSync(README, "utf8") : "";

/** Backticked names in the README's paragraph that starts with `marker`, enum values in (…) left out. */
function documentedFields(marker: string): Set<string> {
  const start = text.indexOf(marker);
  if (start < 0) throw new Error(`README has no "${marker}"`);
  const rest = text.slice(start + marker.length);
  const end = rest.search(/\n- \*\*|\n## /);
  const paragraph = (end < 0 ? rest : rest.slice(0, end)).replace(/\([^)]*\)/g, "");
  return new Set([...paragraph.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((match) => match[1] ?? ""));
}

const undocumented = (value: object, fields: Set<string>) =>
  Object.keys(value).filter((key) => !fields.has(key));

describe.skipIf(!README)("confluence fixture against ../shared/contracts/confluence/README.md", () => {
  let fixture: ConfluenceFixture;
  let dc: ConfluenceFixture;
  const auth = { authorization: `Basic ${Buffer.from("a@example.com:t").toString("base64")}` };
  const get = async (root: string, path: string) => {
    const response = await fetch(`${root}${path}`, { headers: auth });
    return {
      response,
      body: (await response.json()) as Record<string, unknown> & { results: Record<string, unknown>[] },
    };
  };

  beforeAll(async () => {
    fixture = await ConfluenceFixture.start("cloud", { basic: ["a@example.com", "t"] });
    dc = await ConfluenceFixture.start("datacenter", { basic: ["a@example.com", "t"] });
    for (const f of [fixture, dc]) {
      f.addSpace("ENG");
      const root = f.create({ title: "Root", space: "ENG", labels: ["kb"] });
      for (let i = 0; i < 3; i++) f.create({ title: `Child ${i}`, space: "ENG", parentId: root });
      f.create({ type: "blogpost", title: "Post", space: "ENG" });
    }
  });
  afterAll(async () => {
    await fixture?.close();
    await dc?.close();
  });

  it("v2 list answers are { results, _links: { next?, base? } } with a Link header whose next is relative", async () => {
    const { response, body } = await get(
      fixture.url,
      `/wiki/api/v2/spaces/${fixture.spaces[0]?.id}/pages?limit=2`,
    );
    expect(Object.keys(body).sort()).toEqual(["_links", "results"]);
    expect(undocumented(body._links as object, new Set(["next", "base"]))).toEqual([]);
    const link = response.headers.get("link") ?? "";
    expect(link).toMatch(
      /^<\/wiki\/api\/v2\/[^>]*cursor=[^>]+>; rel="next", <https?:\/\/[^>]+\/wiki>; rel="base"$/,
    );
  });

  it("pages have only the documented Page fields, with the documented version and _links members", async () => {
    const page = documentedFields("**Page** (`PageBulk`/`PageSingle`) has these fields:");
    const { body } = await get(fixture.url, `/wiki/api/v2/spaces/${fixture.spaces[0]?.id}/pages?limit=250`);
    const { body: posts } = await get(fixture.url, `/wiki/api/v2/spaces/${fixture.spaces[0]?.id}/blogposts`);
    const items = [...body.results, ...posts.results];
    expect(items.length).toBe(5);
    for (const item of items) {
      expect(undocumented(item, page)).toEqual([]);
      expect(undocumented(item.version as object, page)).toEqual([]);
      expect(undocumented(item._links as object, page)).toEqual([]);
      for (const required of ["id", "status", "title", "spaceId", "version", "_links"])
        expect(item).toHaveProperty(required);
    }
    // Single answers add `_links.base`; export_view is accepted on the per-page call (a documented gap of the body schema).
    const id = String(body.results[0]?.id);
    const { body: single } = await get(fixture.url, `/wiki/api/v2/pages/${id}?body-format=export_view`);
    expect(undocumented(single, page)).toEqual([]);
    expect(Object.keys(single.body as object)).toEqual(["export_view"]);
    expect(single._links).toHaveProperty("base");
  });

  it("spaces have only the documented Space fields", async () => {
    const space = documentedFields("**Space** has");
    const { body } = await get(fixture.url, "/wiki/api/v2/spaces");
    for (const item of body.results) {
      expect(undocumented(item, space)).toEqual([]);
      expect(undocumented(item._links as object, space)).toEqual([]);
    }
  });

  it("v1 search answers are ContentArray of documented Content, paging by cursor in _links.next (Cloud) and start (Data Center)", async () => {
    const array = documentedFields("Its 200 response is `ContentArray`:");
    const content = documentedFields("**v1 `Content`** has");
    const version = documentedFields("**v1 `Version`** requires");
    const cql = encodeURIComponent('type in (page,blogpost) and lastmodified >= "2000/01/01 00:00"');
    const expand = "space,history,version,ancestors,metadata.labels,restrictions.read.restrictions.user";
    const { body } = await get(
      fixture.url,
      `/wiki/rest/api/content/search?cql=${cql}&limit=2&expand=${expand}`,
    );
    expect(undocumented(body, array)).toEqual([]);
    expect(String((body._links as { next?: string }).next)).toMatch(
      /^\/rest\/api\/content\/search\?.*cursor=/,
    );
    for (const item of body.results) {
      expect(undocumented(item, content)).toEqual([]);
      for (const required of ["number", "minorEdit", "when"]) expect(item.version).toHaveProperty(required);
      expect(
        undocumented(item.version as object, new Set([...version, "by", "friendlyWhen", "message"])),
      ).toEqual([]);
    }
    const { body: page } = await get(dc.url, `/rest/api/content/search?cql=${cql}&limit=2&start=2`);
    expect(page).toMatchObject({ start: 2, limit: 2, size: 2 });
    expect(String((page._links as { next?: string }).next)).toMatch(/start=4/);
  });

  it("the connector reads the fixture end to end through those shapes", async () => {
    const connector = confluenceConnector.create(
      confluenceConnector.optionsSchema.parse({
        baseUrl: fixture.url,
        auth: { type: "basic", usernameEnv: "E", passwordEnv: "T" },
        pageSize: 2,
      }),
      { sourceId: "wiki", logger: pino({ level: "silent" }), env: { E: "a@example.com", T: "t" } },
    );
    let documents = 0;
    for await (const event of connector.listAll({
      signal: new AbortController().signal,
      logger: pino({ level: "silent" }),
    })) {
      if (event.kind === "document") documents += 1;
    }
    expect(documents).toBe(5);
  });
});
