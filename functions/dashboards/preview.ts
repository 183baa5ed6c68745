/**
 * The editor's live preview: a widget that is not saved yet, drawn as it would be, from the same
 * query cache and renderer as saved widgets. Nothing is written.
 */
import type { AppDeps } from "../../lib/deps.ts";
import type { WidgetRow } from "../../db/queries/dashboards.ts";
import { sampleRows } from "../../lib/charts/chart_spec.ts";
import { getDashboard } from "./dashboards.ts";
import { WIDGET_MARK_LIMIT, widgetSvg } from "./render.ts";
import type { WidgetInput } from "./schemas.ts";
import { userRunner } from "./view.ts";
import { widgetData } from "./widget_data.ts";
import type { DashboardFilter } from "./schemas.ts";

/** Rows a preview returns beside its chart. */
const PREVIEW_ROWS = 20;

export async function previewWidget(deps: AppDeps, userId: string, dashboardId: string, input: WidgetInput) {
  const { dashboard } = await getDashboard(deps, userId, dashboardId);
  const now = deps.now();
  const widget: WidgetRow = {
    id: crypto.randomUUID(),
    workspaceId: dashboard.workspaceId,
    dashboardId,
    type: input.type,
    title: input.title ?? null,
    artifactId: null,
    connectorId: input.connector_id ?? null,
    dataset: input.dataset ?? null,
    dataQuery: input.data_query ?? null,
    config: (input.config ?? {}) as Record<string, unknown>,
    positionX: input.position_x,
    positionY: input.position_y,
    width: input.width,
    height: input.height,
    createdAt: now,
    updatedAt: now,
  };
  const data = await widgetData(deps, userRunner(deps, userId), widget, dashboard.filters as DashboardFilter[], {});
  if (data.error || !data.result) return { error: data.error ?? null, metric: data.metric ?? null };
  const svg = data.result.rows.length
    ? await widgetSvg(
      widget,
      { ...data.result, rows: sampleRows(data.result.rows, WIDGET_MARK_LIMIT).rows },
      "light",
      "preview",
    )
    : undefined;
  return {
    columns: data.result.columns,
    rows: data.result.rows.slice(0, PREVIEW_ROWS),
    row_count: data.result.rows.length,
    svg: svg ?? null,
  };
}
