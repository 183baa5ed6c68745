/**
 * What a widget shows, drawn on the server: its chart as SVG (light and dark, sized to its grid
 * cell, at most a few thousand marks with a note when sampled), and its downloads: CSV (formula
 * safe), SVG and PNG. Rendered charts are cached by widget, data version, filters and size.
 */
import type { WidgetRow } from "../../db/queries/dashboards.ts";
import type { Column } from "../../connectors/types.ts";
import { type ChartQuery, type ChartSpec, sampleRows } from "../../lib/charts/chart_spec.ts";
import { renderChartSvg } from "../../lib/charts/render_svg.ts";
import type { ChartTheme } from "../../lib/charts/theme.ts";
import { svgToPng } from "../../lib/charts/rasterise.ts";
import type { QueryResult } from "../query_dataset.ts";
import { toCsv } from "../../lib/csv_export.ts";
import type { WidgetConfig } from "./schemas.ts";
import type { AppDeps } from "../../lib/deps.ts";
import { readDrawings, writeDrawing } from "../../db/queries/chart_drawings.ts";
import { createHash } from "node:crypto";

/** Marks drawn at most in a widget; more are sampled evenly and the cell says so. */
export const WIDGET_MARK_LIMIT = 3_000;
/**
 * Grid geometry the SVG is drawn for, as static/styles.css lays out `.dashboard-grid` on a wide
 * screen: 12 columns of about 76 px in a 1052 px content box, rows 80 px high, 12 px gaps; a
 * widget pads its content by 14 × 10 px inside a 1 px border, and its header line takes 28 px.
 * Drawn at the size of the cell's chart area, the chart fills it instead of leaving a band empty.
 */
const COLUMN_PX = 76;
const ROW_PX = 80;
const GAP_PX = 12;
const PAD_X = 2 * 14 + 2;
const PAD_Y = 2 * 10 + 2;
const HEADER_PX = 28;

const MARKS = { line: "line", bar: "bar", area: "area", pie: "pie", scatter: "point" } as const;

/** The chart spec a widget draws; 400-free: missing axes default to the first dimension and measure. */
export function widgetChartSpec(widget: WidgetRow, columns: Column[]): ChartSpec | undefined {
  const mark = MARKS[widget.type as keyof typeof MARKS];
  if (!mark || columns.length === 0) return undefined;
  const config = widget.config as WidgetConfig;
  const names = new Set(columns.map((c) => c.name));
  const numeric = columns.filter((c) => ["integer", "number", "decimal"].includes(c.type));
  const x = config.x && names.has(config.x) ? config.x : columns[0].name;
  const y = config.y && names.has(config.y) ? config.y : (numeric.find((c) => c.name !== x) ?? columns.at(-1)!).name;
  const color = config.series && names.has(config.series) ? config.series : undefined;
  return { mark, x, y, ...(color ? { color } : {}) };
}

/** The pixel size a widget's chart is drawn at, from its grid size (the page scales it to fit). */
export function chartSize(widget: { width: number; height: number }): { width: number; height: number } {
  const cellWidth = widget.width * COLUMN_PX + (widget.width - 1) * GAP_PX;
  const cellHeight = widget.height * ROW_PX + (widget.height - 1) * GAP_PX;
  return {
    width: Math.max(240, cellWidth - PAD_X),
    height: Math.max(140, cellHeight - PAD_Y - HEADER_PX),
  };
}

/** The width a phone drawing is made at: a 390 px screen's widget, so its text is not scaled down. */
export const PHONE_CHART_WIDTH = 340;

/**
 * The size of a widget's second drawing for phones, or undefined when the grid drawing is narrow
 * enough to read on one (scaled to a phone's width, a 1,168 px chart's 11 px labels would be 3 px).
 */
export function phoneChartSize(
  widget: { width: number; height: number },
): { width: number; height: number } | undefined {
  const grid = chartSize(widget);
  if (grid.width <= PHONE_CHART_WIDTH * 1.25) return undefined;
  return { width: PHONE_CHART_WIDTH, height: Math.min(320, Math.max(220, grid.height)) };
}

/** Drawings this process made or read: per set of dependencies (another set is another process, as tests use it). */
const caches = new WeakMap<AppDeps, Map<string, Promise<string>>>();
/** Drawings of previews and downloads, which have no store. */
const unstored = new Map<string, Promise<string>>();
const CACHE_ENTRIES = 500;

function cacheOf(store?: DrawingStore): Map<string, Promise<string>> {
  if (!store) return unstored;
  let cache = caches.get(store.deps);
  if (!cache) caches.set(store.deps, cache = new Map());
  return cache;
}

/**
 * Where a saved widget's drawings are kept beyond this process (chart_drawings): the app's
 * database, and the version of the data drawn. Previews of unsaved widgets pass none.
 */
export interface DrawingStore {
  deps: AppDeps;
  dataVersion: number;
  /** Stored drawings already read for the page (`storedDrawings`), by hashed key. */
  read?: Map<string, string>;
}

/**
 * The version of how charts are drawn: part of every drawing's key, so stored drawings made by
 * older code are not shown after a change to the drawing (axes, fonts, theme). Bump it with one.
 */
const DRAWING_VERSION = 1;

/** What a drawing depends on, as the caches name it. */
function drawingKey(widget: WidgetRow, dataKey: string, theme: ChartTheme, size: { width: number; height: number }) {
  const drawn = `${DRAWING_VERSION}:${theme}:${size.width}x${size.height}`;
  return `${widget.id}@${widget.updatedAt.getTime()}:${dataKey}:${drawn}`;
}

const hashed = (key: string) => createHash("sha256").update(key).digest("hex");

/** The stored drawings under `hashes`; a failed read only costs drawings (logged), never the page. */
function readStored(deps: AppDeps, hashes: string[]): Promise<Map<string, string>> {
  return readDrawings(deps.db.orm, hashes).catch((error) => {
    deps.log.warn("stored charts not read", { error: String(error) });
    return new Map<string, string>();
  });
}

/**
 * Reads in one round trip the stored drawings of charts this process has not drawn yet, for
 * `widgetSvg`'s `store.read`: a page of eight charts costs one query instead of eight.
 * `charts` lists each drawing the page will ask for.
 */
export async function storedDrawings(
  deps: AppDeps,
  charts: { widget: WidgetRow; dataKey: string; size: { width: number; height: number } }[],
): Promise<Map<string, string>> {
  const drawn = caches.get(deps);
  const missing = charts.map((c) => drawingKey(c.widget, c.dataKey, "light", c.size)).filter((k) => !drawn?.has(k));
  return await readStored(deps, missing.map(hashed));
}

/**
 * A widget's chart as SVG for `theme` (at its grid size unless `size` says otherwise), or undefined
 * for widgets that are not charts. `dataKey` names the data (dataset version and filters) so the
 * cache never serves a stale drawing. With a `store`, a drawing this process has not made is read
 * from the database before Vega draws it, and what Vega draws is stored for the next process.
 */
export function widgetSvg(
  widget: WidgetRow,
  result: QueryResult,
  theme: ChartTheme,
  dataKey: string,
  size: { width: number; height: number } = chartSize(widget),
  store?: DrawingStore,
): Promise<string> | undefined {
  const spec = widgetChartSpec(widget, result.columns);
  if (!spec) return undefined;
  const key = drawingKey(widget, dataKey, theme, size);
  const cache = cacheOf(store);
  let svg = cache.get(key);
  if (svg) {
    cache.delete(key);
  } else {
    const draw = () => {
      const { rows } = sampleRows(result.rows, WIDGET_MARK_LIMIT);
      return renderChartSvg(spec, result.columns, rows, {
        ...size,
        theme,
        stacked: (widget.config as WidgetConfig).stacked,
        query: (widget.dataQuery ?? undefined) as ChartQuery | undefined,
      });
    };
    svg = store ? drawnOnce(store, widget, key, draw) : draw();
    svg.catch(() => cache.delete(key));
  }
  cache.set(key, svg);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return svg;
}

/** The stored drawing under `key`, else `draw()`'s, then stored (a failed read or write only costs a drawing). */
async function drawnOnce(
  store: DrawingStore,
  widget: WidgetRow,
  key: string,
  draw: () => Promise<string>,
): Promise<string> {
  const { db, log } = store.deps;
  const hash = hashed(key);
  const found = (store.read ?? await readStored(store.deps, [hash])).get(hash);
  if (found !== undefined) return found;
  const svg = await draw();
  const owner = {
    widgetId: widget.id,
    workspaceId: widget.workspaceId,
    widgetVersion: widget.updatedAt.getTime(),
    dataVersion: store.dataVersion,
  };
  writeDrawing(db.orm, hash, owner, svg).catch((error) => log.warn("chart not stored", { error: String(error) }));
  return svg;
}

/** The note a cell shows when its chart was sampled, else undefined. */
export function samplingNote(widget: WidgetRow, result: QueryResult): string | undefined {
  if (!MARKS[widget.type as keyof typeof MARKS]) return undefined;
  return sampleRows(result.rows, WIDGET_MARK_LIMIT).note;
}

export const DOWNLOAD_FORMATS = ["csv", "svg", "png"] as const;
export type DownloadFormat = typeof DOWNLOAD_FORMATS[number];

/** A widget's download: the body, its content type and a file name. */
export async function widgetDownload(
  widget: WidgetRow,
  result: QueryResult,
  format: DownloadFormat,
  dataKey: string,
): Promise<{ body: string | Uint8Array; type: string; fileName: string } | undefined> {
  const base = (widget.title ?? widget.type).normalize("NFKD").replace(/[^\w\s-]/g, "").trim()
    .replace(/\s+/g, "-").slice(0, 80) || "widget";
  if (format === "csv") {
    return { body: toCsv(result.columns, result.rows), type: "text/csv; charset=utf-8", fileName: `${base}.csv` };
  }
  const svg = await widgetSvg(widget, result, "light", dataKey);
  if (!svg) return undefined;
  if (format === "svg") return { body: svg, type: "image/svg+xml; charset=utf-8", fileName: `${base}.svg` };
  return { body: await svgToPng(svg), type: "image/png", fileName: `${base}.png` };
}
