/**
 * A widget's data: its stored query with the dashboard's filters applied, run through the query
 * cache (keyed by the dataset's sync time, so a page of eight widgets costs at most eight queries
 * a sync however many people look), and for metrics the change against the previous period.
 * A dashboard's widgets run concurrently, a few at a time; one failing widget carries its error
 * and the others still render.
 */
import type { AppDeps } from "../../lib/deps.ts";
import { ApiError } from "../../lib/http/errors.ts";
import type { Db } from "../../db/client.ts";
import { findDataset } from "../../db/queries/connectors.ts";
import type { WidgetRow } from "../../db/queries/dashboards.ts";
import type { StructuredQuery } from "../../connectors/query.ts";
import type { Column } from "../../connectors/types.ts";
import { cachedQueryResult, type QueryResult, runQueryOnDataset } from "../query_dataset.ts";
import type { DatasetRow } from "../../db/queries/connectors.ts";
import { applyFilters, type FilterValues } from "./filters.ts";
import type { DashboardFilter, WidgetConfig } from "./schemas.ts";
import { metricQueries, type MetricValue, metricValue } from "./metric.ts";

/** Runs `fn` in a transaction: as the signed-in user (RLS), or as the system for a share link. */
export type Runner = <T>(fn: (tx: Db) => Promise<T>) => Promise<T>;

/** Widgets whose queries run at once: enough to overlap round trips, few enough to spare the pool. */
export const WIDGET_FAN_OUT = 4;

/** What a cell shows: data, a metric, or the sentence that says why it cannot. */
export interface WidgetData {
  result?: QueryResult;
  metric?: MetricValue;
  /** When the data was synced (the dataset's version). */
  syncedAt?: Date;
  /** The query that made `result`: the widget's own with the dashboard's filters applied. */
  query?: StructuredQuery;
  error?: string;
}

/**
 * The data of one widget under `values`. Text widgets have none. Errors the user can act on
 * (a missing column, a dataset not synced yet) come back as `error`; anything else is thrown.
 */
export async function widgetData(
  deps: AppDeps,
  run: Runner,
  widget: WidgetRow,
  filters: DashboardFilter[],
  values: FilterValues,
  /** The widget's dataset when the caller has read it already (undefined: look it up). */
  known?: DatasetRow | null,
  /** Filter ids a share link locks: each must apply to this widget, or it shows nothing. */
  lockedIds: readonly string[] = [],
): Promise<WidgetData> {
  if (widget.type === "text") return {};
  if (!widget.connectorId || !widget.dataset || !widget.dataQuery) {
    return { error: "This widget has no query yet: edit it and choose a dataset" };
  }
  try {
    const dataset = known !== undefined
      ? known
      : await run((tx) => findDataset(tx, widget.connectorId!, widget.dataset!));
    // The system runner sees every workspace: the dataset must be the widget's own.
    if (!dataset || dataset.workspaceId !== widget.workspaceId) {
      throw new ApiError(404, "not_found", "The dataset this widget reads is gone: its connector was deleted");
    }
    const columns = dataset.columns as Column[];
    // A filter applies only where its column is, so a locked one whose filter or column this
    // dataset lacks (a widget on another dataset, a column renamed by a sync, a filter changed)
    // would leave the rows the link locks out on show: such a widget fails closed instead.
    for (const id of lockedIds) {
      const f = filters.find((f) => f.id === id);
      if (!f || !columns.some((c) => c.name === f.column)) {
        return { error: "This widget is not shown on this link: its data cannot be limited to what the link is for" };
      }
    }
    const query = applyFilters(widget.dataQuery as StructuredQuery, filters, values, columns);
    const syncedAt = dataset.syncedAt ?? undefined;
    // Cached results need no transaction at all; only misses go to the database.
    const result = (q: StructuredQuery) =>
      cachedQueryResult(deps, dataset, q) ?? run((tx) => runQueryOnDataset(deps, tx, dataset, q));
    if (widget.type === "metric") {
      const config = widget.config as WidgetConfig;
      const plan = metricQueries(query, config, columns);
      const latest = plan.latest ? await result(plan.latest) : undefined;
      const results = await Promise.all(plan.periods(latest).map(result));
      return { metric: metricValue(config, results), syncedAt };
    }
    return { result: await result(query), syncedAt, query };
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return { error: error.message };
    throw error;
  }
}

/** Runs `work` over `items` with at most `limit` at once, keeping the order of results. */
export async function mapBounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Every widget's data, `WIDGET_FAN_OUT` at a time, in the widgets' order. */
export async function dashboardData(
  deps: AppDeps,
  run: Runner,
  widgets: WidgetRow[],
  filters: DashboardFilter[],
  values: FilterValues,
  /** Widget id → its dataset, when read already (see `widgetDatasets`). */
  datasets?: Map<string, DatasetRow>,
  /** Filter ids a share link locks (see `widgetData`). */
  lockedIds: readonly string[] = [],
): Promise<WidgetData[]> {
  return await mapBounded(widgets, WIDGET_FAN_OUT, async (w) => {
    try {
      const known = datasets ? datasets.get(w.id) ?? null : undefined;
      return await widgetData(deps, run, w, filters, values, known, lockedIds);
    } catch (error) {
      deps.log.error("widget data failed", { widget_id: w.id, error: String(error) });
      return { error: "This widget's data could not be read: try again in a moment" };
    }
  });
}

/** Values a select filter offers at most. */
export const FILTER_OPTION_LIMIT = 200;

/**
 * The values each select filter offers: the distinct values of its column in the first widget's
 * dataset that has it, under that widget's own query filters and the `locked` values of the other
 * filters (a share link's), sorted, at most `FILTER_OPTION_LIMIT`; a locked filter offers its value
 * only. So a viewer is never offered a value from rows the widgets would not show them.
 * Through the query cache like widgets.
 */
export async function filterOptions(
  deps: AppDeps,
  run: Runner,
  widgets: WidgetRow[],
  filters: DashboardFilter[],
  locked: FilterValues = {},
): Promise<Record<string, string[]>> {
  const options: Record<string, string[]> = {};
  const sources = widgets.filter((w) => w.connectorId && w.dataset);
  for (const f of filters.filter((f) => f.type === "select")) {
    if (locked[f.id] !== undefined) {
      options[f.id] = [locked[f.id]];
      continue;
    }
    options[f.id] = await run(async (tx) => {
      for (const w of sources) {
        const dataset = await findDataset(tx, w.connectorId!, w.dataset!);
        if (!dataset || dataset.workspaceId !== w.workspaceId) continue;
        const columns = dataset.columns as Column[];
        if (!columns.some((c) => c.name === f.column)) continue;
        const own = (w.dataQuery as StructuredQuery | null)?.filters;
        const query = applyFilters(
          { dimensions: [f.column], ...(own ? { filters: own } : {}), order_by: [{ column: f.column, dir: "asc" }] },
          filters.filter((other) => other.id !== f.id),
          locked,
          columns,
        );
        const result = await runQueryOnDataset(deps, tx, dataset, { ...query, limit: FILTER_OPTION_LIMIT });
        return result.rows.map((r) => r[0]).filter((v) => v !== null).map(String);
      }
      return [];
    }).catch(() => []);
  }
  return options;
}
