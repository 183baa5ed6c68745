/** API requests that carry a body must say it is JSON (415 otherwise), except listed raw uploads. */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors.ts";

/** The JSON-only middleware; `rawPaths` are patterns that take other media types. */
export function jsonBodies(rawPaths: RegExp[] = []): MiddlewareHandler {
  return async function jsonBodiesMiddleware(c, next) {
    const hasBody = c.req.header("content-length") ? c.req.header("content-length") !== "0" : c.req.header("transfer-encoding") !== undefined;
    if (hasBody && !["GET", "HEAD"].includes(c.req.method) && !rawPaths.some((p) => p.test(c.req.path))) {
      const type = c.req.header("content-type") ?? "";
      if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
        throw new ApiError(415, "unsupported_media_type", `Send the body as application/json, not "${type || "nothing"}"`);
      }
    }
    await next();
  };
}
