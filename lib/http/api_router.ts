/** Shared pieces of the REST API's routers: validation errors in our shape, auth, pagination. */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import { ApiError, errorBody } from "./errors.ts";
import { decodeBase64, encodeBase64Url } from "../encoding.ts";
import { makeStorableInPlace } from "../text.ts";
import { isUuid } from "./ids.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../json_shape.ts";

/**
 * A router whose failed validations answer 400 with zod's issues in `details`, as does JSON nested
 * past MAX_JSON_DEPTH (lib/json_shape.ts). Valid input is made
 * storable first (lib/text.ts: no NUL, no lone surrogate), in place because the validator hands
 * this same object to the handler: every string a request brings reaches Postgres cleaned, once.
 */
export function apiRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook(result, c) {
      if (result.success) {
        // Cleaning walks the value recursively: a body nested past any real one is refused first.
        if (nestsDeeperThan(result.data, MAX_JSON_DEPTH)) {
          const message = `Invalid request: the JSON nests more than ${MAX_JSON_DEPTH} levels deep`;
          return c.json(errorBody("invalid_request", message), 400);
        }
        makeStorableInPlace(result.data);
        return;
      }
      const details = result.error.issues.map((i) => ({ path: i.path.join("."), code: i.code, message: i.message }));
      const first = details[0];
      const message = first ? `Invalid request: ${first.path || "body"}: ${first.message}` : "Invalid request";
      return c.json(errorBody("invalid_request", message, details), 400);
    },
  });
}

/** 401 unless someone is signed in; the caller is then `c.get("user")`. */
export const requireUser: MiddlewareHandler<AppEnv> = async function requireUser(c, next) {
  const principal = await c.get("principal")();
  if (!principal) throw new ApiError(401, "unauthorized", "Sign in, or send an API token as Authorization: Bearer");
  c.set("user", principal);
  await next();
};

/** The error body schema, for OpenAPI responses. */
export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
}).openapi("Error");

/** `?limit=&cursor=` as the API contract defines them. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ description: "At most 100" }),
  cursor: z.string().max(200).optional(),
});

/** A keyset cursor: the last row's sort key, opaque to clients. */
export function encodeCursor(createdAt: Date, id: string): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify([createdAt.toISOString(), id])));
}

/** Reads a cursor; 400 when it was not made by `encodeCursor`. */
export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [at, id] = JSON.parse(new TextDecoder().decode(decodeBase64(cursor)));
    const createdAt = new Date(at);
    // Cursors hold a row's uuid and creation time: anything else (a NUL, a year Postgres cannot
    // store) would reach SQL as a 500.
    const year = createdAt.getUTCFullYear();
    if (!isUuid(id) || Number.isNaN(createdAt.getTime()) || year < 1 || year > 9999) throw new Error("bad cursor");
    return { createdAt, id };
  } catch {
    throw new ApiError(400, "invalid_request", "Invalid request: cursor: not a cursor from a previous page");
  }
}

/**
 * One page of a keyset listing: `found` holds up to `limit + 1` rows, the extra one only telling
 * that there is a next page, whose cursor is the last shown row's sort key.
 */
export function keysetPage<R, J>(
  found: R[],
  limit: number,
  json: (row: R) => J,
  sortKey: (row: R) => { at: Date; id: string },
): { items: J[]; next_cursor: string | null } {
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const key = last && sortKey(last);
  return { items: page.map(json), next_cursor: found.length > limit && key ? encodeCursor(key.at, key.id) : null };
}

/** The signed-in caller's user id, behind `requireUser`. */
export function callerId(c: { get(key: "user"): { user: { id: string } } }): string {
  return c.get("user").user.id;
}

/** An OpenAPI JSON content entry. */
export function jsonContent<T>(schema: T) {
  return { "application/json": { schema } };
}

/** The OpenAPI schema of one page of `item`s, as `keysetPage` returns it. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

/** The OpenAPI 404 response of a route that reads one `description` ("No such workflow"). */
export function notFoundResponse(description: string) {
  return { 404: { description, content: jsonContent(ErrorSchema) } } as const;
}

/** Standard error responses to list in every route's OpenAPI entry. */
export const errorResponses = {
  400: { description: "Invalid input", content: { "application/json": { schema: ErrorSchema } } },
  401: { description: "Not signed in", content: { "application/json": { schema: ErrorSchema } } },
} as const;

/** OpenAPI security of routes that need a caller: an API token or the session cookie. */
export const SIGNED_IN: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

/**
 * The shared head of a signed-in route's definition in one section of the API (its OpenAPI tag):
 * `route("get", "/{id}", "One connector")`, spread into `createRoute` beside the request and responses.
 */
export function signedInRoute(tag: string) {
  return <M extends "get" | "post" | "put" | "patch" | "delete", P extends string>(
    method: M,
    path: P,
    summary: string,
  ) => ({
    method,
    path,
    summary,
    tags: [tag],
    security: SIGNED_IN,
    middleware: [requireUser] as [typeof requireUser],
  });
}
