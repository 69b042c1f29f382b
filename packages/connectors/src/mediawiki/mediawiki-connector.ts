import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  ListContext,
  ListedDocument,
  SourceEvent,
} from "../contract.js";
import { ConnectorError } from "../errors.js";
import { CookieSession, type LoginClient } from "../toolkit/credentials/cookie-session.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import { MediawikiApi } from "./mediawiki-api.js";
import { decodeMediawikiCursor, encodeMediawikiCursor } from "./mediawiki-cursor.js";
import { type MediawikiOptions, mediawikiOptionsSchema } from "./mediawiki-options.js";

/** A page of `prop=info|categories|revisions` (formatversion=2). */
interface WikiPage {
  pageid?: number;
  ns?: number;
  title?: string;
  missing?: boolean;
  invalid?: boolean;
  redirect?: boolean;
  contentmodel?: string;
  lastrevid?: number;
  touched?: string;
  categories?: { ns: number; title: string }[];
  revisions?: { revid?: number; user?: string; timestamp?: string }[];
}

/** One `list=recentchanges` entry with `rcprop=title|ids|timestamp|loginfo`. */
interface RecentChange {
  type: string;
  ns?: number;
  title?: string;
  pageid?: number;
  rcid?: number;
  timestamp?: string;
  logtype?: string;
  logaction?: string;
  logpage?: number;
  logparams?: { target_ns?: number; target_title?: string };
}

/** Page ids per `pageids=` request: the Action API's limit for clients without `apihighlimits`. */
const ID_BATCH = 50;

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** `Category:Foo bar` → `Foo bar`; the prefix is localised, so strip up to the first colon. */
const categoryName = (title: string) => title.slice(title.indexOf(":") + 1);

/**
 * MediaWiki through the Action API. Full listings walk `list=allpages` per namespace (non-redirects),
 * then read versions and categories for each batch with `prop=info|categories|revisions`; bodies
 * come from `action=parse`. Incremental runs read `list=recentchanges` oldest first from the cursor
 * minus the overlap; delete log entries are the product's confirmation of a deletion, moves and
 * restores make the page be read again, and every touched page is looked up once at the end so the
 * last state wins.
 */
class MediawikiConnector implements Connector {
  private articleBase: Promise<{ server: string; articlepath: string }> | undefined;

  constructor(
    private readonly options: MediawikiOptions,
    private readonly init: ConnectorInit,
    private readonly api: MediawikiApi,
  ) {}

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    let started: string | undefined;
    for (const namespace of this.options.namespaces) {
      const listing = this.api.paged(
        {
          list: "allpages",
          apnamespace: namespace,
          apfilterredir: "nonredirects",
          aplimit: this.options.pageSize,
          curtimestamp: started === undefined ? 1 : undefined,
        },
        ctx.signal,
      );
      for await (const answer of listing) {
        if (started === undefined && typeof answer.curtimestamp === "string") started = answer.curtimestamp;
        const ids = ((answer.query?.allpages ?? []) as WikiPage[])
          .map((page) => page.pageid)
          .filter((id): id is number => typeof id === "number");
        for (const page of await this.pagesById(ids, ctx.signal)) {
          if (page.missing || !this.inScope(page)) continue;
          yield { kind: "document", document: await this.listed(page) };
        }
      }
    }
    yield {
      kind: "cursor",
      cursor: encodeMediawikiCursor({ v: 1, since: started ?? new Date().toISOString(), seenRcIds: [] }),
    };
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    const numeric = [...new Set(ids)].filter((id) => /^[1-9][0-9]*$/.test(id)).map(Number);
    const found = new Map<string, WikiPage>();
    for (const page of await this.pagesById(numeric, ctx.signal)) {
      if (page.pageid !== undefined && !page.missing) found.set(String(page.pageid), page);
    }
    for (const id of ids) {
      const page = found.get(id);
      if (page && this.inScope(page)) yield { kind: "document", document: await this.listed(page) };
      // The wiki returned the page, but it left the scope (moved out, recategorised, now a redirect).
      else if (page) yield { kind: "deleted", externalId: id };
      // Not returned: deleted, or hidden from this account; only the delete log confirms a deletion.
      else yield { kind: "missing", externalId: id, reason: "the wiki returned no page with this pageid" };
    }
  }

  async *listChanges(raw: string, ctx: ListContext): AsyncIterable<SourceEvent> {
    const cursor = decodeMediawikiCursor(raw, {
      sourceId: this.init.sourceId,
      rcMaxAgeDays: this.options.rcMaxAgeDays,
    });
    const from = new Date(new Date(cursor.since).getTime() - this.options.overlapSeconds * 1000);
    let started: string | undefined;
    // Insertion order = first change seen; the value says whether a delete log entry was the last word.
    const touched = new Map<number, { deletedByLog: boolean }>();
    const changes = this.api.paged(
      {
        list: "recentchanges",
        rcdir: "newer",
        rcstart: from.toISOString().replace(/\.\d{3}Z$/, "Z"),
        rctype: "edit|new|log",
        rcprop: "title|ids|timestamp|loginfo",
        rcnamespace: this.options.namespaces.join("|"),
        rclimit: this.options.pageSize,
        curtimestamp: 1,
      },
      ctx.signal,
    );
    for await (const answer of changes) {
      if (started === undefined && typeof answer.curtimestamp === "string") started = answer.curtimestamp;
      for (const change of (answer.query?.recentchanges ?? []) as RecentChange[]) {
        const pageid = change.pageid || change.logpage;
        if (!pageid) continue;
        if (change.type === "log") {
          if (change.logtype === "delete" && change.logaction === "delete") {
            touched.delete(pageid);
            touched.set(pageid, { deletedByLog: true });
          } else if (
            (change.logtype === "delete" && change.logaction === "restore") ||
            change.logtype === "move"
          ) {
            // A move keeps the pageid and changes the title (logparams.target_title): read it again.
            touched.delete(pageid);
            touched.set(pageid, { deletedByLog: false });
          }
          continue;
        }
        touched.delete(pageid);
        touched.set(pageid, { deletedByLog: false });
      }
    }
    const pages = new Map<number, WikiPage>();
    for (const page of await this.pagesById([...touched.keys()], ctx.signal)) {
      if (page.pageid !== undefined && !page.missing) pages.set(page.pageid, page);
    }
    for (const [pageid, state] of touched) {
      const page = pages.get(pageid);
      const externalId = String(pageid);
      if (page && this.inScope(page)) yield { kind: "document", document: await this.listed(page) };
      else if (page || state.deletedByLog) yield { kind: "deleted", externalId };
      else yield { kind: "missing", externalId, reason: "changed recently but the wiki returned no page" };
    }
    yield {
      kind: "cursor",
      cursor: encodeMediawikiCursor({
        v: 1,
        since: started ?? new Date(Math.max(Date.now(), new Date(cursor.since).getTime())).toISOString(),
        seenRcIds: [],
      }),
    };
  }

  /** Versions, categories and last editor of pages, `ID_BATCH` ids a request, categories merged over `continue`. */
  private async pagesById(ids: readonly number[], signal: AbortSignal): Promise<WikiPage[]> {
    const out: WikiPage[] = [];
    for (const batch of chunks(ids, ID_BATCH)) {
      const merged = new Map<number, WikiPage>();
      const answers = this.api.paged(
        {
          prop: "info|categories|revisions",
          pageids: batch.join("|"),
          rvprop: "ids|timestamp|user",
          cllimit: "max",
        },
        signal,
      );
      for await (const answer of answers) {
        for (const page of (answer.query?.pages ?? []) as WikiPage[]) {
          const key = page.pageid ?? -1;
          const known = merged.get(key);
          if (!known) merged.set(key, { ...page, categories: [...(page.categories ?? [])] });
          else {
            known.categories?.push(...(page.categories ?? []));
            if (!known.revisions && page.revisions) known.revisions = page.revisions;
          }
        }
      }
      out.push(...merged.values());
    }
    return out;
  }

  private inScope(page: WikiPage): boolean {
    if (page.redirect) return false;
    if (page.ns === undefined || !this.options.namespaces.includes(page.ns)) return false;
    const labels = (page.categories ?? []).map((category) => categoryName(category.title));
    if (labels.some((label) => this.options.excludeCategories.includes(label))) return false;
    const include = this.options.includeCategories;
    return include.length === 0 || labels.some((label) => include.includes(label));
  }

  private async listed(page: WikiPage): Promise<ListedDocument> {
    const pageid = page.pageid ?? 0;
    const title = page.title ?? String(pageid);
    const revision = page.revisions?.[0];
    const version = String(page.lastrevid ?? revision?.revid ?? "");
    const timestamp = revision?.timestamp ?? page.touched;
    const updatedAt = timestamp ? new Date(timestamp) : undefined;
    const labels = (page.categories ?? []).map((category) => categoryName(category.title));
    const url = await this.pageUrl(title);
    const metadata = {
      path: title,
      labels,
      space: String(page.ns ?? 0),
      status: "published",
      type: page.contentmodel ?? "wikitext",
      ...(revision?.user ? { author: revision.user } : {}),
      ...(timestamp ? { updated: timestamp } : {}),
    };
    return {
      externalId: String(pageid),
      version,
      ...(updatedAt ? { updatedAt } : {}),
      metadata,
      load: async (signal) => {
        const answer = await this.api.call(
          {
            action: "parse",
            pageid,
            prop: "text|displaytitle|revid",
            disableeditsection: 1,
          },
          signal ?? new AbortController().signal,
        );
        const parsed = (answer.parse ?? {}) as { title?: string; revid?: number; text?: string };
        return {
          externalId: String(pageid),
          version: String(parsed.revid ?? version),
          title: parsed.title ?? title,
          url,
          ...(updatedAt ? { updatedAt } : {}),
          metadata,
          body: { kind: "html", html: (await loadHtmlCleanUp()).cleanParserOutput(parsed.text ?? "", url) },
        };
      },
    };
  }

  /** `general.server` + `general.articlepath` from siteinfo, read once; titles use underscores. */
  private async pageUrl(title: string): Promise<string> {
    this.articleBase ??= this.api
      .call({ action: "query", meta: "siteinfo", siprop: "general" }, new AbortController().signal)
      .then((answer) => {
        const general = (answer.query?.general ?? {}) as { server?: string; articlepath?: string };
        // `server` may be protocol-relative (`//wiki.example.com`): resolve it against api.php.
        const server = new URL(general.server ?? "/", this.options.apiUrl).origin;
        return { server, articlepath: general.articlepath ?? "/index.php/$1" };
      });
    this.articleBase.catch(() => {
      this.articleBase = undefined;
    });
    const { server, articlepath } = await this.articleBase;
    const encoded = encodeURIComponent(title.replace(/ /g, "_")).replace(/%2F/g, "/").replace(/%3A/g, ":");
    return `${server}${articlepath.replace("$1", encoded)}`;
  }
}

/** The `mediawiki` connector type. */
export const mediawikiConnector: ConnectorDefinition<MediawikiOptions> = {
  type: "mediawiki",
  // MediaWiki's API etiquette asks for requests in series and `maxlag`; it documents no number. Two
  // a second keeps a small wiki responsive; Wikimedia's hard limits are far higher.
  defaultRate: { perSecond: 2 },
  optionsSchema: mediawikiOptionsSchema,
  create(options: MediawikiOptions, init: ConnectorInit): Connector {
    const logger = init.logger.child({ connector: "mediawiki" });
    const login = options.login;
    let credentials: CookieSession | undefined;
    if (login) {
      const credentialEnv = login.passwordEnv;
      const password = init.env[credentialEnv];
      if (!password) {
        throw new ConnectorError(
          "config",
          `source "${init.sourceId}": env var ${credentialEnv} holding the bot password is not set`,
          { sourceId: init.sourceId, credentialEnv },
        );
      }
      const refused = (why: string) =>
        new ConnectorError(
          "auth",
          `source "${init.sourceId}": bot-password login as ${login.username} failed (${why}); check env var ${credentialEnv}`,
          { sourceId: init.sourceId, credentialEnv },
        );
      credentials = new CookieSession({
        credentialEnv,
        secrets: [password],
        login: async (client: LoginClient, outer?: AbortSignal) => {
          // The login goes around the client's per-attempt timeout, so it brings its own; combining
          // also yields a signal of this realm, which undici's fetch insists on.
          const timeout = AbortSignal.timeout(30_000);
          const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
          const tokenUrl = new URL(options.apiUrl);
          for (const [key, value] of Object.entries({
            action: "query",
            meta: "tokens",
            type: "login",
            format: "json",
            formatversion: "2",
          }))
            tokenUrl.searchParams.set(key, value);
          const tokenAnswer = await client.fetch(tokenUrl, { signal });
          const tokenJson = (await tokenAnswer.json().catch(() => ({}))) as {
            query?: { tokens?: { logintoken?: string } };
          };
          const token = tokenJson.query?.tokens?.logintoken;
          if (!tokenAnswer.ok || !token) throw refused(`no login token, HTTP ${tokenAnswer.status}`);
          const answer = await client.fetch(options.apiUrl, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
              action: "login",
              lgname: login.username,
              lgpassword: password,
              lgtoken: token,
              format: "json",
              formatversion: "2",
            }).toString(),
            signal,
          });
          const json = (await answer.json().catch(() => ({}))) as {
            login?: { result?: string; reason?: string };
          };
          if (json.login?.result !== "Success") {
            throw refused(json.login?.reason ?? json.login?.result ?? `HTTP ${answer.status}`);
          }
        },
        // MediaWiki answers HTTP 200 with an error code when the session is gone.
        isExpired: async (response) => {
          const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
          return body.error?.code === "assertuserfailed" || body.error?.code === "readapidenied";
        },
      });
    }
    const http = connectorHttp(init, {
      baseUrl: options.apiUrl,
      ...(credentials ? { credentials } : {}),
      logger,
    });
    const api = new MediawikiApi(http, {
      sourceId: init.sourceId,
      endpoint: options.apiUrl,
      maxlag: options.maxlag,
      assertUser: login !== undefined,
      ...(login ? { credentialEnv: login.passwordEnv } : {}),
    });
    return new MediawikiConnector(options, init, api);
  },
};

/**
 * The clean-up module, imported on the first page that needs it: it loads cheerio, which a process
 * that never reads a page of this product (another source's run, a config check) should not load.
 */
let htmlCleanUp: Promise<typeof import("./mediawiki-html.js")> | undefined;
function loadHtmlCleanUp(): Promise<typeof import("./mediawiki-html.js")> {
  htmlCleanUp ??= import("./mediawiki-html.js");
  return htmlCleanUp;
}
