import { ConnectorError } from "../errors.js";

/**
 * Where each drive's change feed stands: one `@odata.deltaLink` per drive id, and the key of the
 * scope (folders, globs, media types) they were listed under. A drive missing from `drives` has not
 * finished a listing yet: the change feed enumerates it from the start.
 */
export interface GraphCursor {
  scope: string;
  drives: Record<string, string>;
}

const VERSION = 1;

export function encodeGraphCursor(cursor: GraphCursor): string {
  return JSON.stringify({ v: VERSION, scope: cursor.scope, drives: cursor.drives });
}

/**
 * Reads a stored cursor. One this version cannot read, or one written for another scope (files
 * that were out of scope never reached the feed's earlier answers), is `cursor_expired`: the engine
 * lists everything instead.
 */
export function decodeGraphCursor(raw: string, scope: string, sourceId: string): GraphCursor {
  const expired = (why: string) =>
    new ConnectorError(
      "cursor_expired",
      `source "${sourceId}": the SharePoint cursor ${why}; listing everything`,
      {
        sourceId,
      },
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw expired("is not JSON");
  }
  const value = parsed as { v?: unknown; scope?: unknown; drives?: unknown } | null;
  if (value === null || typeof value !== "object" || value.v !== VERSION)
    throw expired("has an unknown format");
  if (value.scope !== scope) throw expired("was written for other folders, globs or media types");
  const drives = value.drives;
  if (drives === null || typeof drives !== "object" || Array.isArray(drives))
    throw expired("names no drives");
  const links: Record<string, string> = {};
  for (const [driveId, link] of Object.entries(drives)) {
    if (typeof link !== "string" || link === "") throw expired(`holds no delta link for drive ${driveId}`);
    links[driveId] = link;
  }
  return { scope, drives: links };
}
