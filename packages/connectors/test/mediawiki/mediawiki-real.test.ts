import { readFile } from "node:fs/promises";
import path from "node:path";
import { pino } from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import type { SourceEvent } from "../../src/contract.js";
import { mediawikiConnector } from "../../src/mediawiki/index.js";

const logger = pino({ level: "silent" });
const ctx = () => ({ signal: new AbortController().signal, logger });
const home = process.env.MEDIAWIKI_TEST_HOME ?? "/var/lib/content-sync-test/mediawiki";
const envFile = path.join(home, "mediawiki.env");

async function readEnv(): Promise<Record<string, string>> {
  const text = await readFile(envFile, "utf8").catch(() => {
    throw new Error(`no ${envFile}: run \`bash test/mediawiki/setup.sh\` as root first`);
  });
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).trim()]),
  );
}

/** The tests' own hands on the wiki: a bot-password session that may edit, move and delete. */
class Editor {
  private cookies = new Map<string, string>();
  private csrf = "";
  constructor(private readonly api: string) {}

  private async send(params: Record<string, string>, post: boolean): Promise<Record<string, unknown>> {
    const body = new URLSearchParams({ format: "json", formatversion: "2", ...params });
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = post
      ? await fetch(this.api, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie },
          body,
        })
      : await fetch(`${this.api}?${body}`, { headers: { cookie } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const json = (await response.json()) as Record<string, unknown> & { error?: { code: string } };
    if (json.error) throw new Error(`${params.action}: ${json.error.code}`);
    return json;
  }

  async login(user: string, password: string): Promise<void> {
    const tokens = (await this.send({ action: "query", meta: "tokens", type: "login" }, false)) as {
      query: { tokens: { logintoken: string } };
    };
    const login = (await this.send(
      { action: "login", lgname: user, lgpassword: password, lgtoken: tokens.query.tokens.logintoken },
      true,
    )) as { login: { result: string } };
    expect(login.login.result).toBe("Success");
    const csrf = (await this.send({ action: "query", meta: "tokens" }, false)) as {
      query: { tokens: { csrftoken: string } };
    };
    this.csrf = csrf.query.tokens.csrftoken;
  }

  async edit(title: string, text: string): Promise<number> {
    const answer = (await this.send({ action: "edit", title, text, token: this.csrf, bot: "1" }, true)) as {
      edit: { pageid: number };
    };
    return answer.edit.pageid;
  }

  async move(from: string, to: string): Promise<void> {
    await this.send({ action: "move", from, to, noredirect: "1", token: this.csrf }, true);
  }

  async delete(title: string): Promise<void> {
    await this.send({ action: "delete", title, token: this.csrf }, true);
  }
}

async function collect(events: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const out: SourceEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
const ids = (events: SourceEvent[], kind: "document" | "deleted") =>
  events
    .flatMap((e) =>
      e.kind === "document" && kind === "document"
        ? [e.document.externalId]
        : e.kind === "deleted" && kind === "deleted"
          ? [e.externalId]
          : [],
    )
    .sort();
const cursorOf = (events: SourceEvent[]) => {
  const last = events.at(-1);
  if (last?.kind !== "cursor") throw new Error("the run ended without a cursor");
  return last.cursor;
};
/** Recent changes are stamped to the second: let the clock pass the cursor before changing the wiki. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

describe("MediaWiki connector against a real, private MediaWiki", { timeout: 60_000 }, () => {
  let env: Record<string, string>;
  let editor: Editor;
  // This run's pages share a category, so the exact counts hold on a wiki earlier runs left pages in.
  const run = `Run${Date.now()}`;
  const titles = { a: `CS ${run} Alpha`, b: `CS ${run} Beta`, c: `CS ${run} Gamma`, d: `CS ${run} Delta` };
  const page = { a: 0, b: 0, c: 0, d: 0 };
  const text = (body: string) => `${body}\n\n== Details ==\nMore.\n\n[[Category:${run}]]`;

  beforeAll(async () => {
    env = await readEnv();
    editor = new Editor(env.MEDIAWIKI_API_URL ?? "");
    await editor.login(env.MEDIAWIKI_EDITOR_USER ?? "", env.MEDIAWIKI_EDITOR_PASSWORD ?? "");
  });

  const connector = (password = env.MEDIAWIKI_BOT_PASSWORD ?? "") =>
    mediawikiConnector.create(
      mediawikiConnector.optionsSchema.parse({
        apiUrl: env.MEDIAWIKI_API_URL,
        includeCategories: [run],
        login: { username: env.MEDIAWIKI_BOT_USER, passwordEnv: "MEDIAWIKI_BOT_PASSWORD" },
        overlapSeconds: 0,
        pageSize: 2,
      }),
      { sourceId: "real-wiki", logger, env: { MEDIAWIKI_BOT_PASSWORD: password } },
    );

  const changesSince = (cursor: string) => {
    const source = connector();
    if (!source.listChanges) throw new Error("the connector has no change feed");
    return source.listChanges(cursor, ctx());
  };

  it("lists, then syncs an edit, a move, a deletion and a creation with exact counts", async () => {
    page.a = await editor.edit(titles.a, text("Alpha '''bold''' text."));
    page.b = await editor.edit(titles.b, text("Beta text."));
    page.c = await editor.edit(titles.c, text("Gamma text."));

    const full = await collect(connector().listAll(ctx()));
    expect(ids(full, "document")).toEqual([page.a, page.b, page.c].map(String).sort());
    const alpha = full.find((e) => e.kind === "document" && e.document.externalId === String(page.a));
    if (alpha?.kind !== "document") throw new Error("Alpha not listed");
    expect(alpha.document.metadata.labels).toEqual([run]);
    const loaded = await alpha.document.load();
    expect(loaded.title).toBe(titles.a);
    expect(loaded.url).toBe(
      `${new URL(env.MEDIAWIKI_API_URL ?? "").origin}/index.php/${titles.a.replace(/ /g, "_")}`,
    );
    expect(loaded.body.kind === "html" && loaded.body.html).toContain("<b>bold</b>");
    expect(loaded.body.kind === "html" && loaded.body.html).not.toContain("mw-editsection");

    await nextSecond();
    await editor.edit(titles.a, text("Alpha edited."));
    await editor.move(titles.b, `${titles.b} moved`);
    await editor.delete(titles.c);
    page.d = await editor.edit(titles.d, text("Delta text."));
    await nextSecond();

    const changes = await collect(changesSince(cursorOf(full)));
    expect(ids(changes, "document")).toEqual([page.a, page.b, page.d].map(String).sort());
    expect(ids(changes, "deleted")).toEqual([String(page.c)]);
    const moved = changes.find((e) => e.kind === "document" && e.document.externalId === String(page.b));
    if (moved?.kind !== "document") throw new Error("Beta not in the changes");
    expect((await moved.document.load()).title).toBe(`${titles.b} moved`);

    await nextSecond();
    const quiet = await collect(changesSince(cursorOf(changes)));
    expect(quiet.map((e) => e.kind)).toEqual(["cursor"]);

    const missing = await collect(connector().fetchByIds([String(page.a), String(page.c)], ctx()));
    expect(missing.map((e) => e.kind)).toEqual(["document", "missing"]);
  });

  it("refuses a wrong bot password as auth naming the env var, and an anonymous read as readapidenied", async () => {
    const events: SourceEvent[] = [];
    const failure = await (async () => {
      try {
        for await (const event of connector("wrong-bot-password").listAll(ctx())) events.push(event);
      } catch (error) {
        return error as Error & { kind?: string };
      }
      return undefined;
    })();
    expect(events).toEqual([]);
    expect(failure?.kind).toBe("auth");
    expect(failure?.message).toContain("MEDIAWIKI_BOT_PASSWORD");
    expect(failure?.message).not.toContain("wrong-bot-password");

    const anonymous = mediawikiConnector.create(
      mediawikiConnector.optionsSchema.parse({ apiUrl: env.MEDIAWIKI_API_URL }),
      { sourceId: "real-wiki", logger, env: {} },
    );
    await expect(collect(anonymous.listAll(ctx()))).rejects.toMatchObject({
      kind: "auth",
      message: expect.stringContaining("readapidenied"),
    });
  });
});
