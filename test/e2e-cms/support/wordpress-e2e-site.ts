import { readFile } from "node:fs/promises";
import path from "node:path";
import { basic, type WordPressSite } from "../../../packages/connectors/test/wordpress/wordpress-site.js";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const setupScript = path.join(repoRoot, "test", "wordpress", "setup.sh");

/**
 * A WordPress of its own for the end-to-end suite: the connector's integration suite wipes every post
 * of its site before each test, and both run in parallel in `npm test`, so sharing one site would make
 * both flaky. Same setup script, another state directory, port and database.
 */
const E2E_SITE = {
  WORDPRESS_TEST_HOME: process.env.WORDPRESS_E2E_HOME ?? "/var/lib/content-sync-test/wordpress-e2e",
  WORDPRESS_TEST_PORT: process.env.WORDPRESS_E2E_PORT ?? "18766",
  WORDPRESS_TEST_DB: "content_sync_wp_e2e",
};
const envFile = path.join(E2E_SITE.WORDPRESS_TEST_HOME, "wordpress.env");

async function readSite(): Promise<WordPressSite | undefined> {
  const text = await readFile(envFile, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const values = new Map(
    text
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).trim()] as const),
  );
  const url = values.get("WORDPRESS_URL");
  const user = values.get("WORDPRESS_USER");
  const appPassword = values.get("WORDPRESS_APP_PASSWORD");
  return url && user && appPassword ? { url, user, appPassword } : undefined;
}

async function acceptsCredentials(site: WordPressSite): Promise<boolean> {
  const response = await fetch(`${site.url}/wp-json/wp/v2/users/me`, {
    headers: { authorization: basic(site) },
    signal: AbortSignal.timeout(10_000),
  }).catch(() => undefined);
  await response?.arrayBuffer();
  return response?.status === 200;
}

/**
 * The end-to-end WordPress, as test/setup/prepare-system.sh left it (vitest's global setup of the e2e
 * project runs that script before the suites, and so does .ci/run).
 */
export async function wordpressE2eSite(): Promise<WordPressSite> {
  const site = await readSite();
  if (site && (await acceptsCredentials(site))) return site;
  throw new Error(
    `no end-to-end WordPress answers with the credentials in ${envFile}: run ` +
      `\`bash test/setup/prepare-system.sh wordpress-e2e\` as root (it runs ${setupScript} with ${JSON.stringify(E2E_SITE)})`,
  );
}
