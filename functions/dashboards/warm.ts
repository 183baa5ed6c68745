/**
 * Dashboards are computed when their data or widgets change, not when a viewer first opens them:
 * after a widget is saved and after a sync of a dataset a widget reads, every widget's query runs
 * (under the dashboard's default filter values) and its chart is drawn, filling the query cache
 * and the chart cache the pages read. That is still one query a widget a sync, and the first
 * viewer, often a share link's, waits for neither. Best effort, in the background: a failure is
 * logged and the page computes what it lacks itself.
 */
import type { AppDeps } from "../../lib/deps.ts";
import { asSystem } from "../../db/rls.ts";
import { dashboardsReading, findDashboard, listWidgets, widgetDatasets } from "../../db/queries/dashboards.ts";
import { renderCells } from "./cells.ts";
import { effectiveValues } from "./filters.ts";
import type { DashboardFilter } from "./schemas.ts";
import { systemRunner } from "./share_view.ts";
import { dashboardData, filterOptions } from "./widget_data.ts";

/** Dashboards warmed after one sync at most; the rest compute on first view. */
const WARM_AFTER_SYNC = 20;
/** Dashboards being warmed, and whether another change came in meanwhile (warm once more). */
const warming = new Map<string, { again: boolean }>();

/** Computes one dashboard's widgets now (data, charts, filter options). Resolves when done. */
export async function warmDashboard(deps: AppDeps, dashboardId: string): Promise<void> {
  const running = warming.get(dashboardId);
  if (running) {
    running.again = true;
    return;
  }
  const state = { again: true };
  warming.set(dashboardId, state);
  try {
    while (state.again) {
      state.again = false;
      const found = await asSystem(deps.db, async (tx) => {
        const dashboard = await findDashboard(tx, dashboardId);
        if (!dashboard) return undefined;
        return {
          dashboard,
          widgets: await listWidgets(tx, dashboardId),
          datasets: await widgetDatasets(tx, dashboardId),
        };
      });
      if (!found) return;
      const filters = found.dashboard.filters as DashboardFilter[];
      const values = effectiveValues(filters, new URLSearchParams(), {});
      const run = systemRunner(deps);
      const data = await dashboardData(deps, run, found.widgets, filters, values, found.datasets);
      await Promise.all([
        renderCells(deps, found.widgets, data, values),
        filterOptions(deps, run, found.widgets, filters),
      ]);
    }
  } finally {
    warming.delete(dashboardId);
  }
}

/** Starts `warmDashboard` without waiting for it; a failure is logged, never thrown. */
export function warmInBackground(deps: AppDeps, dashboardId: string): void {
  warmDashboard(deps, dashboardId).catch((error) =>
    deps.log.warn("dashboard not computed ahead", { dashboard_id: dashboardId, error: String(error) })
  );
}

/** After a sync of `connectorId`: warms the dashboards that read it, in the background. */
export function warmAfterSync(deps: AppDeps, connectorId: string): void {
  (async () => {
    const ids = await asSystem(deps.db, (tx) => dashboardsReading(tx, connectorId, WARM_AFTER_SYNC));
    for (const id of ids) await warmDashboard(deps, id);
  })().catch((error) =>
    deps.log.warn("dashboards not computed ahead", { connector_id: connectorId, error: String(error) })
  );
}
