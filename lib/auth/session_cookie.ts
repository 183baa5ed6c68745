/**
 * The session cookie: `__Host-session` (Secure, Path=/, no Domain) everywhere but plain-HTTP
 * localhost, where browsers refuse Secure cookies and the prefix with them. Functions return
 * header values so API routes and page handlers set cookies the same way.
 */
import { parse, serialize } from "hono/utils/cookie";

/** How long a session lasts. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

function isPlainLocalhost(url: URL): boolean {
  return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

/** The cookie's name at this origin. */
export function sessionCookieName(origin: URL): string {
  return isPlainLocalhost(origin) ? "session" : "__Host-session";
}

/** The session token in a Cookie header, if any. */
export function readSessionToken(cookieHeader: string | null | undefined, origin: URL): string | undefined {
  if (!cookieHeader) return undefined;
  const name = sessionCookieName(origin);
  return parse(cookieHeader, name)[name];
}

/** A Set-Cookie value that starts a session. */
export function sessionCookie(origin: URL, token: string, expiresAt: Date): string {
  return serialize(sessionCookieName(origin), token, {
    httpOnly: true,
    secure: !isPlainLocalhost(origin),
    sameSite: "Lax",
    path: "/",
    expires: expiresAt,
  });
}

/** A Set-Cookie value that ends the session in the browser. */
export function clearedSessionCookie(origin: URL): string {
  return serialize(sessionCookieName(origin), "", {
    httpOnly: true,
    secure: !isPlainLocalhost(origin),
    sameSite: "Lax",
    path: "/",
    maxAge: 0,
    expires: new Date(0),
  });
}

/** The origin cookies are set for: APP_URL when configured, else the request's own. */
export function cookieOrigin(requestUrl: string, appUrl?: string): URL {
  return new URL(appUrl ?? requestUrl);
}
