import { z } from "zod";
import { ConnectorError } from "../errors.js";

/**
 * The incremental position: the timestamp of the newest recent change covered (`rcstart` of the next
 * run, minus the overlap) and the rcids already seen at that timestamp, which MediaWiki stamps to the
 * second only.
 */
const cursorSchema = z.strictObject({
  v: z.literal(1),
  since: z.iso.datetime(),
  seenRcIds: z.array(z.number().int()).default([]),
});

export type MediawikiCursor = z.output<typeof cursorSchema>;

export function encodeMediawikiCursor(cursor: MediawikiCursor): string {
  return JSON.stringify({ v: 1, since: cursor.since, seenRcIds: cursor.seenRcIds });
}

/**
 * Reads a cursor this connector wrote. Garbage is a `config` error; a cursor older than the wiki
 * keeps recent changes is `cursor_expired`, so the engine runs a full listing instead.
 */
export function decodeMediawikiCursor(
  raw: string,
  where: { sourceId: string; rcMaxAgeDays: number; now?: Date },
): MediawikiCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success) {
    throw new ConnectorError(
      "config",
      `source "${where.sourceId}": cursor is not a MediaWiki cursor; run a full sync to start over`,
      { sourceId: where.sourceId },
    );
  }
  const now = (where.now ?? new Date()).getTime();
  const age = now - new Date(result.data.since).getTime();
  if (age > where.rcMaxAgeDays * 86_400_000) {
    throw new ConnectorError(
      "cursor_expired",
      `source "${where.sourceId}": cursor ${result.data.since} is older than the ${where.rcMaxAgeDays} days the wiki keeps recent changes`,
      { sourceId: where.sourceId },
    );
  }
  return result.data;
}
