import type { FixtureReply, FixtureRequest, FixtureServer } from "../../src/testing/fixture-server.js";

export interface FixturePage {
  pageid: number;
  ns: number;
  title: string;
  revid: number;
  user: string;
  timestamp: string;
  categories: string[];
  html: string;
  redirect?: boolean;
}

export interface FixtureChange {
  rcid: number;
  type: "edit" | "new" | "log";
  ns: number;
  title: string;
  pageid: number;
  timestamp: string;
  logtype?: string;
  logaction?: string;
  logparams?: Record<string, unknown>;
}

/**
 * An in-memory wiki answering the Action API the way MediaWiki does with `formatversion=2`: errors
 * in the JSON with HTTP 200, `continue` objects, `pages` as an array with `missing: true`.
 */
export class FixtureWiki {
  readonly pages = new Map<number, FixturePage>();
  readonly changes: FixtureChange[] = [];
  now = "2026-12-01T12:00:00Z";
  /** When set, every request without this session cookie gets `readapidenied` (a private wiki). */
  session: { user: string; password: string; cookie?: string } | undefined;
  logins = 0;

  constructor(server: FixtureServer) {
    server.route("GET", "/w/api.php", (req) => this.answer(req, req.query));
    server.route("POST", "/w/api.php", (req) => this.answer(req, new URLSearchParams(req.body)));
  }

  add(page: Omit<FixturePage, "user" | "html" | "categories"> & Partial<FixturePage>): void {
    this.pages.set(page.pageid, {
      user: "Alice",
      categories: [],
      html: `<div class="mw-parser-output"><p>${page.title}</p></div>`,
      ...page,
    });
  }

  private answer(req: FixtureRequest, q: URLSearchParams): FixtureReply {
    if (q.get("action") === "query" && q.get("meta") === "tokens") {
      return { json: { batchcomplete: true, query: { tokens: { logintoken: "tok+\\" } } } };
    }
    if (q.get("action") === "login") {
      const ok =
        this.session &&
        q.get("lgname") === this.session.user &&
        q.get("lgpassword") === this.session.password;
      if (!ok)
        return { json: { login: { result: "Failed", reason: "Incorrect username or password entered." } } };
      this.logins += 1;
      this.session = { ...(this.session as { user: string; password: string }), cookie: `s${this.logins}` };
      return {
        headers: { "set-cookie": `wikisession=s${this.logins}; path=/; HttpOnly` },
        json: { login: { result: "Success", lguserid: 2, lgusername: "Bot" } },
      };
    }
    if (this.session) {
      const cookie = req.headers.cookie ?? "";
      if (!this.session.cookie || !cookie.includes(`wikisession=${this.session.cookie}`)) {
        return q.get("assert") === "user"
          ? { json: { error: { code: "assertuserfailed", info: "You are no longer logged in." } } }
          : {
              json: {
                error: { code: "readapidenied", info: "You need read permission to use this module." },
              },
            };
      }
    }
    const base = q.get("curtimestamp") ? { curtimestamp: this.now } : {};
    if (q.get("action") === "parse") {
      const page = this.pages.get(Number(q.get("pageid")));
      if (!page) return { json: { error: { code: "nosuchpageid", info: "There is no page with ID." } } };
      return {
        json: {
          parse: {
            title: page.title,
            pageid: page.pageid,
            revid: page.revid,
            text: page.html,
            displaytitle: page.title,
          },
        },
      };
    }
    if (q.get("meta") === "siteinfo") {
      return {
        json: {
          batchcomplete: true,
          query: { general: { server: "//wiki.example.com", articlepath: "/wiki/$1", sitename: "Fixture" } },
        },
      };
    }
    if (q.get("list") === "allpages") {
      const ns = Number(q.get("apnamespace") ?? 0);
      const limit = Number(q.get("aplimit") ?? 10);
      const from = q.get("apcontinue") ?? "";
      const all = [...this.pages.values()]
        .filter((p) => p.ns === ns && !p.redirect)
        .sort((a, b) => a.title.localeCompare(b.title))
        .filter((p) => p.title.replace(/ /g, "_") >= from);
      const batch = all.slice(0, limit);
      const next = all[limit];
      return {
        json: {
          ...base,
          ...(next
            ? { continue: { apcontinue: next.title.replace(/ /g, "_"), continue: "-||" } }
            : { batchcomplete: true }),
          query: { allpages: batch.map((p) => ({ pageid: p.pageid, ns: p.ns, title: p.title })) },
        },
      };
    }
    if (q.get("list") === "recentchanges") {
      const start = q.get("rcstart") ?? "";
      const namespaces = (q.get("rcnamespace") ?? "").split("|").map(Number);
      const limit = Number(q.get("rclimit") ?? 10);
      const after = Number(q.get("rccontinue")?.split("|")[1] ?? 0);
      const all = this.changes
        .filter((c) => c.timestamp >= start && namespaces.includes(c.ns) && c.rcid >= after)
        .sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.rcid - b.rcid);
      const batch = all.slice(0, limit);
      const next = all[limit];
      return {
        json: {
          ...base,
          ...(next
            ? { continue: { rccontinue: `${next.timestamp}|${next.rcid}`, continue: "-||" } }
            : { batchcomplete: true }),
          query: {
            recentchanges: batch.map((c) => ({
              type: c.type,
              ns: c.ns,
              title: c.title,
              pageid: c.type === "log" && c.logaction === "delete" ? 0 : c.pageid,
              revid: 0,
              old_revid: 0,
              rcid: c.rcid,
              timestamp: c.timestamp,
              ...(c.type === "log"
                ? {
                    logid: c.rcid,
                    logtype: c.logtype,
                    logaction: c.logaction,
                    logpage: c.pageid,
                    logparams: c.logparams ?? {},
                  }
                : {}),
            })),
          },
        },
      };
    }
    if (q.get("prop")?.includes("info")) {
      const ids = (q.get("pageids") ?? "").split("|").filter(Boolean).map(Number);
      return {
        json: {
          batchcomplete: true,
          query: {
            pages: ids.map((id) => {
              const p = this.pages.get(id);
              if (!p) return { pageid: id, missing: true };
              return {
                pageid: p.pageid,
                ns: p.ns,
                title: p.title,
                contentmodel: "wikitext",
                touched: p.timestamp,
                lastrevid: p.revid,
                ...(p.redirect ? { redirect: true } : {}),
                ...(p.categories.length
                  ? { categories: p.categories.map((c) => ({ ns: 14, title: `Category:${c}` })) }
                  : {}),
                revisions: [{ revid: p.revid, parentid: 0, user: p.user, timestamp: p.timestamp }],
              };
            }),
          },
        },
      };
    }
    return { json: { error: { code: "badvalue", info: `fixture cannot answer ${q.toString()}` } } };
  }
}
