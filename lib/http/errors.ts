/** The one error type routes and functions throw; the error handler turns it into the API's shape. */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Machine-readable error codes, as the API contract names them. */
export type ErrorCode =
  | "invalid_request"
  | "invalid_json"
  | "unauthorized"
  | "invalid_credentials"
  | "forbidden"
  | "csrf_rejected"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "email_taken"
  | "payload_too_large"
  | "request_timeout"
  | "unsupported_media_type"
  | "unprocessable"
  | "outbound_refused"
  | "connection_failed"
  | "sync_in_progress"
  | "query_timeout"
  | "rate_limited"
  | "llm_not_configured"
  | "database_unavailable"
  | "invalid_signature"
  | "workflow_disabled"
  | "internal_error";

/** An error with the HTTP status, code and message to show; `cause` is logged, never shown. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly options: { details?: unknown; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
  }
}

/** The JSON body of an error response. */
export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** 404 that does not say whether the thing exists in another workspace. */
export function notFound(what: string): ApiError {
  return new ApiError(404, "not_found", `${what} not found`);
}
