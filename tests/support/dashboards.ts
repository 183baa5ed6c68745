/**
 * Shared steps of the dashboard tests: CSV connectors of vega-datasets files, the files' rows as
 * the tests compute expectations from, and a dashboard with the widgets the tests look at.
 */
import { join } from "node:path";
import type { TestApp } from "./test_app.ts";
import { type Sources, vegaDataDir } from "./sources.ts";
import { syncsSettled } from "../../functions/sync_connector.ts";

/** A CSV connector of a vega-datasets file, created and synced as the user behind `cookie`. */
export async function syncedCsvConnector(t: TestApp, cookie: string, sources: Sources, file: string): Promise<string> {
  const created = await t.call("/api/connectors", {
    cookie,
    body: { name: file, type: "csv", config: { url: `${sources.base}/vega/${file}` } },
  });
  if (created.status !== 201) throw new Error(`Cannot create the connector: ${created.text}`);
  const id = (created.body as { id: string }).id;
  await syncAgain(t, cookie, id);
  return id;
}

/** Syncs a connector again and waits for the sync to end. */
export async function syncAgain(t: TestApp, cookie: string, connectorId: string): Promise<void> {
  const started = await t.call(`/api/connectors/${connectorId}/sync`, { method: "POST", cookie });
  if (started.status !== 202) throw new Error(`Cannot sync: ${started.text}`);
  await syncsSettled();
}

/** A vega-datasets CSV file's rows as objects of strings. */
export async function csvRows(file: string): Promise<Record<string, string>[]> {
  const lines = (await Deno.readTextFile(join(vegaDataDir(), file))).trim().split("\n");
  const header = lines[0].split(",");
  return lines.slice(1).map((line) => Object.fromEntries(line.split(",").map((v, i) => [header[i], v])));
}

/** Counts of `rows` by `key`, sorted by key. */
export function countBy(rows: Record<string, string>[], key: string): [string, number][] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row[key], (counts.get(row[key]) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

/** The marks of one kind Vega drew in an SVG (`bar`, `symbol` for points, `arc`, …). */
export function marks(svg: string, role: string): string[] {
  return [...svg.matchAll(new RegExp(`<path[^>]*aria-roledescription="${role}"[^>]*>`, "g"))].map((m) => m[0]);
}

/** The chart SVGs of a page at their grid size, in widget order (the phone copies are left out). */
export function pageCharts(html: string): string[] {
  return [...html.matchAll(/<div class="chart(?: chart-wide)?">(<svg[\s\S]*?<\/svg>)<\/div>/g)].map((m) => m[1]);
}

/**
 * The smallest chart text a reader sees on the page, in CSS pixels (each label's drawn height
 * after the SVG is scaled to fit), and how many labels are visible.
 */
export function smallestChartText(): { px: number; labels: number } {
  const heights = [...document.querySelectorAll(".chart svg text")]
    .map((t) => t.getBoundingClientRect().height)
    .filter((h) => h > 0);
  return { px: Math.min(...heights), labels: heights.length };
}

export interface Weather {
  dashboardId: string;
  weatherConnector: string;
  electricityConnector: string;
}

/**
 * A dashboard over seattle-weather and iowa-electricity: days by weather (bar), temperatures
 * (scatter), generation by source (area), a metric of rainy days with its change, a table, a
 * text, and filters on weather (select) and date (range).
 */
export async function weatherDashboard(t: TestApp, cookie: string, sources: Sources): Promise<Weather> {
  const weatherConnector = await syncedCsvConnector(t, cookie, sources, "seattle-weather.csv");
  const electricityConnector = await syncedCsvConnector(t, cookie, sources, "iowa-electricity.csv");
  const created = await t.call("/api/dashboards", { cookie, body: { name: "Seattle and Iowa" } });
  if (created.status !== 201) throw new Error(`Cannot create the dashboard: ${created.text}`);
  const dashboardId = (created.body as { id: string }).id;
  const patched = await t.call(`/api/dashboards/${dashboardId}`, {
    method: "PATCH",
    cookie,
    body: {
      filters: [
        { id: "weather", label: "Weather", column: "weather", type: "select" },
        { id: "date", label: "Date", column: "date", type: "date_range" },
      ],
    },
  });
  if (patched.status !== 200) throw new Error(`Cannot set filters: ${patched.text}`);
  const weather = { connector_id: weatherConnector, dataset: "seattle-weather" };
  const widgets = [
    {
      type: "bar",
      title: "Days by weather",
      ...weather,
      data_query: {
        dimensions: ["weather"],
        measures: [{ fn: "count", as: "days" }],
        order_by: [{ column: "weather" }],
      },
      position_x: 0,
      position_y: 0,
      width: 6,
      height: 4,
    },
    {
      type: "scatter",
      title: "Highs and lows",
      ...weather,
      data_query: { dimensions: [], measures: [], limit: 5000 },
      config: { x: "temp_min", y: "temp_max", series: "weather" },
      position_x: 6,
      position_y: 0,
      width: 6,
      height: 4,
    },
    {
      type: "area",
      title: "Iowa generation",
      connector_id: electricityConnector,
      dataset: "iowa-electricity",
      data_query: {
        dimensions: ["year", "source"],
        measures: [{ fn: "sum", column: "net_generation", as: "generation" }],
        order_by: [{ column: "year" }],
      },
      config: { x: "year", y: "generation", series: "source" },
      position_x: 0,
      position_y: 4,
      width: 8,
      height: 4,
    },
    {
      type: "metric",
      title: "Rainy days",
      ...weather,
      data_query: {
        measures: [{ fn: "count", as: "days" }],
        filters: [{ column: "weather", op: "eq", value: "rain" }],
      },
      config: { date_column: "date", period: "month", format: "integer" },
      position_x: 8,
      position_y: 4,
      width: 4,
      height: 2,
    },
    {
      type: "text",
      title: "About",
      config: { markdown: "Data from **vega-datasets**. <script>alert(1)</script>" },
      position_x: 8,
      position_y: 6,
      width: 4,
      height: 2,
    },
  ];
  for (const widget of widgets) {
    const res = await t.call(`/api/dashboards/${dashboardId}/widgets`, { cookie, body: widget });
    if (res.status !== 201) throw new Error(`Cannot add ${widget.title}: ${res.text}`);
  }
  return { dashboardId, weatherConnector, electricityConnector };
}

/** A CSV connector made from an uploaded `csv` and synced: its id and its one dataset's name. */
export async function uploadedDataset(
  t: TestApp,
  cookie: string,
  csv: string,
): Promise<{ connectorId: string; dataset: string }> {
  const created = await t.call("/api/connectors", { cookie, body: { name: "Sales", type: "csv", config: {} } });
  const connectorId = (created.body as { id: string }).id;
  const upload = await t.call(`/api/connectors/${connectorId}/upload`, {
    cookie,
    body: csv,
    headers: { "content-type": "text/csv" },
  });
  if (upload.status !== 200) throw new Error(`Cannot upload: ${upload.status} ${upload.text}`);
  await syncAgain(t, cookie, connectorId);
  const datasets = await t.call(`/api/connectors/${connectorId}/datasets`, { cookie });
  return { connectorId, dataset: (datasets.body as { items: { name: string }[] }).items[0].name };
}
