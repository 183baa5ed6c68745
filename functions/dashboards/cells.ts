/**
 * What each grid cell of a dashboard shows, ready for a server-rendered page: charts as inline
 * SVG (drawn light; the stylesheet recolours it for dark pages), tables limited to what a cell shows, a metric and its change, sanitized
 * markdown, or the widget's own error. Shared by the member's view and the public share page.
 */
import type { WidgetRow } from "../../db/queries/dashboards.ts";
import type { AppDeps } from "../../lib/deps.ts";
import { responsiveSvg } from "../../lib/charts/render_svg.ts";
import { type ChartQuery, queryHints } from "../../lib/charts/chart_spec.ts";
import { markdownToSafeHtml } from "../../lib/markdown_server.ts";
import type { QueryResult } from "../query_dataset.ts";
import type { MetricValue } from "./metric.ts";
import type { FilterValues } from "./filters.ts";
import { chartSize, phoneChartSize, samplingNote, storedDrawings, widgetSvg } from "./render.ts";
import type { WidgetConfig } from "./schemas.ts";
import { dataKey } from "./view.ts";
import type { WidgetData } from "./widget_data.ts";

/** Table rows a cell shows (and a share link's JSON returns); the CSV download has them all. */
export const TABLE_ROW_LIMIT = 200;

export interface CellView {
  widget: WidgetRow;
  title: string;
  /** The chart at its grid size, and (for wide widgets) drawn again at a phone's width. */
  svg?: { main: string; phone?: string };
  table?: QueryResult;
  /** The table's column headings as the widget's charts title them ("sum of amount"), by column. */
  headings?: string[];
  metric?: MetricValue;
  html?: string;
  error?: string;
  note?: string;
}

/**
 * The cells of a dashboard, in the widgets' order. Charts are drawn once per widget and data
 * version: this process keeps them, and `deps`' database keeps them for the next process.
 */
export async function renderCells(
  deps: AppDeps,
  widgets: WidgetRow[],
  data: WidgetData[],
  values: FilterValues,
): Promise<CellView[]> {
  const charts = widgets.flatMap((widget, i) => {
    const d = data[i];
    if (widget.type === "text" || widget.type === "table" || d.error || d.metric || !d.result) return [];
    const phone = phoneChartSize(widget);
    const key = dataKey(d, values);
    return [
      { widget, dataKey: key, size: chartSize(widget) },
      ...(phone ? [{ widget, dataKey: key, size: phone }] : []),
    ];
  });
  const read = await storedDrawings(deps, charts);
  return await Promise.all(widgets.map(async (widget, i): Promise<CellView> => {
    const d = data[i];
    const title = widget.title ?? "";
    if (widget.type === "text") {
      return { widget, title, html: markdownToSafeHtml((widget.config as WidgetConfig).markdown ?? "") };
    }
    if (d.error) return { widget, title, error: d.error };
    if (d.metric) return { widget, title, metric: d.metric };
    const result = d.result ?? { columns: [], rows: [] };
    if (widget.type === "table") {
      const shown = { columns: result.columns, rows: result.rows.slice(0, TABLE_ROW_LIMIT) };
      const note = result.rows.length > TABLE_ROW_LIMIT
        ? `Showing ${TABLE_ROW_LIMIT} of ${result.rows.length} rows.`
        : undefined;
      const { titles } = queryHints((widget.dataQuery ?? undefined) as ChartQuery | undefined);
      const headings = result.columns.map((c) => titles.get(c.name) ?? c.name);
      return { widget, title, table: shown, headings, note };
    }
    if (result.rows.length === 0) return { widget, title, error: "No rows match the filters." };
    const key = dataKey(d, values);
    const label = title || `${widget.type} chart`;
    const phone = phoneChartSize(widget);
    const store = { deps, dataVersion: d.syncedAt?.getTime() ?? 0, read };
    const [main, phoneSvg] = await Promise.all([
      widgetSvg(widget, result, "light", key, undefined, store)!,
      phone ? widgetSvg(widget, result, "light", key, phone, store)! : undefined,
    ]);
    return {
      widget,
      title,
      svg: { main: responsiveSvg(main, label), ...(phoneSvg ? { phone: responsiveSvg(phoneSvg, label) } : {}) },
      note: samplingNote(widget, result),
    };
  }));
}
