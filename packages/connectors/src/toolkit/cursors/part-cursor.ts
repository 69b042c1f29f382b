import { ConnectorError } from "../../errors.js";

/**
 * A change-feed position per part of a source (each drive, shared drive or corpus it spans), with the
 * key of the scope (folders, globs, media types) they were listed under. Each part advances on its
 * own, so one part failing never rewinds another.
 */
export interface PartCursor {
  scope: string;
  positions: Record<string, string>;
}

const VERSION = 1;

/**
 * `field` names the parts as the product does (`drives` for Graph's delta links, `tokens` for Drive's
 * page tokens), so a stored cursor reads as what it holds.
 */
export function encodePartCursor(cursor: PartCursor, field: string): string {
  return JSON.stringify({ v: VERSION, scope: cursor.scope, [field]: cursor.positions });
}

/**
 * Reads a cursor `encodePartCursor` wrote. One it cannot read, or one written for another scope
 * (files that were out of scope never reached the feeds' earlier answers), is `cursor_expired`: the
 * engine lists everything instead. `product` names the connector in the message.
 */
export function decodePartCursor(
  raw: string,
  expected: { scope: string; sourceId: string; product: string; field: string },
): PartCursor {
  const expired = (why: string) => partCursorExpired(expected, why);
  let parsed: Record<string, unknown> | null;
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    throw expired("is not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || parsed.v !== VERSION)
    throw expired("has an unknown format");
  if (parsed.scope !== expected.scope)
    throw expired("was written for another scope (folders, drives, globs)");
  const stored = parsed[expected.field];
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) throw expired("names no parts");
  const positions: Record<string, string> = {};
  for (const [part, position] of Object.entries(stored)) {
    if (typeof position !== "string" || position === "") throw expired(`holds no position for ${part}`);
    positions[part] = position;
  }
  return { scope: expected.scope, positions };
}

/** The `cursor_expired` error of a part cursor that cannot be used, saying why. */
export function partCursorExpired(
  expected: { sourceId: string; product: string },
  why: string,
): ConnectorError {
  return new ConnectorError(
    "cursor_expired",
    `source "${expected.sourceId}": the ${expected.product} cursor ${why}; listing everything`,
    { sourceId: expected.sourceId },
  );
}
