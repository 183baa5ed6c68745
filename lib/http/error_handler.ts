/**
 * The one error handler: known errors keep their status and message; a database outage is a
 * 503 with Retry-After; anything else is a 500 whose details go to the log, never the client. The
 * logger scrubs credentials out of every message and stack it writes (lib/log.ts `scrubSecrets`),
 * since a driver's error can quote a connection string.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError, errorBody, type ErrorCode } from "./errors.ts";
import { isDatabaseUnavailable } from "../../db/client.ts";
import type { Logger } from "../log.ts";

// Hono's own refusals (validators, body limits) keep their status and get our code.
const HTTP_CODES: Partial<Record<number, ErrorCode>> = {
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "rate_limited",
};

/** Maps any thrown value to an ApiError, logging what the client will not see. */
export function toApiError(error: unknown, log: Logger, requestId?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException && error.status < 500) {
    const invalidJson = error.status === 400 && /JSON/i.test(error.message);
    const code = invalidJson ? "invalid_json" : HTTP_CODES[error.status] ?? "invalid_request";
    const message = invalidJson ? "The body is not valid JSON" : error.message || "Request refused";
    return new ApiError(error.status as ApiError["status"], code, message);
  }
  // Row Level Security refused a write the caller could read: a viewer, say.
  if (postgresCode(error) === "42501") {
    return new ApiError(403, "forbidden", "You can read this but not change it: ask a workspace owner for access");
  }
  // A value Postgres could not read as its column's type (a malformed uuid, say) that no schema
  // caught: the request's fault, not ours. The driver's message quotes the query, so only the code
  // is logged, to find the entry that lacks its check.
  if (postgresCode(error) === "22P02") {
    log.warn("a value reached the database in the wrong form", { code: "22P02", request_id: requestId });
    return new ApiError(400, "invalid_request", "A value in the request is not in the expected form (an id, say)");
  }
  if (isDatabaseUnavailable(error)) {
    log.error("database unavailable", { error, request_id: requestId });
    return new ApiError(503, "database_unavailable", "The database is unavailable right now: try again shortly", {
      retryAfter: 5,
    });
  }
  log.error("unhandled error", {
    error,
    stack: error instanceof Error ? error.stack : undefined,
    request_id: requestId,
  });
  return new ApiError(500, "internal_error", "Something went wrong on our side; it has been logged");
}

/** The SQLSTATE of a database error, looking through wrapping errors' causes. */
export function postgresCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Sends an ApiError in the API's JSON shape. */
export function errorResponse(c: Context, error: ApiError): Response {
  if (error.options.retryAfter !== undefined) c.header("retry-after", String(error.options.retryAfter));
  return c.json(errorBody(error.code, error.message, error.options.details), error.status);
}
