/** Draws a chart to SVG on the server with Vega, so pages and downloads need no script to show it. */
import { parse, View } from "vega";
import { compile } from "vega-lite";
import { type ChartOptions, type ChartSpec, toVegaLite } from "./chart_spec.ts";
import { installFontMetrics } from "./font_metrics.ts";
import type { Column } from "../../connectors/types.ts";

/**
 * The chart as an SVG document (`width`/`height` in px and a matching `viewBox`). Vega escapes
 * the text it draws (labels come from user data) and adds a `<title>` to each mark with a
 * tooltip, which browsers show on hover without any script.
 */
export async function renderChartSvg(
  spec: ChartSpec,
  columns: Column[],
  rows: unknown[][],
  options: ChartOptions = {},
): Promise<string> {
  await installFontMetrics();
  const view = new View(parse(compile(toVegaLite(spec, columns, rows, options)).spec), { renderer: "none" });
  try {
    return withTitles(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Vega labels each mark for screen readers (`aria-label`, from the tooltip fields) but leaves
 * hover tooltips to its JavaScript handler; a `<title>` child is what browsers show on hover by
 * themselves, so each labelled mark gets one with the same (already escaped) text.
 */
function withTitles(svg: string): string {
  return svg.replace(
    /<path([^>]*?) aria-label="([^"]*)"([^>]*?)\/>/g,
    (_, before: string, label: string, after: string) =>
      `<path${before} aria-label="${label}"${after}><title>${label}</title></path>`,
  );
}

/**
 * An SVG that scales to its container: the fixed `width`/`height` attributes go, the `viewBox`
 * stays, so the browser keeps its proportions at any width (for inline use in pages; the page's
 * stylesheet sets `width: 100%`, as the CSP allows no inline styles).
 */
export function responsiveSvg(svg: string, label: string): string {
  return svg.replace(
    /^<svg([^>]*?)\swidth="[\d.]+"\sheight="[\d.]+"/,
    (_, attrs: string) =>
      `<svg${attrs} role="img" aria-label="${escapeAttribute(label)}" preserveAspectRatio="xMinYMin meet"`,
  );
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
