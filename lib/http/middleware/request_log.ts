/** Logs one JSON line per request: method, path, status, time, ids. Never headers or bodies. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import type { Logger } from "../../log.ts";

// Paths that carry secrets in the URL itself.
const SECRET_PATHS = [/^(\/(?:api\/)?share\/)[^/]+/];

/** Strips secrets from a path before it is logged. */
export function loggablePath(path: string): string {
  return SECRET_PATHS.reduce((p, re) => p.replace(re, "$1[redacted]"), path);
}

/** The request log middleware. */
export function requestLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const fields = {
      method: c.req.method,
      path: loggablePath(c.req.path),
      status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      request_id: c.get("requestId"),
    };
    if (status >= 500) log.error("request", fields);
    else if (c.req.path.startsWith("/_fresh/") || c.req.path === "/health") log.debug("request", fields);
    else log.info("request", fields);
  };
}
