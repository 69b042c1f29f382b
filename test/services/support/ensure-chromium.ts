import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { promisify } from "node:util";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * The browser the status-page test drives: CHROMIUM_PATH when set, else Debian's chromium. A machine
 * without it gets it installed with apt when the tests run as root (CI and this project's machines),
 * the way the WordPress suite installs WordPress, so `npm test` works on a fresh machine; anywhere
 * else the test fails saying what to install.
 */
export async function ensureChromium(): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return configured;
  if (await isExecutable(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `the status-page test needs a chromium: install Debian's (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  const run = promisify(execFile);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const big = { env, maxBuffer: 64 * 1024 * 1024 };
  await run("apt-get", ["update", "-qq"], { ...big, timeout: 600_000 });
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], {
    ...big,
    timeout: 900_000,
  });
  if (!(await isExecutable(DEBIAN_CHROMIUM))) {
    throw new Error(`apt-get install chromium finished, but ${DEBIAN_CHROMIUM} is still missing`);
  }
  return DEBIAN_CHROMIUM;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
