/**
 * Ids in page addresses. Every id the app makes is a UUID (API.md: "Ids are UUIDs"), and Postgres
 * refuses anything else in a uuid column with an error (SQLSTATE 22P02) that would surface as a
 * 500: so an id that is not a UUID names nothing, and is a 404 before any query runs.
 */
import { notFound } from "./errors.ts";
import { isUuid } from "./ids.ts";

/** Route parameters that hold ids: `id`, and any name ending in `_id` or `Id` (`sync_id`, `widgetId`). */
export function isIdParam(name: string): boolean {
  return name === "id" || name.endsWith("_id") || name.endsWith("Id");
}

/**
 * Throws a 404 (ApiError) naming `what` when an id parameter of `params` is not a UUID. Pages call
 * it once, in the signed-in pages' middleware, so every `[id]` page, present and future, is covered.
 */
export function requireUuidParams(params: Record<string, string>, what = "Page"): void {
  for (const [name, value] of Object.entries(params)) {
    if (isIdParam(name) && !isUuid(value)) throw notFound(what);
  }
}
