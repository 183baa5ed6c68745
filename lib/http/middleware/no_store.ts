/**
 * `Cache-Control: no-store` on every API response that does not choose its own caching: answers
 * carry a caller's private data, and a cached copy of one would be both stale and readable by the
 * next user of the browser (RFC 9111 §5.2.2.5; OWASP ASVS 8.2.1).
 */
import type { MiddlewareHandler } from "hono";

/** The middleware; mount it on the API's paths. */
export function noStore(): MiddlewareHandler {
  return async function noStoreMiddleware(c, next) {
    await next();
    if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
  };
}
