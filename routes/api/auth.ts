/** POST /api/auth/signup, /login, /logout: thin: parse, call functions/accounts, set the cookie. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import { apiRouter, errorResponses, ErrorSchema, jsonContent } from "../../lib/http/api_router.ts";
import { requestMeta } from "../../lib/http/env.ts";
import { clearedSessionCookie, cookieOrigin, sessionCookie } from "../../lib/auth/session_cookie.ts";
import { logIn, logOut, signUp } from "../../functions/accounts.ts";
import { LoginBody, SignupBody, UserSchema, WorkspaceSchema } from "./schemas.ts";

const signupRoute = createRoute({
  method: "post",
  path: "/signup",
  tags: ["Auth"],
  summary: "Create an account and its personal workspace",
  request: { body: { content: jsonContent(SignupBody), required: true } },
  responses: {
    201: {
      description: "Signed up; the session cookie is set",
      content: jsonContent(z.object({ user: UserSchema, workspace: WorkspaceSchema })),
    },
    400: errorResponses[400],
    409: { description: "The email is taken", content: jsonContent(ErrorSchema) },
  },
});

const loginRoute = createRoute({
  method: "post",
  path: "/login",
  tags: ["Auth"],
  summary: "Sign in with email and password",
  request: { body: { content: jsonContent(LoginBody), required: true } },
  responses: {
    200: { description: "Signed in; the session cookie is set", content: jsonContent(z.object({ user: UserSchema })) },
    400: errorResponses[400],
    401: { description: "Wrong email or password", content: jsonContent(ErrorSchema) },
    429: {
      description: "Too many failures for this email or address; see Retry-After",
      content: jsonContent(ErrorSchema),
    },
  },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/logout",
  tags: ["Auth"],
  summary: "End this browser session",
  responses: { 204: { description: "Signed out" } },
});

/** The auth routes. */
export function authRoutes(deps: AppDeps) {
  const app = apiRouter();
  app.openapi(signupRoute, async (c) => {
    const { user, workspace, session } = await signUp(deps, c.req.valid("json"), requestMeta(c));
    c.header(
      "set-cookie",
      sessionCookie(cookieOrigin(c.req.url, deps.config.appUrl), session.token, session.expiresAt),
    );
    return c.json({ user, workspace }, 201);
  });
  app.openapi(loginRoute, async (c) => {
    const { user, session } = await logIn(deps, c.req.valid("json"), requestMeta(c));
    c.header(
      "set-cookie",
      sessionCookie(cookieOrigin(c.req.url, deps.config.appUrl), session.token, session.expiresAt),
    );
    return c.json({ user }, 200);
  });
  app.openapi(logoutRoute, async (c) => {
    const principal = await c.get("principal")();
    if (principal?.sessionId) await logOut(deps, principal.user.id, principal.sessionId, requestMeta(c));
    c.header("set-cookie", clearedSessionCookie(cookieOrigin(c.req.url, deps.config.appUrl)));
    return c.body(null, 204);
  });
  return app;
}
