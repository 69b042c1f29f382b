import { ConnectorError } from "../../errors.js";

/**
 * An incremental position kept per listing scope (post type, content type + locale…): the newest
 * update timestamp covered so far in each. Per scope, because scopes are listed one after another
 * and each page moves only its own scope forward.
 */
export interface TimestampCursor {
  since: Record<string, string>;
}

export function encodeTimestampCursor(cursor: TimestampCursor): string {
  return JSON.stringify({ v: 1, since: cursor.since });
}

/**
 * Reads a cursor this connector wrote; anything else (hand-edited state, a cursor of another
 * connector type after a config change) is a config error rather than a silent full re-listing.
 */
export function decodeTimestampCursor(raw: string, sourceId: string, product: string): TimestampCursor {
  let parsed: { v?: unknown; since?: unknown } | undefined;
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const since = parsed?.since;
  const valid =
    parsed?.v === 1 &&
    typeof since === "object" &&
    since !== null &&
    Object.values(since).every((value) => typeof value === "string" && !Number.isNaN(Date.parse(value)));
  if (!valid) {
    throw new ConnectorError(
      "config",
      `source "${sourceId}": ${product} cursor ${JSON.stringify(raw)} is not one this connector wrote`,
      { sourceId },
    );
  }
  return { since: { ...(since as Record<string, string>) } };
}
