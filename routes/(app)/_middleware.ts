/** Workspace pages need a signed-in user; others go to sign-in and come back after. */
import type { FreshContext } from "../../lib/fresh/mod.ts";
import type { PageState } from "../../lib/app.ts";
import { isUuid } from "../../lib/http/ids.ts";
import { notFound } from "../../lib/http/errors.ts";

export function handler(ctx: FreshContext<PageState>) {
  if (ctx.state.user) {
    // Every workspace page's [id] is a UUID: anything else names nothing (and must not reach SQL).
    if (ctx.params.id !== undefined && !isUuid(ctx.params.id)) throw notFound("Page");
    return ctx.next();
  }
  const next = encodeURIComponent(ctx.url.pathname + ctx.url.search);
  return ctx.redirect(`/login?next=${next}`);
}
