/**
 * A chart as the model (and later a dashboard widget) describes it: a mark and which result
 * columns go where. Compiled to a Vega-Lite spec, so drawing is Vega's job, not ours.
 */
import { z } from "zod";
import type { TopLevelSpec } from "vega-lite";
import type { Column } from "../../connectors/types.ts";
import { type ChartTheme, themeConfig } from "./theme.ts";
import { textWidth } from "./font_metrics.ts";

export const CHART_MARKS = ["bar", "line", "area", "pie", "point"] as const;

export const ChartSpec = z.object({
  mark: z.enum(CHART_MARKS).describe("bar, line, area, pie or point (scatter)"),
  x: z.string().min(1).describe("The result column on the x axis (for pie: the slices' labels)"),
  y: z.string().min(1).describe("The numeric result column on the y axis (for pie: the slices' sizes)"),
  color: z.string().min(1).optional().describe("A result column that splits the data into series"),
  title: z.string().max(200).optional(),
}).strict();
export type ChartSpec = z.infer<typeof ChartSpec>;

/** Rows drawn at most: more would make an unreadable chart and a heavy SVG. */
export const CHART_ROW_LIMIT = 5_000;

/** How a chart is drawn: its size in px (before the page scales it), palette, and stacking. */
export interface ChartOptions {
  width?: number;
  height?: number;
  theme?: ChartTheme;
  /** Bars and areas with a series: stacked (the default) or side by side/overlapping. */
  stacked?: boolean;
  /**
   * The query the rows came from, when known: its group-by columns are drawn as categories (an
   * integer `store_id` is a label, not a quantity) and its measures are titled "sum of amount".
   */
  query?: ChartQuery;
}

/** What of a structured query a chart reads: its dimensions and measures. */
export interface ChartQuery {
  dimensions?: (string | { column: string; bucket: string; as?: string })[];
  measures?: { fn: string; column?: string; as?: string }[];
}

const FN_WORDS: Record<string, string> = {
  count_distinct: "distinct count",
  avg: "average",
  sum: "sum",
  min: "minimum",
  max: "maximum",
};

/**
 * What a query's result columns mean: the plain group-by columns (categories, even when numbers)
 * and a title for each unnamed measure's column ("sum of amount", "count"), by result column name.
 * A measure named with `as` keeps its name ("days"), except "value", the name the dashboard
 * editor gave every measure before it left them unnamed.
 */
export function queryHints(query: ChartQuery | undefined): { discrete: Set<string>; titles: Map<string, string> } {
  const discrete = new Set<string>();
  const titles = new Map<string, string>();
  for (const d of query?.dimensions ?? []) if (typeof d === "string") discrete.add(d);
  for (const m of query?.measures ?? []) {
    if (m.as !== undefined && m.as !== "value") continue;
    if (m.fn === "count" || !m.column) {
      titles.set(m.as ?? "count", "count");
    } else {
      titles.set(m.as ?? `${m.fn}_${m.column}`, `${FN_WORDS[m.fn] ?? m.fn} of ${m.column}`);
    }
  }
  return { discrete, titles };
}

/**
 * At most `limit` rows, evenly spaced and in order, with a sentence saying so when rows were left
 * out (a sample, not the first N: the shape of a series survives, its tail is not cut off).
 */
export function sampleRows(rows: unknown[][], limit = CHART_ROW_LIMIT): { rows: unknown[][]; note?: string } {
  if (rows.length <= limit) return { rows };
  const step = rows.length / limit;
  const kept = Array.from({ length: limit }, (_, i) => rows[Math.floor(i * step)]);
  return {
    rows: kept,
    note: `Showing ${limit.toLocaleString("en")} of ${rows.length.toLocaleString("en")} rows, evenly sampled; ` +
      "aggregate the query (a dimension and a measure) to see them all.",
  };
}

/**
 * The x axis label angle: level when the widest label fits its band (with a little air), slanted
 * otherwise. Measured with the chart font's real metrics, so short names are never turned on end.
 */
export function xLabelAngle(labels: string[], plotWidth: number, fontSize = 11): number {
  if (!labels.length) return 0;
  const band = plotWidth / labels.length;
  const widest = Math.max(...labels.map((l) => textWidth(l.slice(0, 40), fontSize)));
  return widest + 6 <= band ? 0 : -45;
}

/** Names a spec's columns that the result lacks; empty when the spec fits. */
export function missingColumns(spec: ChartSpec, columns: Column[]): string[] {
  const names = new Set(columns.map((c) => c.name));
  return [spec.x, spec.y, spec.color].filter((c): c is string => c !== undefined && !names.has(c));
}

/**
 * A column name as a Vega-Lite `field`. Vega-Lite reads `.` and `[…]` in a field as paths into
 * nested objects (vega-util's splitAccessPath), so `revenue.usd` would look up `usd` inside
 * `revenue`; a backslash makes each of `.`, `[`, `]` and itself literal.
 */
export function vegaField(name: string): string {
  return name.replace(/[\\.[\]]/g, (c) => `\\${c}`);
}

/** A channel's field and its title: the measure's words, else the name as the user wrote it (not escaped). */
function field(name: string, titles: Map<string, string> = new Map()) {
  return { field: vegaField(name), title: titles.get(name) ?? name };
}

/**
 * How an x axis reads a column: a group-by column is a category ("ordinal" for numbers, so the
 * bars of stores 1, 4 and 6 sit side by side, labelled 1, 4, 6, with no ticks at 0.5), a raw
 * number a quantity, a date a time.
 */
function fieldType(
  column: Column | undefined,
  discrete = false,
): "quantitative" | "temporal" | "nominal" | "ordinal" {
  const numeric = column?.type === "integer" || column?.type === "number" || column?.type === "decimal";
  if (numeric) return discrete ? "ordinal" : "quantitative";
  if (column?.type === "date" || column?.type === "timestamp") return "temporal";
  return "nominal";
}

/** The Vega-Lite spec of a chart over a query result (`rows` as arrays in `columns` order). */
export function toVegaLite(
  spec: ChartSpec,
  columns: Column[],
  rows: unknown[][],
  options: ChartOptions = {},
): TopLevelSpec {
  const values = rows.slice(0, CHART_ROW_LIMIT).map((row) =>
    Object.fromEntries(columns.map((c, i) => [c.name, row[i]]))
  );
  const byName = new Map(columns.map((c) => [c.name, c]));
  const { discrete, titles } = queryHints(options.query);
  const width = options.width ?? 560;
  const base = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: spec.title,
    data: { values },
    width,
    height: options.height ?? 300,
    // Layout follows the size given: "fit" keeps axes and legend inside it instead of adding to it.
    autosize: { type: "fit", contains: "padding" },
    config: themeConfig(options.theme ?? "light"),
  } as const;
  const color = spec.color ? { color: { ...field(spec.color), type: "nominal" as const } } : {};
  if (spec.mark === "pie") {
    return {
      ...base,
      mark: { type: "arc", tooltip: true },
      encoding: {
        theta: { ...field(spec.y, titles), type: "quantitative" },
        color: { ...field(spec.x, titles), type: "nominal" },
      },
    };
  }
  const xType = fieldType(byName.get(spec.x), discrete.has(spec.x));
  const categorical = xType === "nominal" || xType === "ordinal";
  const labels = categorical ? [...new Set(values.map((v) => String(v[spec.x] ?? "null")))] : [];
  // Roughly the plot's width: the y axis and a legend take ~60 px and ~100 px of the total.
  const plotWidth = width - 60 - (spec.color ? 100 : 0);
  const axis = categorical
    ? { axis: { labelAngle: xLabelAngle(labels, plotWidth), labelOverlap: true, labelLimit: 120 } }
    : { axis: { labelOverlap: true } };
  // Counts and other whole numbers get no ticks at 0.2 or 0.5.
  const wholeTicks = byName.get(spec.y)?.type === "integer" ? { axis: { tickMinStep: 1 } } : {};
  const stack = (spec.mark === "bar" || spec.mark === "area") && spec.color && options.stacked === false
    ? { stack: null }
    : {};
  const grouped = spec.mark === "bar" && spec.color && options.stacked === false
    ? { xOffset: { ...field(spec.color), type: "nominal" as const } }
    : {};
  return {
    ...base,
    mark: { type: spec.mark, tooltip: true, ...(spec.mark === "line" ? { point: values.length <= 200 } : {}) },
    encoding: {
      x: { ...field(spec.x, titles), type: xType, ...(categorical ? { sort: null } : {}), ...axis },
      y: { ...field(spec.y, titles), type: "quantitative", ...stack, ...wholeTicks },
      ...color,
      ...grouped,
    },
  } as TopLevelSpec;
}
