/**
 * A chart as the model (and later a dashboard widget) describes it: a mark and which result
 * columns go where. Compiled to a Vega-Lite spec, so drawing is Vega's job, not ours.
 */
import { z } from "zod";
import type { TopLevelSpec } from "vega-lite";
import type { Column } from "../../connectors/types.ts";

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

/** A channel's field and its title: the name as the user wrote it, not its escaped form. */
function field(name: string) {
  return { field: vegaField(name), title: name };
}

function fieldType(column: Column | undefined): "quantitative" | "temporal" | "nominal" {
  if (column?.type === "integer" || column?.type === "number" || column?.type === "decimal") return "quantitative";
  if (column?.type === "date" || column?.type === "timestamp") return "temporal";
  return "nominal";
}

/** The Vega-Lite spec of a chart over a query result (`rows` as arrays in `columns` order). */
export function toVegaLite(spec: ChartSpec, columns: Column[], rows: unknown[][]): TopLevelSpec {
  const values = rows.slice(0, CHART_ROW_LIMIT).map((row) =>
    Object.fromEntries(columns.map((c, i) => [c.name, row[i]]))
  );
  const byName = new Map(columns.map((c) => [c.name, c]));
  const base = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: spec.title,
    data: { values },
    width: 560,
    height: 300,
    config: { font: "system-ui, sans-serif", view: { stroke: null } },
  } as const;
  const color = spec.color ? { color: { ...field(spec.color), type: "nominal" as const } } : {};
  if (spec.mark === "pie") {
    return {
      ...base,
      mark: { type: "arc", tooltip: true },
      encoding: {
        theta: { ...field(spec.y), type: "quantitative" },
        color: { ...field(spec.x), type: "nominal" },
      },
    };
  }
  const xType = fieldType(byName.get(spec.x));
  return {
    ...base,
    mark: { type: spec.mark, tooltip: true, ...(spec.mark === "line" ? { point: true } : {}) },
    encoding: {
      x: { ...field(spec.x), type: xType, ...(xType === "nominal" ? { sort: null } : {}) },
      y: { ...field(spec.y), type: "quantitative" },
      ...color,
    },
  };
}
