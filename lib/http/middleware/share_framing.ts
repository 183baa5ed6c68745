/**
 * Share links' framing and privacy headers, applied after the secure-headers middleware (register
 * this one before it, so it runs after on the way out). Every response under /share/ and
 * /api/share/ (404s and 429s included) gets `Referrer-Policy: no-referrer` (the token is in the
 * URL and must not leak to linked sites) and `X-Robots-Tag: noindex`. Framing stays
 * `frame-ancestors 'none'` unless the handler marked the link as embeddable, which opens the CSP's
 * `frame-ancestors` to any site and drops `X-Frame-Options` for that response only.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";

/** Internal marker from a share handler: this link may be framed. Removed before the response leaves. */
export const EMBED_MARKER = "x-share-allow-embed";

const SHARE_PATH = /^\/(api\/)?share\//;

export const shareFraming: MiddlewareHandler<AppEnv> = async function shareFraming(c, next) {
  await next();
  if (!SHARE_PATH.test(c.req.path)) return;
  const headers = c.res.headers;
  headers.set("referrer-policy", "no-referrer");
  headers.set("x-robots-tag", "noindex, nofollow");
  if (headers.get(EMBED_MARKER) !== "1") return;
  headers.delete(EMBED_MARKER);
  headers.delete("x-frame-options");
  const csp = headers.get("content-security-policy");
  if (csp) headers.set("content-security-policy", csp.replace(/frame-ancestors [^;]*/, "frame-ancestors *"));
};
