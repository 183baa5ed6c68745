/**
 * POST /dashboards/:id/shares: what the Share panel's confirmation dialogs (and their plain
 * /confirm pages, with JavaScript off) send to rotate or revoke a link; then back to the panel.
 */
import type { FreshContext } from "../../../../lib/fresh/mod.ts";
import type { PageState } from "../../../../lib/app.ts";
import { ApiError, notFound } from "../../../../lib/http/errors.ts";
import { isUuid } from "../../../../lib/http/ids.ts";
import { asUser } from "../../../../db/rls.ts";
import { findLiveShareLink } from "../../../../db/queries/dashboards.ts";
import { revokeShareLink, rotateShareLink } from "../../../../functions/dashboards/shares.ts";
import { originOf } from "../../../../lib/http/origin.ts";
import { getDashboard } from "../../../../functions/dashboards/dashboards.ts";

export const handler = {
  /** Nothing to show here: the links are on the dashboard's Share panel (404 for one the caller cannot see). */
  async GET(ctx: FreshContext<PageState>): Promise<Response> {
    if (!isUuid(ctx.params.id)) throw notFound("Dashboard");
    await getDashboard(ctx.state.deps, ctx.state.user!.id, ctx.params.id);
    return ctx.redirect(`/dashboards/${ctx.params.id}#share`);
  },
  async POST(ctx: FreshContext<PageState>): Promise<Response> {
    const { deps, user, meta } = ctx.state;
    const form = await ctx.req.formData();
    const id = String(form.get("id") ?? "");
    if (!isUuid(ctx.params.id) || !isUuid(id)) throw notFound("Share link");
    // The link must be one of this dashboard's: the page it returns to shows it.
    const link = await asUser(deps.db, user!.id, (tx) => findLiveShareLink(tx, id));
    if (!link || link.dashboardId !== ctx.params.id) throw notFound("Share link");
    const action = form.get("action");
    if (action === "rotate") await rotateShareLink(deps, user!.id, id, meta, originOf(deps, ctx.req.url));
    else if (action === "revoke") await revokeShareLink(deps, user!.id, id, meta);
    else throw new ApiError(400, "invalid_request", "Choose Rotate or Revoke on the Share panel");
    return ctx.redirect(`/dashboards/${ctx.params.id}#share`);
  },
};
