/** POST /logout from the account menu's form: ends the session and goes to sign-in. */
import type { FreshContext } from "../lib/fresh/mod.ts";
import type { PageState } from "../lib/app.ts";
import { logOut } from "../functions/accounts.ts";
import { clearedSessionCookie, cookieOrigin } from "../lib/auth/session_cookie.ts";

export const handler = {
  async POST(ctx: FreshContext<PageState>) {
    const principal = await ctx.state.principal();
    if (principal?.sessionId) {
      await logOut(ctx.state.deps, principal.user.id, principal.sessionId, ctx.state.meta);
    }
    return new Response(null, {
      status: 303,
      headers: {
        location: "/login",
        "set-cookie": clearedSessionCookie(cookieOrigin(ctx.req.url, ctx.state.deps.config.appUrl)),
      },
    });
  },
};
