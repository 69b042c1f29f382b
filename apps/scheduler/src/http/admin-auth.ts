import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Cookie that carries the admin token for browser UIs (Bull Board loads its assets itself). */
export const ADMIN_COOKIE = "content_sync_admin";

function sameSecret(given: string, expected: string): boolean {
  const left = Buffer.from(given);
  const right = Buffer.from(expected);
  if (left.length !== right.length) {
    timingSafeEqual(right, right);
    return false;
  }
  return timingSafeEqual(left, right);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

/** The token a request presents: `Authorization: Bearer …`, else the admin cookie. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith("Bearer ")) return authorization.slice(7).trim();
  return cookieValue(request.headers.cookie, ADMIN_COOKIE);
}

/**
 * `valid` when the request carries the admin token, `absent` when it carries none, `wrong` when it
 * carries another one (or no admin token is configured and it carries one anyway).
 */
export function adminCredential(
  request: FastifyRequest,
  adminToken: string | undefined,
): "valid" | "absent" | "wrong" {
  const token = presentedToken(request);
  if (!token) return "absent";
  return adminToken && sameSecret(token, adminToken) ? "valid" : "wrong";
}

/**
 * The admin cookie for Bull Board. `Secure` when the request came over https (directly, or through a
 * trusted proxy's X-Forwarded-Proto: Fastify's `trustProxy`), so the browser never sends it in clear.
 */
export function adminCookie(token: string, secure: boolean): string {
  return `${ADMIN_COOKIE}=${encodeURIComponent(token)}; Path=/admin; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/**
 * Answers 403 when no admin token is configured (admin actions are off) and 401 when the request's
 * token is missing or wrong. Returns true when the request may proceed.
 */
export function checkAdmin(
  request: FastifyRequest,
  reply: FastifyReply,
  adminToken: string | undefined,
): boolean {
  if (!adminToken) {
    void reply
      .code(403)
      .send({ error: "admin actions are disabled: set CONTENT_SYNC_ADMIN_TOKEN to enable them" });
    return false;
  }
  const token = presentedToken(request);
  if (!token || !sameSecret(token, adminToken)) {
    void reply.code(401).header("www-authenticate", "Bearer").send({ error: "admin token missing or wrong" });
    return false;
  }
  return true;
}

export { sameSecret };
