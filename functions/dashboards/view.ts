/**
 * A dashboard as a signed-in member sees it: its widgets' data under the filter values in the URL,
 * read as the caller (RLS), and one widget's data for the API and downloads.
 */
import type { AppDeps } from "../../lib/deps.ts";
import { notFound } from "../../lib/http/errors.ts";
import { asUser } from "../../db/rls.ts";
import { findDashboard, findWidget, type WidgetRow } from "../../db/queries/dashboards.ts";
import { checkValues, effectiveValues, type FilterValues, withoutRefused } from "./filters.ts";
import type { DashboardFilter } from "./schemas.ts";
import { getDashboard } from "./dashboards.ts";
import { dashboardData, type Runner, type WidgetData, widgetData } from "./widget_data.ts";

export const userRunner = (deps: AppDeps, userId: string): Runner => (fn) => asUser(deps.db, userId, fn);

/**
 * The key that names a widget's data: its dataset version and the query that read it (the
 * widget's own with the filters applied, so a change to which column a filter reads is a new key
 * too), or the filter values in effect where there is no query.
 */
export function dataKey(data: WidgetData, values: FilterValues): string {
  return `${data.syncedAt?.getTime() ?? 0}:${JSON.stringify(data.query ?? values)}`;
}

/** A dashboard, its widgets and their data; a bad filter value is left out and named in `filterError`. */
export async function dashboardView(deps: AppDeps, userId: string, id: string, params: URLSearchParams) {
  const { dashboard, widgets } = await getDashboard(deps, userId, id);
  const filters = dashboard.filters as DashboardFilter[];
  const values = effectiveValues(filters, params);
  const { values: used, refusal: filterError } = withoutRefused(filters, values);
  const data = await dashboardData(deps, userRunner(deps, userId), widgets, filters, used);
  const times = data.map((d) => d.syncedAt?.getTime()).filter((t): t is number => t !== undefined);
  return {
    dashboard,
    widgets,
    filters,
    values,
    filterError,
    data,
    dataAsOf: times.length ? new Date(Math.max(...times)) : null,
  };
}

/** One widget and its data under the URL's filter values, as the caller. */
export async function widgetView(
  deps: AppDeps,
  userId: string,
  widgetId: string,
  params: URLSearchParams,
): Promise<{ widget: WidgetRow; data: WidgetData; values: FilterValues }> {
  const found = await asUser(deps.db, userId, async (tx) => {
    const widget = await findWidget(tx, widgetId);
    return widget && { widget, dashboard: await findDashboard(tx, widget.dashboardId) };
  });
  if (!found?.dashboard) throw notFound("Widget");
  const filters = found.dashboard.filters as DashboardFilter[];
  const values = effectiveValues(filters, params);
  checkValues(filters, values);
  const data = await widgetData(deps, userRunner(deps, userId), found.widget, filters, values);
  return { widget: found.widget, data, values };
}
