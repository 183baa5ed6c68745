/**
 * /dashboards/:id/edit: the layout editor (an island; the rest of the dashboard works without
 * JavaScript). POST removes a widget: the confirmed "Remove" from /confirm/remove-widget, for a
 * browser without JavaScript (the island removes it through the API).
 */
import { isUuid } from "../../../../lib/http/ids.ts";
import type { FreshContext, PageProps } from "../../../../lib/fresh/mod.ts";
import { asset } from "../../../../lib/fresh/mod.ts";
import type { PageState } from "../../../../lib/app.ts";
import { notFound } from "../../../../lib/http/errors.ts";
import { dashboardView } from "../../../../functions/dashboards/view.ts";
import { renderCells } from "../../../../functions/dashboards/cells.ts";
import type { DashboardFilter } from "../../../../functions/dashboards/schemas.ts";
import { formatNumber } from "../../../../components/dashboard/DashboardGrid.tsx";
import { datasetsOf, listConnectorsOf } from "../../../../functions/connectors.ts";
import { removeWidget } from "../../../../functions/dashboards/widgets.ts";
import { findWidget } from "../../../../db/queries/dashboards.ts";
import { asUser } from "../../../../db/rls.ts";
import DashboardEditor, { type EditorSource, type EditorWidget } from "../../../../islands/DashboardEditor.tsx";
import { clip } from "../../../../lib/text.ts";

interface Data {
  id: string;
  name: string;
  widgets: EditorWidget[];
  sources: EditorSource[];
  filters: DashboardFilter[];
  filterColumns: { name: string; type: string }[];
  pageTitle: string;
}

/** What a tile says when it draws no chart: a metric's value, a table's size, a note, an error. */
function summary(cell: Awaited<ReturnType<typeof renderCells>>[number]): string {
  if (cell.error) return cell.error;
  if (cell.metric) return formatNumber(cell.metric.value);
  if (cell.table) return `Table: ${(cell.headings ?? cell.table.columns.map((c) => c.name)).join(", ")}`;
  // The text as written (its markdown unrendered), cut to what a tile holds.
  if (cell.widget.type === "text") {
    return clip(String((cell.widget.config as { markdown?: string }).markdown ?? ""), 200);
  }
  return cell.widget.type;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    const { deps } = ctx.state;
    const userId = ctx.state.user!.id;
    if (!isUuid(ctx.params.id)) throw notFound("Dashboard");
    // The tiles draw what the dashboard shows, under its default filter values.
    const view = await dashboardView(deps, userId, ctx.params.id, new URLSearchParams());
    const { dashboard, widgets } = view;
    const cells = await renderCells(deps, widgets, view.data, view.values);
    const connectors = await listConnectorsOf(deps, userId, { limit: 100, workspaceId: dashboard.workspaceId });
    const sources: EditorSource[] = [];
    for (const c of connectors) {
      for (const d of await datasetsOf(deps, userId, c.id)) {
        if (d.syncedAt) {
          sources.push({
            connector_id: c.id,
            connector: c.name,
            dataset: d.name,
            columns: d.columns as EditorSource["columns"],
          });
        }
      }
    }
    // A filter narrows the widgets' datasets: their columns, each name once.
    const filterColumns = new Map<string, { name: string; type: string }>();
    for (const w of widgets) {
      const used = sources.find((s) => s.connector_id === w.connectorId && s.dataset === w.dataset);
      for (const c of used?.columns ?? []) if (!filterColumns.has(c.name)) filterColumns.set(c.name, c);
    }
    return {
      id: dashboard.id,
      name: dashboard.name,
      widgets: widgets.map((w, i) => ({
        id: w.id,
        title: w.title ?? "",
        type: w.type,
        x: w.positionX,
        y: w.positionY,
        w: w.width,
        h: w.height,
        ...(cells[i].svg
          ? { svg: cells[i].svg.main, ...(cells[i].svg.phone ? { phoneSvg: cells[i].svg.phone } : {}) }
          : { summary: summary(cells[i]) }),
      })),
      sources,
      filters: view.filters,
      filterColumns: [...filterColumns.values()],
      pageTitle: `Edit ${dashboard.name} · Dashboard`,
    };
  },
  /** The confirmed removal of one of this dashboard's widgets; back to the editor. */
  async POST(ctx: FreshContext<PageState>): Promise<Response> {
    const { deps, user, meta } = ctx.state;
    if (!isUuid(ctx.params.id)) throw notFound("Dashboard");
    const form = await ctx.req.formData();
    if (form.get("action") !== "remove_widget") throw notFound("Action");
    const widgetId = String(form.get("widget_id") ?? "");
    const widget = isUuid(widgetId) ? await asUser(deps.db, user!.id, (tx) => findWidget(tx, widgetId)) : undefined;
    if (!widget || widget.dashboardId !== ctx.params.id) throw notFound("Widget");
    await removeWidget(deps, user!.id, widgetId, meta);
    return ctx.redirect(`/dashboards/${ctx.params.id}/edit`);
  },
};

export default function EditDashboard({ data }: PageProps<Data>) {
  return (
    <section class="section">
      <link rel="stylesheet" href={asset("/gridstack.min.css")} />
      <header class="section-header">
        <div>
          <p class="muted small">
            <a href="/dashboards">Dashboards</a> / <a href={`/dashboards/${data.id}`}>{data.name}</a>
          </p>
          <h1>Edit {data.name}</h1>
          <p class="muted editor-drag-hint">
            Drag a widget to move it, drag its corner to resize it. Changes are saved at once.
          </p>
        </div>
      </header>
      <DashboardEditor
        dashboardId={data.id}
        widgets={data.widgets}
        sources={data.sources}
        filters={data.filters}
        filterColumns={data.filterColumns}
      />
    </section>
  );
}
