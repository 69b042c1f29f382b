import {
  cursorPageOf,
  type FixtureReply,
  type FixtureRequest,
  FixtureServer,
} from "../../src/testing/index.js";

/**
 * A local Confluence: Cloud (REST v2 under `/wiki/api/v2`, v1 under `/wiki/rest/api`) or Data Center
 * (v1 under the context path `/confluence/rest/api`). Shapes follow the documented fields recorded in
 * `../shared/contracts/confluence/README.md`: v2 lists `{ results, _links: { next?, base } }` with a
 * `Link` header and opaque cursors, v1 `ContentArray` (`results`, `start`, `limit`, `size`, `_links`)
 * paged by cursor on Cloud search and by `start`/`limit` on Data Center, a CQL subset (`id in`,
 * `type in`, `space in`, `lastmodified >=` read in the user's time zone at minute precision), trash,
 * restrictions, labels, ancestors, footer comments and attachments.
 */

export interface FixtureContent {
  type?: "page" | "blogpost";
  title: string;
  space: string;
  parentId?: string;
  html?: string;
  labels?: string[];
  status?: "current" | "archived" | "trashed" | "draft";
  restricted?: boolean;
  author?: string;
  comments?: string[];
}

interface StoredContent extends Required<Omit<FixtureContent, "parentId">> {
  id: string;
  parentId: string | undefined;
  version: number;
  when: Date;
  attachments: StoredAttachment[];
}

interface StoredAttachment {
  id: string;
  title: string;
  mediaType: string;
  data: Uint8Array;
  version: number;
  when: Date;
}

/** What CQL matches on: pages, blog posts and attachments alike. */
interface Searchable {
  id: string;
  type: string;
  space: string;
  when: Date;
  status: string;
}

interface AttachmentHit extends Searchable {
  parent: StoredContent;
  attachment: StoredAttachment;
}

interface StoredSpace {
  id: string;
  key: string;
  name: string;
  status: "current" | "archived";
}

export type Deployment = "cloud" | "datacenter";

export class ConfluenceFixture {
  readonly spaces: StoredSpace[] = [];
  readonly content = new Map<string, StoredContent>();
  /** Fixture clock: versions are stamped with it, and it is the Date header. */
  now = new Date("2026-03-02T09:00:00.000Z");
  /** The time zone of the credential's user profile, in which CQL dates are read. */
  userTimeZone = "UTC";
  private counter = 1000;

  private constructor(
    readonly server: FixtureServer,
    readonly deployment: Deployment,
    /** Cloud through the API gateway: routes under `/ex/confluence/{cloudId}`, links without it. */
    readonly gateway = "",
  ) {}

  static async start(
    deployment: Deployment,
    auth: { basic?: [string, string]; bearer?: string },
    options: { cloudId?: string } = {},
  ): Promise<ConfluenceFixture> {
    const server = await FixtureServer.start();
    const gateway = options.cloudId ? `/ex/confluence/${options.cloudId}` : "";
    const fixture = new ConfluenceFixture(server, deployment, gateway);
    const accepted = [
      ...(auth.basic ? [`Basic ${Buffer.from(auth.basic.join(":")).toString("base64")}`] : []),
      ...(auth.bearer ? [`Bearer ${auth.bearer}`] : []),
    ];
    server.requireAuth(
      (request) => accepted.includes(String(request.headers.authorization)),
      deployment === "cloud"
        ? {
            status: 401,
            headers: { "www-authenticate": 'Basic realm="protected-area"' },
            json: { errors: [{ status: 401, code: "UNAUTHORIZED", title: "Unauthorized", detail: null }] },
          }
        : {
            status: 401,
            json: {
              statusCode: 401,
              message: "This request requires authentication",
              reason: "Unauthorized",
            },
          },
    );
    fixture.routes();
    return fixture;
  }

  get url(): string {
    return this.deployment === "cloud"
      ? `${this.server.url}${this.gateway}`
      : `${this.server.url}/confluence`;
  }

  /** `_links.base`: the wiki's own URL. */
  get base(): string {
    return this.deployment === "cloud" ? `${this.server.url}/wiki` : `${this.server.url}/confluence`;
  }

  private get v1(): string {
    return this.deployment === "cloud" ? `${this.gateway}/wiki/rest/api` : "/confluence/rest/api";
  }

  close(): Promise<void> {
    return this.server.close();
  }

  tick(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  addSpace(key: string, status: "current" | "archived" = "current"): string {
    const id = String(98_000 + this.spaces.length + 1);
    this.spaces.push({ id, key, name: `${key} space`, status });
    return id;
  }

  /** Creates content; returns its id. */
  create(item: FixtureContent): string {
    this.counter += 1;
    const id = String(this.counter * 1000 + 17);
    this.content.set(id, this.stored(id, item, 1));
    return id;
  }

  /** Edits content: a new version stamped with the fixture clock. */
  edit(id: string, change: Partial<FixtureContent>): void {
    const current = this.mustGet(id);
    const { id: _, version, attachments, ...rest } = current;
    this.content.set(id, {
      ...this.stored(id, { ...rest, parentId: rest.parentId, ...change } as FixtureContent, version + 1),
      attachments,
    });
  }

  /** Moves to the trash (status trashed); the page keeps its id and version. */
  trash(id: string): void {
    this.mustGet(id).status = "trashed";
  }

  /** Purges: gone from every answer. */
  purge(id: string): void {
    this.content.delete(id);
  }

  attach(pageId: string, title: string, mediaType: string, data: Uint8Array): string {
    this.counter += 1;
    const id = String(this.counter * 1000 + 71);
    this.mustGet(pageId).attachments.push({ id, title, mediaType, data, version: 1, when: this.now });
    return id;
  }

  private stored(id: string, item: FixtureContent, version: number): StoredContent {
    return {
      id,
      type: item.type ?? "page",
      title: item.title,
      space: item.space,
      parentId: item.parentId,
      html: item.html ?? `<p>${item.title}</p>`,
      labels: item.labels ?? [],
      status: item.status ?? "current",
      restricted: item.restricted ?? false,
      author: item.author ?? "Ada Lovelace",
      comments: item.comments ?? [],
      version,
      when: this.now,
      attachments: [],
    };
  }

  private mustGet(id: string): StoredContent {
    const found = this.content.get(id);
    if (!found) throw new Error(`fixture has no content ${id}`);
    return found;
  }

  private spaceOf(item: StoredContent): StoredSpace | undefined {
    return this.spaces.find((space) => space.key === item.space);
  }

  private webui(item: StoredContent): string {
    const slug = encodeURIComponent(item.title.replace(/\s+/g, "+"));
    if (this.deployment === "datacenter") return `/pages/viewpage.action?pageId=${item.id}`;
    return item.type === "blogpost"
      ? `/spaces/${item.space}/blog/${item.when.toISOString().slice(0, 10).replaceAll("-", "/")}/${item.id}/${slug}`
      : `/spaces/${item.space}/pages/${item.id}/${slug}`;
  }

  private routes(): void {
    const s = this.server;
    const date = () => ({ date: this.now.toUTCString() });
    const g = this.gateway;
    if (this.deployment === "cloud") {
      s.route("GET", `${g}/wiki/api/v2/spaces`, (req) => {
        const keys = multi(req, "keys");
        const status = multi(req, "status");
        const spaces = this.spaces.filter(
          (space) =>
            (keys.length === 0 || keys.includes(space.key)) &&
            (status.length === 0 || status.includes(space.status)),
        );
        return this.v2Page(
          req,
          spaces.map((space) => this.v2Space(space)),
        );
      });
      s.route("GET", new RegExp(`^${g}/wiki/api/v2/spaces/(?<id>\\d+)/(?<kind>pages|blogposts)$`), (req) => {
        const space = this.spaces.find((candidate) => candidate.id === req.params.id);
        if (!space) return notFoundV2();
        const status = multi(req, "status");
        const items = this.ofKind(req.params.kind).filter(
          (item) =>
            item.space === space.key && (status.length > 0 ? status : ["current"]).includes(item.status),
        );
        return this.v2Page(
          req,
          items.map((item) => this.v2Content(item)),
        );
      });
      s.route("GET", new RegExp(`^${g}/wiki/api/v2/(?<kind>pages|blogposts)$`), (req) => {
        const status = multi(req, "status");
        const spaceIds = multi(req, "space-id");
        const items = this.ofKind(req.params.kind).filter((item) => {
          const space = this.spaceOf(item);
          return (
            (status.length > 0 ? status : ["current"]).includes(item.status) &&
            (spaceIds.length === 0 || (space && spaceIds.includes(space.id)))
          );
        });
        return this.v2Page(
          req,
          items.map((item) => this.v2Content(item)),
        );
      });
      s.route("GET", new RegExp(`^${g}/wiki/api/v2/(?<kind>pages|blogposts)/(?<id>\\d+)$`), (req) => {
        const item = this.ofKind(req.params.kind).find((candidate) => candidate.id === req.params.id);
        const status = multi(req, "status");
        if (!item || !(status.length > 0 ? status : ["current", "archived"]).includes(item.status))
          return notFoundV2();
        const format = req.query.get("body-format");
        const body =
          format === "export_view"
            ? { export_view: { value: item.html, representation: "export_view" } }
            : {};
        return {
          headers: date(),
          json: {
            ...this.v2Content(item),
            body,
            _links: { ...this.v2Content(item)._links, base: this.base },
          },
        };
      });
      s.route(
        "GET",
        new RegExp(`^${g}/wiki/api/v2/(?<kind>pages|blogposts)/(?<id>\\d+)/footer-comments$`),
        (req) => {
          const item = this.ofKind(req.params.kind).find((candidate) => candidate.id === req.params.id);
          if (!item) return notFoundV2();
          return this.v2Page(
            req,
            item.comments.map((html, index) => ({
              id: `${item.id}${index}`,
              status: "current",
              title: `Re: ${item.title}`,
              pageId: item.id,
              version: {
                number: 1,
                createdAt: item.when.toISOString(),
                minorEdit: false,
                authorId: "557058:ada",
              },
              body: { view: { representation: "view", value: html } },
              _links: { webui: `${this.webui(item)}?focusedCommentId=${item.id}${index}` },
            })),
          );
        },
      );
      s.route(
        "GET",
        new RegExp(`^${g}/wiki/api/v2/(?<kind>pages|blogposts)/(?<id>\\d+)/attachments$`),
        (req) => {
          const item = this.ofKind(req.params.kind).find((candidate) => candidate.id === req.params.id);
          if (!item) return notFoundV2();
          return this.v2Page(
            req,
            item.attachments.map((attachment) => ({
              id: `att${attachment.id}`,
              status: "current",
              title: attachment.title,
              createdAt: attachment.when.toISOString(),
              pageId: item.id,
              mediaType: attachment.mediaType,
              mediaTypeDescription: attachment.mediaType,
              comment: "",
              fileId: `f${attachment.id}`,
              fileSize: attachment.data.length,
              webuiLink: `/pages/viewpageattachments.action?pageId=${item.id}&preview=${encodeURIComponent(`/${item.id}/${attachment.title}`)}`,
              downloadLink: `/download/attachments/${item.id}/${encodeURIComponent(attachment.title)}?version=${attachment.version}&api=v2`,
              version: {
                number: attachment.version,
                createdAt: attachment.when.toISOString(),
                minorEdit: false,
                authorId: "557058:ada",
              },
              _links: {
                webui: `/pages/viewpageattachments.action?pageId=${item.id}`,
                download: `/download/attachments/${item.id}/${encodeURIComponent(attachment.title)}`,
              },
            })),
          );
        },
      );
    }
    const prefix = this.deployment === "cloud" ? `${g}/wiki` : "/confluence";
    s.route("GET", new RegExp(`^${prefix}/download/attachments/(?<page>\\d+)/(?<name>[^/]+)$`), (req) => {
      const attachment = this.content
        .get(req.params.page ?? "")
        ?.attachments.find((candidate) => candidate.title === req.params.name);
      if (!attachment) return { status: 404, body: "Not found" };
      return { headers: { "content-type": attachment.mediaType }, body: attachment.data };
    });
    s.route("GET", `${this.v1}/content/search`, (req) => {
      const cql = req.query.get("cql");
      if (!cql) return this.v1Error(400, "cql is required");
      let matches: (item: Searchable) => boolean;
      try {
        matches = this.cql(cql);
      } catch (error) {
        return this.v1Error(400, `Could not parse cql : ${cql}: ${(error as Error).message}`);
      }
      // Search sees current content only, most recently modified last for `order by lastmodified asc`.
      const attachments: AttachmentHit[] = [...this.content.values()].flatMap((parent) =>
        parent.attachments.map((attachment) => ({
          id: attachment.id,
          type: "attachment",
          space: parent.space,
          when: attachment.when,
          status: parent.status,
          parent,
          attachment,
        })),
      );
      const items = [...this.content.values(), ...attachments]
        .filter((item) => item.status === "current" && matches(item))
        .sort((a, b) => a.when.getTime() - b.when.getTime() || a.id.localeCompare(b.id));
      return this.v1Page(req, items, "content/search");
    });
    if (this.deployment === "datacenter") {
      s.route("GET", `${this.v1}/content`, (req) => {
        const type = req.query.get("type") ?? "page";
        const status = req.query.get("status") ?? "current";
        const spaceKey = req.query.get("spaceKey");
        const items = [...this.content.values()].filter(
          (item) => item.type === type && item.status === status && (!spaceKey || item.space === spaceKey),
        );
        return this.v1Page(req, items, "content");
      });
      s.route(
        "GET",
        new RegExp(`^${this.v1}/content/(?<id>\\d+)/child/(?<child>comment|attachment)$`),
        (req) => {
          const item = this.content.get(req.params.id ?? "");
          if (!item) return this.v1Error(404, "No content found with id");
          const results =
            req.params.child === "comment"
              ? item.comments.map((html, index) => ({
                  id: `${item.id}${index}`,
                  type: "comment",
                  status: "current",
                  title: `Re: ${item.title}`,
                  body: { view: { value: html, representation: "view" } },
                  extensions: { location: "footer" },
                  _links: { webui: `${this.webui(item)}&focusedCommentId=${item.id}${index}` },
                }))
              : item.attachments.map((attachment) => this.v1Attachment(item, attachment));
          return {
            headers: date(),
            json: {
              results,
              start: 0,
              limit: 25,
              size: results.length,
              _links: { base: this.base, context: "/confluence" },
            },
          };
        },
      );
    }
    s.route("GET", new RegExp(`^${this.v1}/content/(?<id>\\d+)$`), (req) => {
      const id = req.params.id ?? "";
      for (const item of this.content.values()) {
        const attachment = item.attachments.find((candidate) => candidate.id === id);
        if (attachment) return { headers: date(), json: this.v1Attachment(item, attachment) };
      }
      const item = this.content.get(id);
      const status = req.query.get("status");
      if (!item || (item.status === "trashed" && status !== "any" && status !== "trashed")) {
        return this.v1Error(404, `No content found with id: ContentId{id=${id}}`);
      }
      const content = this.v1Content(item, req.query.get("expand") ?? "");
      return {
        headers: date(),
        json: { ...content, _links: { ...(content._links as object), base: this.base } },
      };
    });
  }

  private ofKind(kind: string | undefined): StoredContent[] {
    const type = kind === "blogposts" ? "blogpost" : "page";
    return [...this.content.values()]
      .filter((item) => item.type === type)
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** v2 paging: `limit` (default 25, at most 250), opaque `cursor`, `Link` header and `_links.next`. */
  private v2Page(req: FixtureRequest, all: unknown[]): FixtureReply {
    const limit = Math.min(250, Math.max(1, Number(req.query.get("limit") ?? 25)));
    const { items, nextCursor } = cursorPageOf(all, req.query.get("cursor"), limit);
    const links: Record<string, string> = { base: this.base };
    const headers: Record<string, string> = { date: this.now.toUTCString() };
    if (nextCursor) {
      const next = new URLSearchParams(req.query);
      next.set("cursor", nextCursor);
      // Links are relative to the site: a gateway client puts its own prefix back.
      links.next = `${req.path.slice(this.gateway.length)}?${next.toString()}`;
      headers.link = `<${links.next}>; rel="next", <${this.base}>; rel="base"`;
    } else {
      headers.link = `<${this.base}>; rel="base"`;
    }
    return { headers, json: { results: items, _links: links } };
  }

  /** v1 paging: Cloud search by cursor in `_links.next`, Data Center by `start`/`limit`. */
  private v1Page(req: FixtureRequest, all: (StoredContent | AttachmentHit)[], path: string): FixtureReply {
    const limit = Math.max(1, Number(req.query.get("limit") ?? 25));
    const cursor = req.query.get("cursor");
    const start = cursor
      ? Number(Buffer.from(cursor, "base64url").toString("utf8"))
      : Number(req.query.get("start") ?? 0);
    const items = all.slice(start, start + limit);
    const expand = req.query.get("expand") ?? "";
    const links: Record<string, string> = {
      base: this.base,
      context: this.deployment === "cloud" ? "/wiki" : "/confluence",
      self: `${this.base}/rest/api/${path}`,
    };
    if (start + limit < all.length) {
      const next = new URLSearchParams(req.query);
      if (this.deployment === "cloud" && path === "content/search") {
        next.delete("start");
        next.set("cursor", Buffer.from(String(start + limit)).toString("base64url"));
      } else {
        next.set("start", String(start + limit));
      }
      links.next = `/rest/api/${path}?${next.toString()}`;
    }
    return {
      headers: { date: this.now.toUTCString() },
      json: {
        results: items.map((item) =>
          "attachment" in item
            ? this.v1Attachment(item.parent, item.attachment)
            : this.v1Content(item, expand),
        ),
        start,
        limit,
        size: items.length,
        _links: links,
      },
    };
  }

  private v2Space(space: StoredSpace): object {
    return {
      id: space.id,
      key: space.key,
      name: space.name,
      type: "global",
      status: space.status,
      authorId: "557058:ada",
      createdAt: "2025-01-01T00:00:00.000Z",
      homepageId: null,
      description: null,
      icon: null,
      _links: { webui: `/spaces/${space.key}` },
    };
  }

  private v2Content(item: StoredContent): { _links: Record<string, string> } & Record<string, unknown> {
    return {
      id: item.id,
      status: item.status,
      title: item.title,
      spaceId: this.spaceOf(item)?.id ?? "0",
      ...(item.type === "page"
        ? { parentId: item.parentId ?? null, parentType: item.parentId ? "page" : null, position: 0 }
        : {}),
      authorId: "557058:ada",
      ...(item.type === "page" ? { ownerId: "557058:ada", lastOwnerId: null } : {}),
      createdAt: item.when.toISOString(),
      version: {
        createdAt: item.when.toISOString(),
        message: "",
        number: item.version,
        minorEdit: false,
        authorId: "557058:ada",
      },
      body: {},
      _links: {
        webui: this.webui(item),
        editui: `/pages/resumedraft.action?draftId=${item.id}`,
        tinyui: `/x/${item.id}`,
      },
    };
  }

  /** v1 `Content` with the expansions asked for; the rest listed in `_expandable`, as Confluence does. */
  v1Content(item: StoredContent, expand: string): Record<string, unknown> {
    const wants = new Set(expand.split(",").filter(Boolean));
    const person = {
      type: "known",
      displayName: item.author,
      publicName: item.author,
      accountId: "557058:ada",
    };
    const ancestors: StoredContent[] = [];
    for (let parent = item.parentId; parent; parent = this.content.get(parent)?.parentId) {
      const found = this.content.get(parent);
      if (!found) break;
      ancestors.unshift(found);
    }
    const space = this.spaceOf(item);
    const restriction = (kind: string) =>
      item.restricted && kind === "user"
        ? { results: [person], start: 0, limit: 200, size: 1 }
        : { results: [], start: 0, limit: 200, size: 0 };
    const content: Record<string, unknown> = {
      id: item.id,
      type: item.type,
      status: item.status,
      title: item.title,
    };
    const expandable: Record<string, string> = {};
    const part = (name: string, value: () => unknown) => {
      if ([...wants].some((want) => want === name || want.startsWith(`${name}.`))) content[name] = value();
      else expandable[name] = `/rest/api/content/${item.id}/${name}`;
    };
    part("space", () => ({
      id: Number(space?.id ?? 0),
      key: item.space,
      name: space?.name ?? item.space,
      type: "global",
      status: space?.status ?? "current",
    }));
    part("history", () => ({ latest: true, createdBy: person, createdDate: item.when.toISOString() }));
    part("version", () => ({
      by: person,
      when: item.when.toISOString(),
      friendlyWhen: "just a moment ago",
      message: "",
      number: item.version,
      minorEdit: false,
    }));
    part("ancestors", () =>
      ancestors.map((ancestor) => ({
        id: ancestor.id,
        type: ancestor.type,
        status: ancestor.status,
        title: ancestor.title,
      })),
    );
    part("metadata", () => ({
      labels: {
        results: item.labels.map((name) => ({ prefix: "global", name, id: name, label: name })),
        start: 0,
        limit: 200,
        size: item.labels.length,
      },
    }));
    part("restrictions", () => ({
      read: { operation: "read", restrictions: { user: restriction("user"), group: restriction("group") } },
    }));
    part("body", () =>
      wants.has("body.export_view")
        ? { export_view: { value: item.html, representation: "export_view" } }
        : {},
    );
    content._expandable = expandable;
    content._links = {
      webui: this.webui(item),
      tinyui: `/x/${item.id}`,
      self: `${this.base}/rest/api/content/${item.id}`,
    };
    return content;
  }

  private v1Attachment(item: StoredContent, attachment: StoredAttachment): Record<string, unknown> {
    return {
      id: attachment.id,
      type: "attachment",
      status: "current",
      title: attachment.title,
      container: { id: item.id, type: item.type, title: item.title },
      version: { number: attachment.version, when: attachment.when.toISOString(), minorEdit: false },
      metadata: { mediaType: attachment.mediaType },
      extensions: { mediaType: attachment.mediaType, fileSize: attachment.data.length },
      _links: {
        webui: `/pages/viewpageattachments.action?pageId=${item.id}&preview=${encodeURIComponent(`/${item.id}/${attachment.title}`)}`,
        download: `/download/attachments/${item.id}/${encodeURIComponent(attachment.title)}?version=${attachment.version}`,
        base: this.base,
      },
    };
  }

  /** The CQL the connector writes: clauses joined by `and`, an optional `order by`. */
  private cql(cql: string): (item: Searchable) => boolean {
    const [where = ""] = cql.split(/\s+order by\s+/i);
    const tests = where.split(/\s+and\s+/i).map((clause) => {
      const list = /^(\w+)\s+in\s+\((.*)\)$/i.exec(clause.trim());
      if (list?.[1] && list[2] !== undefined) {
        const values = list[2].split(",").map((value) => value.trim().replace(/^"(.*)"$/, "$1"));
        const field = list[1].toLowerCase();
        if (field === "id") return (item: Searchable) => values.includes(item.id);
        if (field === "type") return (item: Searchable) => values.includes(item.type);
        if (field === "space") return (item: Searchable) => values.includes(item.space);
      }
      const date = /^lastmodified\s*>=\s*"(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2})"$/i.exec(clause.trim());
      if (date?.[1]) {
        const bound = date[1];
        // Minute precision, in the user's time zone: the version's time is truncated and compared.
        return (item: Searchable) => this.userMinute(item.when) >= bound;
      }
      throw new Error(`unsupported clause "${clause}"`);
    });
    return (item) => tests.every((test) => test(item));
  }

  private userMinute(date: Date): string {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-GB", {
        timeZone: this.userTimeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      })
        .formatToParts(date)
        .map((part) => [part.type, part.value]),
    );
    return `${parts.year}/${parts.month}/${parts.day} ${parts.hour}:${parts.minute}`;
  }

  private v1Error(status: number, message: string): FixtureReply {
    return {
      status,
      json: {
        statusCode: status,
        data: { authorized: true, valid: false, errors: [], successful: false },
        message,
        reason: status === 404 ? "Not Found" : "Bad Request",
      },
    };
  }
}

function notFoundV2(): FixtureReply {
  return {
    status: 404,
    json: { errors: [{ status: 404, code: "NOT_FOUND", title: "Not Found", detail: null }] },
  };
}

/** Array query parameters, repeated (`status=a&status=b`) or comma-separated. */
function multi(req: FixtureRequest, name: string): string[] {
  return req.query
    .getAll(name)
    .flatMap((value) => value.split(","))
    .filter(Boolean);
}
