import { ConnectorError } from "../errors.js";

/**
 * Incremental position per post type: the newest `modified_gmt` (UTC) covered so far. Per type,
 * because types are listed one after another and each page moves only its own type forward.
 */
export interface WordPressCursor {
  since: Record<string, string>;
}

export function encodeWordPressCursor(cursor: WordPressCursor): string {
  return JSON.stringify({ v: 1, since: cursor.since });
}

export function decodeWordPressCursor(raw: string, sourceId: string): WordPressCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const since = (parsed as { v?: unknown; since?: unknown } | undefined)?.since;
  const valid =
    (parsed as { v?: unknown } | undefined)?.v === 1 &&
    typeof since === "object" &&
    since !== null &&
    Object.values(since).every((value) => typeof value === "string" && !Number.isNaN(Date.parse(value)));
  if (!valid) {
    throw new ConnectorError(
      "config",
      `source "${sourceId}": WordPress cursor ${JSON.stringify(raw)} is not one this connector wrote`,
      {
        sourceId,
      },
    );
  }
  return { since: { ...(since as Record<string, string>) } };
}
