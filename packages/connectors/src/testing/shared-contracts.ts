import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is packages/connectors/src/testing/…). */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/**
 * A vendor API description from `../shared/contracts/` beside the checkout (see its README), or
 * undefined where that folder is absent (a clone without it): tests then skip and say so.
 */
export function sharedContract(relativePath: string): string | undefined {
  const file = path.resolve(REPO_ROOT, "..", "shared", "contracts", relativePath);
  return existsSync(file) ? file : undefined;
}
