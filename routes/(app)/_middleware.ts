/**
 * Workspace pages need a signed-in user; others go to sign-in and come back after. An id in the
 * address that is not a UUID is a 404 here, before any page's query can trip over it.
 */
import type { FreshContext } from "../../lib/fresh/mod.ts";
import type { PageState } from "../../lib/app.ts";
import { requireUuidParams } from "../../lib/http/page_params.ts";

export function handler(ctx: FreshContext<PageState>) {
  if (!ctx.state.user) {
    const next = encodeURIComponent(ctx.url.pathname + ctx.url.search);
    return ctx.redirect(`/login?next=${next}`);
  }
  requireUuidParams(ctx.params);
  return ctx.next();
}
