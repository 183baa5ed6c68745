/**
 * Cross-site request forgery protection for everything a cookie can authorize, JSON included.
 * A state-changing request must come from our own origin: `Sec-Fetch-Site` says so in modern
 * browsers, `Origin` in the rest. A request with neither did not come from a browser page,
 * so no cookie was sent on someone else's behalf (Go 1.25's CrossOriginProtection reasons the
 * same way). Bearer-token requests are exempt: browsers never add that header themselves.
 */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** The CSRF middleware; `appUrl` fixes the origin when the app sits behind a proxy. */
export function csrf(options: { appUrl?: string } = {}): MiddlewareHandler {
  const fixedOrigin = options.appUrl ? new URL(options.appUrl).origin : undefined;
  return async function csrfMiddleware(c, next) {
    if (SAFE.has(c.req.method) || /^Bearer\s/i.test(c.req.header("authorization") ?? "")) return await next();
    const site = c.req.header("sec-fetch-site");
    const origin = c.req.header("origin");
    const ours = fixedOrigin ?? new URL(c.req.url).origin;
    const crossSite = site ? site !== "same-origin" && site !== "none" : origin !== undefined && origin !== ours;
    if (crossSite) {
      throw new ApiError(
        403,
        "csrf_rejected",
        "Cross-site request refused: send it from the app's own pages or with a bearer token",
      );
    }
    await next();
  };
}
