import { accessSync, constants } from "node:fs";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * The browser the status-page test drives: CHROMIUM_PATH when set, else Debian's chromium, which
 * test/setup/prepare-system.sh installs before the suites (vitest's global setup and .ci/run run it).
 */
export function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return configured;
  try {
    accessSync(DEBIAN_CHROMIUM, constants.X_OK);
    return DEBIAN_CHROMIUM;
  } catch {
    throw new Error(
      "the status-page test needs a chromium: run `bash test/setup/prepare-system.sh chromium` as root " +
        "(apt-get install chromium), or set CHROMIUM_PATH",
    );
  }
}
