/** /dashboards/:id/edit: the layout editor (an island; the rest of the dashboard works without JavaScript). */
import type { FreshContext, PageProps } from "../../../../lib/fresh/mod.ts";
import { asset } from "../../../../lib/fresh/mod.ts";
import type { PageState } from "../../../../lib/app.ts";
import { notFound } from "../../../../lib/http/errors.ts";
import { getDashboard } from "../../../../functions/dashboards/dashboards.ts";
import { datasetsOf, listConnectorsOf } from "../../../../functions/connectors.ts";
import DashboardEditor, { type EditorSource, type EditorWidget } from "../../../../islands/DashboardEditor.tsx";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Data {
  id: string;
  name: string;
  widgets: EditorWidget[];
  sources: EditorSource[];
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    const { deps } = ctx.state;
    const userId = ctx.state.user!.id;
    if (!UUID.test(ctx.params.id)) throw notFound("Dashboard");
    const { dashboard, widgets } = await getDashboard(deps, userId, ctx.params.id);
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
    return {
      id: dashboard.id,
      name: dashboard.name,
      widgets: widgets.map((w) => ({
        id: w.id,
        title: w.title ?? "",
        type: w.type,
        x: w.positionX,
        y: w.positionY,
        w: w.width,
        h: w.height,
      })),
      sources,
    };
  },
};

export default function EditDashboard({ data }: PageProps<Data>) {
  return (
    <section class="section">
      <link rel="stylesheet" href={asset("/gridstack.min.css")} />
      <header class="section-header">
        <div>
          <p class="muted small">
            <a href="/dashboards">Dashboards</a> / <a href={`/dashboards/${data.id}`}>{data.name}</a> /
          </p>
          <h1>Edit {data.name}</h1>
          <p class="muted">Drag a widget to move it, drag its corner to resize it. Changes are saved at once.</p>
        </div>
      </header>
      <DashboardEditor dashboardId={data.id} widgets={data.widgets} sources={data.sources} />
    </section>
  );
}
