/** Shared by the form pages (sign-in, sign-up, settings): parsing, errors, redirects, the session cookie. */
import type { z } from "zod";
import { cookieOrigin, sessionCookie } from "../lib/auth/session_cookie.ts";
import { ApiError } from "../lib/http/errors.ts";
import { safeRedirectPath } from "../lib/http/safe_redirect.ts";
import type { FreshContext } from "../lib/fresh/mod.ts";
import { formMessage } from "./form_errors.ts";

/** What a form page shows after a failed post. */
export interface FormState {
  error?: string;
  values: { email?: string; name?: string };
}

/** Parses a form with a zod schema; an ApiError(400) names the first problem. */
export function parseForm<T extends z.ZodType>(form: FormData, schema: T): z.infer<T> {
  const result = schema.safeParse(Object.fromEntries(form.entries()));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ApiError(400, "invalid_request", issue?.message ?? "Check the form");
  }
  return result.data;
}

/**
 * Re-renders a form page with the message of a 4xx ApiError (and its Retry-After), fields named
 * by their `labels` on the form (components/form_errors.ts); anything
 * else is ours to fail on, so it is thrown on to the error handler.
 */
export async function renderFormError<S>(
  ctx: FreshContext<S>,
  error: unknown,
  data: (message: string) => unknown,
  labels: Record<string, string> = {},
): Promise<Response> {
  if (!(error instanceof ApiError) || error.status >= 500) throw error;
  const retryAfter = error.options.retryAfter;
  const headers = retryAfter ? { "retry-after": String(retryAfter) } : undefined;
  return await ctx.render(await data(formMessage(error.message, labels)), { status: error.status, headers });
}

/**
 * Where to go after signing in: `?next=` when it is a path on the app's own origin (APP_URL, else
 * the request's), "/chat" otherwise; see lib/http/safe_redirect.ts for what is refused.
 */
export function safeNext(url: URL, appUrl: string | undefined): string {
  return safeRedirectPath(url.searchParams.get("next"), cookieOrigin(url.href, appUrl), "/chat");
}

/** A 303 to `location` that starts the session. */
export function signedInRedirect(
  req: Request,
  appUrl: string | undefined,
  location: string,
  session: { token: string; expiresAt: Date },
) {
  return new Response(null, {
    status: 303,
    headers: { location, "set-cookie": sessionCookie(cookieOrigin(req.url, appUrl), session.token, session.expiresAt) },
  });
}
