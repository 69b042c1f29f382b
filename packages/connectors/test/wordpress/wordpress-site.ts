import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const setupScript = path.join(repoRoot, "test", "wordpress", "setup.sh");
const home = process.env.WORDPRESS_TEST_HOME ?? "/var/lib/content-sync-test/wordpress";
const envFile = path.join(home, "wordpress.env");

export interface WordPressSite {
  url: string;
  user: string;
  appPassword: string;
}

async function readEnvFile(): Promise<WordPressSite | undefined> {
  const text = await readFile(envFile, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const values = Object.fromEntries(
    text
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).trim()]),
  );
  const { WORDPRESS_URL: url, WORDPRESS_USER: user, WORDPRESS_APP_PASSWORD: appPassword } = values;
  if (!url || !user || !appPassword) return undefined;
  return { url, user, appPassword };
}

async function answers(site: WordPressSite): Promise<boolean> {
  const response = await fetch(`${site.url}/wp-json/wp/v2/users/me`, {
    headers: { authorization: basic(site) },
    signal: AbortSignal.timeout(10_000),
  }).catch(() => undefined);
  return response?.status === 200;
}

/**
 * The real WordPress the suite runs against, as test/setup/prepare-system.sh left it (vitest's global
 * setup of this project runs that script before the suites, and so does .ci/run): read from the setup
 * script's env file, and checked to accept its credentials.
 */
export async function wordpressSite(): Promise<WordPressSite> {
  const site = await readEnvFile();
  if (site && (await answers(site))) return site;
  throw new Error(
    `no WordPress answers with the credentials in ${envFile}: run \`bash test/setup/prepare-system.sh wordpress\` ` +
      `as root (it runs ${setupScript}; vitest's global setup does so before the suites when it can)`,
  );
}

export function basic(site: WordPressSite, password = site.appPassword): string {
  return `Basic ${Buffer.from(`${site.user}:${password}`).toString("base64")}`;
}

/** A thin admin client for arranging content through WordPress's own REST API. */
export class WordPressAdmin {
  constructor(private readonly site: WordPressSite) {}

  async request<T>(method: string, route: string, body?: unknown): Promise<{ status: number; data: T }> {
    const response = await fetch(`${this.site.url}/wp-json/wp/v2${route}`, {
      method,
      headers: { authorization: basic(this.site), "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const data = (await response.json()) as T;
    if (response.status >= 400) {
      throw new Error(
        `${method} ${route} answered ${response.status}: ${JSON.stringify(data).slice(0, 300)}`,
      );
    }
    return { status: response.status, data };
  }

  async create(restBase: "posts" | "pages", fields: Record<string, unknown>): Promise<number> {
    const { data } = await this.request<{ id: number }>("POST", `/${restBase}`, fields);
    return data.id;
  }

  async update(restBase: "posts" | "pages", id: number, fields: Record<string, unknown>): Promise<void> {
    await this.request("POST", `/${restBase}/${id}`, fields);
  }

  async trash(restBase: "posts" | "pages", id: number): Promise<void> {
    await this.request("DELETE", `/${restBase}/${id}`);
  }

  async forceDelete(restBase: "posts" | "pages", id: number): Promise<void> {
    await this.request("DELETE", `/${restBase}/${id}?force=true`);
  }

  async term(taxonomy: "categories" | "tags", name: string): Promise<number> {
    const { data } = await this.request<{ id: number }>("POST", `/${taxonomy}`, { name });
    return data.id;
  }

  /** Force-deletes every post and page so each run starts from an empty site. */
  async deleteAllContent(): Promise<void> {
    for (const restBase of ["posts", "pages"] as const) {
      for (;;) {
        const { data } = await this.request<{ id: number }[]>(
          "GET",
          `/${restBase}?context=edit&status=publish,future,draft,pending,private,trash&per_page=100&_fields=id`,
        );
        if (data.length === 0) break;
        for (const item of data) await this.forceDelete(restBase, item.id);
      }
    }
  }

  /** The site's clock (second precision), from the Date header of a cheap request. */
  async serverTime(): Promise<number> {
    const response = await fetch(`${this.site.url}/wp-json/wp/v2/types/post`);
    await response.arrayBuffer();
    return Date.parse(response.headers.get("date") ?? "");
  }

  /**
   * WordPress stores modification times to the second: wait until the site's clock has moved past
   * `after` so the next edit is distinguishable from everything before it.
   */
  async nextSecond(after: number): Promise<void> {
    while ((await this.serverTime()) <= after) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
