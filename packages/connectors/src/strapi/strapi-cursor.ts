import { ConnectorError } from "../errors.js";

/** Incremental position per content type and locale: the newest `updatedAt` covered so far. */
export interface StrapiCursor {
  since: Record<string, string>;
}

export function encodeStrapiCursor(cursor: StrapiCursor): string {
  return JSON.stringify({ v: 1, since: cursor.since });
}

export function decodeStrapiCursor(raw: string, sourceId: string): StrapiCursor {
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
      `source "${sourceId}": Strapi cursor ${JSON.stringify(raw)} is not one this connector wrote`,
      {
        sourceId,
      },
    );
  }
  return { since: { ...(since as Record<string, string>) } };
}
