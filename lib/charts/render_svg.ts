/** Draws a chart to SVG on the server with Vega, so pages and downloads need no script to show it. */
import { parse, View } from "vega";
import { compile } from "vega-lite";
import { type ChartSpec, toVegaLite } from "./chart_spec.ts";
import type { Column } from "../../connectors/types.ts";

/** The chart as an SVG document. Vega escapes the text it draws (labels come from user data). */
export async function renderChartSvg(spec: ChartSpec, columns: Column[], rows: unknown[][]): Promise<string> {
  const view = new View(parse(compile(toVegaLite(spec, columns, rows)).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
