import { createHmac } from "node:crypto";

/** An Admin API key as Ghost shows it: `<24-hex id>:<64-hex secret>`. */
const ADMIN_KEY = /^([0-9a-f]{24}):([0-9a-f]{64})$/i;

/** Ghost rejects Admin tokens older than five minutes. */
const TOKEN_LIFETIME_SECONDS = 5 * 60;

export interface GhostAdminKey {
  id: string;
  secret: Buffer;
}

/** Splits an Admin API key; returns undefined when it does not have Ghost's shape (never echo the key). */
export function parseGhostAdminKey(raw: string): GhostAdminKey | undefined {
  const match = ADMIN_KEY.exec(raw.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return { id: match[1], secret: Buffer.from(match[2], "hex") };
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/**
 * A short-lived Admin API token: a JWT signed HS256 with the hex-decoded secret, the key id as `kid`,
 * audience `/admin/` and a five-minute expiry, sent as `Authorization: Ghost <token>`.
 */
export function ghostAdminToken(key: GhostAdminKey, now: Date = new Date()): string {
  const iat = Math.floor(now.getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT", kid: key.id }));
  const payload = base64url(JSON.stringify({ iat, exp: iat + TOKEN_LIFETIME_SECONDS, aud: "/admin/" }));
  const signature = createHmac("sha256", key.secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
