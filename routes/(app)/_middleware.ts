/** Workspace pages need a signed-in user; others go to sign-in and come back after. */
import type { FreshContext } from "../../lib/fresh/mod.ts";
import type { PageState } from "../../lib/app.ts";

export function handler(ctx: FreshContext<PageState>) {
  if (ctx.state.user) return ctx.next();
  const next = encodeURIComponent(ctx.url.pathname + ctx.url.search);
  return ctx.redirect(`/login?next=${next}`);
}
