import { z } from "zod";

/**
 * Where the next incremental run starts.
 * - `sync` (Delivery API): one Sync API token per stream. Streams are keyed by content type id, or `*`
 *   for the unfiltered sync; `deletions` is the separate DeletedEntry sync a content-type-filtered
 *   setup needs, because filtered syncs carry no deletions.
 * - `updated` (Preview API, which has no Sync API): the server time the last run started.
 */
const cursorSchema = z.discriminatedUnion("mode", [
  z.strictObject({
    v: z.literal(1),
    mode: z.literal("sync"),
    tokens: z.record(z.string(), z.string().min(1)),
    deletions: z.string().min(1).optional(),
  }),
  z.strictObject({ v: z.literal(1), mode: z.literal("updated"), since: z.iso.datetime() }),
]);

export type ContentfulCursor = z.output<typeof cursorSchema>;

export const encodeContentfulCursor = (cursor: ContentfulCursor): string => JSON.stringify(cursor);

/** Parses a stored cursor; returns an explanation instead of throwing so the caller can name the source. */
export function decodeContentfulCursor(raw: string): ContentfulCursor | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { error: "cursor is not JSON" };
  }
  const result = cursorSchema.safeParse(parsed);
  return result.success
    ? result.data
    : { error: `cursor is not a Contentful cursor: ${result.error.message}` };
}
