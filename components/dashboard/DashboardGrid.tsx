/**
 * A dashboard's widgets on the 12-column grid, drawn on the server: no script is needed to read
 * it. Cells are placed by class (`gx-*`, `gw-*`, `gh-*`: the CSP allows no inline styles) and come
 * in reading order, so on a phone, where the grid becomes one column, they stack top to bottom.
 */
import type { CellView } from "../../functions/dashboards/cells.ts";
import type { MetricValue } from "../../functions/dashboards/metric.ts";
import type { WidgetConfig } from "../../functions/dashboards/schemas.ts";
import { ResultTable } from "../ResultTable.tsx";
import { EmptyState } from "../EmptyState.tsx";

/** Formats a number as the widget's config asks (`integer`, `decimal`, `percent`, `currency:EUR`). */
export function formatNumber(value: unknown, format?: string): string {
  if (value === null || value === undefined) return "—";
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  if (format === "integer") return Math.round(n).toLocaleString("en");
  if (format === "percent") return n.toLocaleString("en", { style: "percent", maximumFractionDigits: 1 });
  if (format?.startsWith("currency:")) {
    return n.toLocaleString("en", { style: "currency", currency: format.slice(9) });
  }
  if (format === "decimal") return n.toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return n.toLocaleString("en", { maximumFractionDigits: 2 });
}

/**
 * Markup made on the server by code that escapes what it draws: Vega's SVG (labels come from user
 * data and Vega escapes them) and markdownToSafeHtml (raw HTML escaped, links checked).
 */
function Trusted(props: { class: string; html: string }) {
  // deno-lint-ignore react-no-danger -- see above: only escaped, server-made markup reaches here
  return <div class={props.class} dangerouslySetInnerHTML={{ __html: props.html }} />;
}

function Metric({ metric, format }: { metric: MetricValue; format?: string }) {
  const change = metric.change;
  return (
    <div class="metric">
      <p class="metric-value">{formatNumber(metric.value, format)}</p>
      {metric.period && (
        <p class={`metric-change ${change === null || change === undefined ? "" : change >= 0 ? "up" : "down"}`}>
          {change === null || change === undefined
            ? `No previous ${metric.period} to compare with`
            : `${change >= 0 ? "▲" : "▼"} ${
              formatNumber(Math.abs(change), "percent")
            } against the previous ${metric.period}`}
          {metric.previous !== undefined && metric.previous !== null && (
            <span class="muted">{` (was ${formatNumber(metric.previous, format)})`}</span>
          )}
        </p>
      )}
    </div>
  );
}

/** One cell. `downloads` makes the CSV/SVG/PNG links for a widget id, or is absent when not allowed. */
function Cell({ cell, downloads }: { cell: CellView; downloads?: (widgetId: string, format: string) => string }) {
  const w = cell.widget;
  const config = w.config as WidgetConfig;
  const chart = Boolean(cell.svg);
  return (
    <article
      class={`widget gx-${w.positionX + 1} gw-${w.width} gh-${w.height}`}
      data-widget-id={w.id}
      data-type={w.type}
    >
      {(cell.title || (downloads && w.type !== "text" && !cell.error)) && (
        <header class="widget-header">
          <h2>{cell.title}</h2>
          {downloads && w.type !== "text" && !cell.error && (
            <nav class="widget-downloads" aria-label={`Download ${cell.title || "this widget"}`}>
              <a href={downloads(w.id, "csv")} download>CSV</a>
              {chart && <a href={downloads(w.id, "svg")} download>SVG</a>}
              {chart && <a href={downloads(w.id, "png")} download>PNG</a>}
            </nav>
          )}
        </header>
      )}
      <div class="widget-body">
        {cell.error && <p class="widget-error" role="status">{cell.error}</p>}
        {cell.svg && (
          // A wide chart comes twice: at its grid size, and drawn at a phone's width, which the
          // stylesheet shows instead on a phone (no script: the share page has none).
          <>
            <Trusted class={`chart${cell.svg.phone ? " chart-wide" : ""}`} html={cell.svg.main} />
            {cell.svg.phone && <Trusted class="chart chart-phone" html={cell.svg.phone} />}
          </>
        )}
        {cell.table && <ResultTable columns={cell.table.columns} rows={cell.table.rows} headings={cell.headings} />}
        {cell.metric && <Metric metric={cell.metric} format={config.format} />}
        {cell.html !== undefined && <Trusted class="md" html={cell.html} />}
        {cell.note && <p class="muted small widget-note">{cell.note}</p>}
      </div>
    </article>
  );
}

export function DashboardGrid(
  props: {
    cells: CellView[];
    downloads?: (widgetId: string, format: string) => string;
    /** The editor's address, for a member's empty dashboard (a share page has none). */
    editHref?: string;
  },
) {
  if (props.cells.length === 0) {
    return (
      <EmptyState icon="dashboards" title="No widgets yet">
        {props.editHref
          ? (
            <>
              Add charts, tables, numbers and text in the <a href={props.editHref}>editor</a>.
            </>
          )
          : "This dashboard has no widgets yet."}
      </EmptyState>
    );
  }
  return (
    <div class="dashboard-grid">
      {props.cells.map((cell) => <Cell key={cell.widget.id} cell={cell} downloads={props.downloads} />)}
    </div>
  );
}
