import { createHmac, timingSafeEqual } from "node:crypto";
import { WebhookVerificationError } from "../../errors.js";

/** HMAC-SHA256 of `payload` with `secret`, hex encoded. */
export function hmacSha256Hex(secret: string | Buffer, payload: string | Buffer): string {
  return createHmac("sha256", secret).update(payload).digest("hex");
}

/** HMAC-SHA256 of `payload` with `secret`, base64 encoded. */
export function hmacSha256Base64(secret: string | Buffer, payload: string | Buffer): string {
  return createHmac("sha256", secret).update(payload).digest("base64");
}

/** Constant-time string comparison; unequal lengths compare as different without leaking where. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Throws unless the secret is configured; webhooks without a secret are never accepted. */
export function requireSecret(secret: string | undefined): string {
  if (!secret) throw new WebhookVerificationError("no webhook secret is configured for this source");
  return secret;
}

/**
 * Rejects timestamps outside `toleranceSeconds` of `now`, in either direction, so a captured request
 * cannot be replayed later.
 */
export function assertFreshTimestamp(timestampSeconds: number, now: Date, toleranceSeconds: number): void {
  if (!Number.isFinite(timestampSeconds))
    throw new WebhookVerificationError("webhook timestamp is missing or not a number");
  const skew = Math.abs(now.getTime() / 1000 - timestampSeconds);
  if (skew > toleranceSeconds) {
    throw new WebhookVerificationError(
      `webhook timestamp is ${Math.round(skew)}s away from now (tolerance ${toleranceSeconds}s)`,
    );
  }
}
