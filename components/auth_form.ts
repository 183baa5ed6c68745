/** Shared by the sign-in and sign-up pages: form parsing, redirect targets, the session cookie. */
import type { z } from "zod";
import { cookieOrigin, sessionCookie } from "../lib/auth/session_cookie.ts";
import { ApiError } from "../lib/http/errors.ts";

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

/** Only same-site paths: `?next=//evil.example` must not become an open redirect. */
export function safeNext(url: URL): string {
  const next = url.searchParams.get("next") ?? "/chat";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/chat";
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
