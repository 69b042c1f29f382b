import { readFileSync } from "node:fs";

/**
 * This app's version, from its package.json (one level above both src/ and dist/, so the same line
 * works from the sources and from the build).
 */
export function appVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return manifest.version ?? "unknown";
}
