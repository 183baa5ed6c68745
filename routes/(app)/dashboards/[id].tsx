/**
 * /dashboards/:id: a dashboard for its members, drawn on the server (filters as a GET form,
 * charts as SVG, downloads as links), plus what needs JavaScript: live updates after a sync, the
 * Share panel, and the layout editor behind "Edit".
 */
import { isUuid } from "../../../lib/http/ids.ts";
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { notFound } from "../../../lib/http/errors.ts";
import { dashboardView, userRunner } from "../../../functions/dashboards/view.ts";
import { type CellView, renderCells } from "../../../functions/dashboards/cells.ts";
import { filterOptions } from "../../../functions/dashboards/widget_data.ts";
import { listShareLinksOf } from "../../../functions/dashboards/shares.ts";
import type { DashboardFilter } from "../../../functions/dashboards/schemas.ts";
import { effectiveValues, type FilterValues } from "../../../functions/dashboards/filters.ts";
import type { DashboardRow } from "../../../db/queries/dashboards.ts";
import { DashboardGrid } from "../../../components/dashboard/DashboardGrid.tsx";
import { FilterForm } from "../../../components/dashboard/FilterForm.tsx";
import { shareJson } from "../../api/dashboard_json.ts";
import { originOf } from "../../../lib/http/origin.ts";
import DashboardLive from "../../../islands/DashboardLive.tsx";
import SharePanel, { type ShareLinkProps } from "../../../islands/SharePanel.tsx";
import { formatWhen } from "../../../components/format.ts";
import ConfirmButton from "../../../islands/ConfirmButton.tsx";
import { deleteDashboard as confirmDeleteDashboard } from "../../../components/confirmations.ts";
import { removeDashboard } from "../../../functions/dashboards/dashboards.ts";

interface Data {
  dashboard: DashboardRow;
  filters: DashboardFilter[];
  typed: FilterValues;
  filterError?: string;
  cells: CellView[];
  options: Record<string, string[]>;
  links: ShareLinkProps[];
  dataAsOf: Date | null;
  query: string;
  pageTitle: string;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data | Response> {
    const { deps } = ctx.state;
    const userId = ctx.state.user!.id;
    if (!isUuid(ctx.params.id)) throw notFound("Dashboard");
    const view = await dashboardView(deps, userId, ctx.params.id, ctx.url.searchParams);
    const [cells, options, links] = await Promise.all([
      renderCells(deps, view.widgets, view.data, view.values),
      filterOptions(deps, userRunner(deps, userId), view.widgets, view.filters),
      listShareLinksOf(deps, userId, { dashboardId: view.dashboard.id, limit: 100 }, originOf(deps, ctx.req.url)),
    ]);
    const data: Data = {
      dashboard: view.dashboard,
      filters: view.filters,
      typed: effectiveValues(view.filters, ctx.url.searchParams),
      filterError: view.filterError,
      cells,
      options,
      links: links.map(shareJson),
      dataAsOf: view.dataAsOf,
      query: ctx.url.search,
      pageTitle: `${view.dashboard.name} · Dashboard`,
    };
    return view.filterError ? await ctx.render(data, { status: 400 }) : data;
  },
  /** The confirmed "Delete dashboard" (from its dialog, or /confirm/delete-dashboard without JavaScript). */
  async POST(ctx: FreshContext<PageState>): Promise<Response> {
    if (!isUuid(ctx.params.id)) throw notFound("Dashboard");
    const form = await ctx.req.formData();
    if (form.get("action") !== "delete") throw notFound("Action");
    await removeDashboard(ctx.state.deps, ctx.state.user!.id, ctx.params.id, ctx.state.meta);
    return ctx.redirect("/dashboards");
  },
};

export default function DashboardPage({ data }: PageProps<Data>) {
  const { dashboard } = data;
  const query = data.query ? "&" + data.query.slice(1) : "";
  return (
    <section class="section dashboard-page">
      <header class="section-header">
        <div>
          <p class="muted small">
            <a href="/dashboards">Dashboards</a>
          </p>
          <h1>{dashboard.name}</h1>
          {dashboard.description && <p class="muted">{dashboard.description}</p>}
          <p class="muted small">
            <span class="data-as-of">
              Data as of {formatWhen(data.dataAsOf)}
            </span>
            {" · "}
            <DashboardLive dashboardId={dashboard.id} />
          </p>
        </div>
        <div class="button-row">
          <a class="button" href={`/dashboards/${dashboard.id}/edit`}>Edit</a>
          <a class="button" href="#share">Share</a>
          <ConfirmButton
            label="Delete…"
            class="button danger"
            confirmation={confirmDeleteDashboard(dashboard)}
            testId="delete-dashboard"
          />
        </div>
      </header>
      <FilterForm
        filters={data.filters}
        values={data.typed}
        options={data.options}
        error={data.filterError}
        action={`/dashboards/${dashboard.id}`}
      />
      <DashboardGrid
        cells={data.cells}
        editHref={`/dashboards/${dashboard.id}/edit`}
        downloads={(widgetId, format) => `/api/widgets/${widgetId}/download?format=${format}${query}`}
      />
      <div id="share">
        <SharePanel
          dashboardId={dashboard.id}
          links={data.links}
          filters={data.filters.map((f) => ({ id: f.id, label: f.label, type: f.type }))}
          options={data.options}
        />
      </div>
    </section>
  );
}
