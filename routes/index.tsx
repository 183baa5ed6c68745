/** The front door: the workspace for members, sign-in for everyone else. */
import type { FreshContext } from "../lib/fresh/mod.ts";
import type { PageState } from "../lib/app.ts";

export const handler = {
  GET(ctx: FreshContext<PageState>) {
    return ctx.redirect(ctx.state.user ? "/chat" : "/login");
  },
};
