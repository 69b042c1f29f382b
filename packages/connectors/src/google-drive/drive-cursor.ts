import { ConnectorError } from "../errors.js";

/**
 * A Drive source's position in its change feeds: one page token per part (`drive:<id>` for each
 * shared drive, `user` for the user's corpus behind folders and My Drive), plus a key of the scope
 * it was written for. Each part advances on its own, so one part failing never rewinds another.
 */
export interface DriveCursor {
  scope: string;
  tokens: Record<string, string>;
}

const VERSION = 1;

export function encodeDriveCursor(cursor: DriveCursor): string {
  return JSON.stringify({ v: VERSION, scope: cursor.scope, tokens: cursor.tokens });
}

/**
 * Reads a cursor this connector wrote. One written for another scope (drives or folders changed)
 * or missing a part's token cannot say where the new parts start: `cursor_expired`, so a full
 * listing replaces the run. A value that is not such a cursor at all is the same: the listing
 * establishes a new one.
 */
export function decodeDriveCursor(
  raw: string,
  scope: string,
  parts: readonly string[],
  sourceId: string,
): DriveCursor {
  const expired = (why: string) =>
    new ConnectorError(
      "cursor_expired",
      `source "${sourceId}": the Google Drive cursor ${why}; a full listing replaces this run`,
      { sourceId },
    );
  let parsed: { v?: unknown; scope?: unknown; tokens?: unknown };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    throw expired("is not JSON");
  }
  if (
    parsed === null ||
    typeof parsed !== "object" ||
    parsed.v !== VERSION ||
    typeof parsed.tokens !== "object" ||
    parsed.tokens === null
  )
    throw expired("is not one this connector wrote");
  if (parsed.scope !== scope) throw expired("was written for other drives or folders");
  const tokens: Record<string, string> = {};
  for (const part of parts) {
    const token = (parsed.tokens as Record<string, unknown>)[part];
    if (typeof token !== "string" || token === "") throw expired(`has no page token for ${part}`);
    tokens[part] = token;
  }
  return { scope, tokens };
}
