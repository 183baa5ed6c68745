/**
 * The layout editor: drag to move and resize (gridstack does the dragging), add a widget with a
 * live preview drawn by the server as the query changes, remove one, and undo the last layout
 * change, and set the dashboard's filters. Every change is saved at once through the API. An
 * incomplete query is caught in the form, next to its field, before anything is sent; a refusal
 * from the server is shown once, as a sentence (formMessage), and the form keeps what was typed.
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { BusyButton } from "../components/BusyButton.tsx";
import { useRef } from "preact/hooks";
// Types only: gridstack's ES modules import without file extensions, which Deno cannot load, so the
// library is imported in the browser alone (a chunk of its own, fetched when the editor opens).
import type { GridStack, GridStackNode } from "gridstack";
import { formMessage } from "../components/form_errors.ts";
import { isNumeric, MEASURE_FNS, measureColumns, NEEDS_COLUMN } from "../components/query_form.ts";
import type { DashboardFilter } from "../functions/dashboards/schemas.ts";

export interface EditorWidget {
  id: string;
  title: string;
  type: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** The widget's chart as the dashboard draws it (responsive SVG), when it is a chart. */
  svg?: string;
  /** What the tile says instead of a chart: a metric's value, a table's size, an error. */
  summary?: string;
}

export interface EditorSource {
  connector_id: string;
  connector: string;
  dataset: string;
  columns: { name: string; type: string }[];
}

type Place = Pick<EditorWidget, "x" | "y" | "w" | "h">;
const TYPES = ["bar", "line", "area", "pie", "scatter", "table", "metric"] as const;

async function api(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined;
  const json = await res.json().catch(() => undefined) as { error?: { message?: string } } | undefined;
  if (!res.ok) throw new Error(json?.error?.message ?? `The server answered ${res.status}: try again`);
  return json;
}

/** The form's labels for the API's field paths, so a refusal names the field the user sees. */
const LABELS: Record<string, string> = {
  title: "Title",
  type: "Type",
  dataset: "Dataset",
  connector_id: "Dataset",
  "data_query.dimensions": "Group by",
  "data_query.order_by": "Group by",
  "data_query.measures": "Of",
  filters: "Filters",
};

/** A refusal as a sentence naming the form's field. */
const sentence = (e: unknown) => formMessage(e instanceof Error ? e.message : String(e), LABELS);

export default function DashboardEditor(
  props: {
    dashboardId: string;
    widgets: EditorWidget[];
    sources: EditorSource[];
    filters: DashboardFilter[];
    /** Columns of the widgets' datasets, which filters can apply to. */
    filterColumns: { name: string; type: string }[];
  },
) {
  const gridEl = useRef<HTMLDivElement>(null);
  const grid = useRef<GridStack | null>(null);
  const places = useRef(new Map(props.widgets.map((w) => [w.id, { x: w.x, y: w.y, w: w.w, h: w.h } as Place])));
  const undo = useSignal<Map<string, Place> | null>(null);
  const status = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  const restoring = useRef(false);

  async function save(changes: Map<string, Place>) {
    error.value = null;
    status.value = "Saving…";
    try {
      await Promise.all(
        [...changes].map(([id, p]) =>
          api(`/api/widgets/${id}`, "PATCH", { position_x: p.x, position_y: p.y, width: p.w, height: p.h })
        ),
      );
      status.value = "Saved";
    } catch (e) {
      error.value = sentence(e);
      status.value = null;
    }
  }

  useSignalEffect(() => {
    if (!gridEl.current) return;
    let g: GridStack | null = null;
    let gone = false;
    import("gridstack").then(({ GridStack }) => {
      if (gone || !gridEl.current) return;
      // The dashboard page's geometry (functions/dashboards/render.ts chartSize): rows 80 px with
      // 12 px gaps. Gridstack puts the gap inside a row (a 6 px margin each side), so a row here is
      // 92 px and a tile is as tall as its cell there: its chart is shown at the size it was drawn.
      g = GridStack.init(
        { column: 12, cellHeight: 92, margin: 6, columnOpts: { breakpoints: [{ w: 700, c: 1 }] } },
        gridEl.current,
      );
      if (!g) return;
      grid.current = g;
      gridEl.current.dataset.ready = "true";
      listen(g);
    });
    return () => {
      gone = true;
      g?.destroy(false);
    };
  });

  function listen(g: GridStack) {
    g.on("change", (_event: Event, nodes: GridStackNode[]) => {
      const before = new Map<string, Place>();
      const after = new Map<string, Place>();
      for (const n of nodes) {
        const id = String(n.id);
        const old = places.current.get(id);
        if (old) before.set(id, old);
        const next = { x: n.x ?? 0, y: n.y ?? 0, w: n.w ?? 1, h: n.h ?? 1 };
        after.set(id, next);
        places.current.set(id, next);
      }
      if (!restoring.current) undo.value = before;
      save(after);
    });
  }

  function undoLast() {
    const last = undo.value;
    if (!last || !grid.current) return;
    restoring.current = true;
    grid.current.batchUpdate();
    for (const [id, p] of last) {
      const el = gridEl.current?.querySelector<HTMLElement>(`[gs-id="${id}"]`);
      if (el) grid.current.update(el, p);
    }
    grid.current.batchUpdate(false);
    restoring.current = false;
    undo.value = null;
  }

  async function remove(id: string) {
    if (!confirm("Remove this widget from the dashboard?")) return;
    try {
      await api(`/api/widgets/${id}`, "DELETE");
      const el = gridEl.current?.querySelector<HTMLElement>(`[gs-id="${id}"]`);
      if (el) grid.current?.removeWidget(el, true, false);
      places.current.delete(id);
    } catch (e) {
      error.value = sentence(e);
    }
  }

  return (
    <div class="dashboard-editor">
      <div class="editor-bar">
        <button type="button" class="button" disabled={!undo.value} onClick={undoLast}>Undo last change</button>
        <span class="muted small" aria-live="polite">{status.value}</span>
        <a class="button" href={`/dashboards/${props.dashboardId}`}>Done</a>
      </div>
      {error.value && <p class="alert" role="alert">{error.value}</p>}
      <div class="grid-stack" ref={gridEl}>
        {props.widgets.map((w) => (
          <div key={w.id} class="grid-stack-item" gs-id={w.id} gs-x={w.x} gs-y={w.y} gs-w={w.w} gs-h={w.h}>
            <div class="grid-stack-item-content widget">
              <header class="widget-header">
                <h2>{w.title || w.type}</h2>
                <button
                  type="button"
                  class="button small danger"
                  onClick={() =>
                    remove(w.id)}
                >
                  Remove
                </button>
              </header>
              {w.svg ? <PreviewSvg svg={w.svg} /> : <p class="muted small">{w.summary ?? w.type}</p>}
            </div>
          </div>
        ))}
      </div>
      <AddWidget dashboardId={props.dashboardId} sources={props.sources} />
      <FilterEditor dashboardId={props.dashboardId} filters={props.filters} columns={props.filterColumns} />
    </div>
  );
}

/** The add-widget form, with a preview the server draws as the choices change (complete ones only). */
function AddWidget(props: { dashboardId: string; sources: EditorSource[] }) {
  const type = useSignal<string>("bar");
  const title = useSignal("");
  const source = useSignal(0);
  const adding = useSignal(false);
  const dimension = useSignal(props.sources[0]?.columns[0]?.name ?? "");
  const fn = useSignal<string>("count");
  const column = useSignal("");
  const preview = useSignal<{ svg?: string | null; error?: string | null; row_count?: number } | null>(null);
  const error = useSignal<string | null>(null);
  const tried = useSignal(false);
  const ofField = useRef<HTMLSelectElement>(null);
  const src = props.sources[source.value];

  /** What the form still needs before it can be sent, said next to its field; null when complete. */
  const missing = (): string | null => fn.value !== "count" && !column.value ? NEEDS_COLUMN[fn.value] : null;

  const body = () => ({
    type: type.value,
    title: title.value || null,
    connector_id: src?.connector_id,
    dataset: src?.dataset,
    data_query: {
      dimensions: type.value === "metric" || !dimension.value ? [] : [dimension.value],
      // Unnamed, so the result column and the chart's axis say what it is ("sum of amount").
      measures: [{ fn: fn.value, ...(fn.value === "count" ? {} : { column: column.value }) }],
      ...(dimension.value && type.value !== "metric" ? { order_by: [{ column: dimension.value }] } : {}),
    },
    position_x: 0,
    position_y: 1000,
    width: 6,
    height: 4,
  });

  useSignalEffect(() => {
    if (!src) return;
    const payload = JSON.stringify(body());
    // An incomplete query is not sent: the field says what it needs instead.
    if (missing()) {
      preview.value = null;
      return;
    }
    const timer = setTimeout(() => {
      api(`/api/dashboards/${props.dashboardId}/preview`, "POST", JSON.parse(payload))
        .then((p) => preview.value = p as typeof preview.value)
        .catch((e) => preview.value = { error: sentence(e) });
    }, 250);
    return () => clearTimeout(timer);
  });

  function chooseSource(index: number) {
    source.value = index;
    const columns = props.sources[index]?.columns ?? [];
    if (!columns.some((c) => c.name === dimension.value)) dimension.value = columns[0]?.name ?? "";
    if (!columns.some((c) => c.name === column.value)) column.value = "";
  }

  async function add(event: Event) {
    event.preventDefault();
    if (adding.value) return;
    tried.value = true;
    if (missing()) {
      ofField.current?.focus();
      return;
    }
    error.value = null;
    adding.value = true;
    try {
      await api(`/api/dashboards/${props.dashboardId}/widgets`, "POST", body());
      location.reload(); // busy until the page comes back with the widget
    } catch (e) {
      error.value = sentence(e);
      preview.value = null; // the same refusal is not shown twice
      adding.value = false;
    }
  }

  if (!src) return <p class="muted">Sync a connector to add charts from its datasets.</p>;
  const need = missing();
  return (
    <form class="card form form-grid add-widget" onSubmit={add} noValidate>
      <h2>Add a widget</h2>
      <label>
        Title{" "}
        <input type="text" value={title.value} maxLength={200} onInput={(e) => title.value = e.currentTarget.value} />
      </label>
      <label>
        Type
        <select value={type.value} onChange={(e) => type.value = e.currentTarget.value}>
          {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </label>
      <label>
        Dataset
        <select value={source.value} onChange={(e) => chooseSource(Number(e.currentTarget.value))}>
          {props.sources.map((s, i) => <option key={i} value={i}>{s.connector} / {s.dataset}</option>)}
        </select>
      </label>
      <label>
        Group by
        <select value={dimension.value} onChange={(e) => dimension.value = e.currentTarget.value}>
          <option value="">Nothing</option>
          {src.columns.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
        </select>
      </label>
      <label>
        Measure
        <select value={fn.value} onChange={(e) => fn.value = e.currentTarget.value}>
          {MEASURE_FNS.map(([f, words]) => <option key={f} value={f}>{words}</option>)}
        </select>
      </label>
      {fn.value !== "count" && (
        <label>
          Of
          <select
            ref={ofField}
            value={column.value}
            aria-invalid={need ? "true" : undefined}
            aria-describedby={need ? "add-widget-of-error" : undefined}
            onChange={(e) => column.value = e.currentTarget.value}
          >
            <option value="">Choose a column</option>
            {measureColumns(fn.value, src.columns).map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
          </select>
          {need && (
            <span id="add-widget-of-error" class="field-error" role={tried.value ? "alert" : undefined}>{need}</span>
          )}
        </label>
      )}
      <div class="preview" aria-live="polite">
        {preview.value?.error && <p class="widget-error">{preview.value.error}</p>}
        {preview.value?.svg && <PreviewSvg svg={preview.value.svg} />}
        {preview.value?.row_count !== undefined && <p class="muted small">{preview.value.row_count} rows</p>}
      </div>
      {error.value && <p class="alert form-wide" role="alert">{error.value}</p>}
      <div>
        <BusyButton type="submit" class="button primary" busy={adding.value} busyLabel="Adding…">Add widget</BusyButton>
      </div>
    </form>
  );
}

const FILTER_KINDS: { type: DashboardFilter["type"]; label: string; fits: (columnType: string) => boolean }[] = [
  { type: "select", label: "Choose one of the column's values", fits: (t) => t !== "json" },
  { type: "date_range", label: "Date range", fits: (t) => t === "date" || t === "timestamp" },
  { type: "number_range", label: "Number range", fits: isNumeric },
];

/** A filter id from its label ("Order date" → "order_date"), unique among `taken`. */
function filterIdFor(label: string, taken: Set<string>): string {
  const base = label.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "")
    .slice(0, 32) || "filter";
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  return id;
}

/**
 * The dashboard's filters: add, edit or remove one (a label, a column of the widgets' datasets, and
 * how viewers choose: one of the column's values, a date range or a number range). Saved at once
 * with PATCH /api/dashboards/:id; the dashboard and its share links show them as a GET form.
 */
function FilterEditor(
  props: { dashboardId: string; filters: DashboardFilter[]; columns: { name: string; type: string }[] },
) {
  const filters = useSignal(props.filters);
  const editing = useSignal<string | null>(null); // a filter's id, or null when adding
  const label = useSignal("");
  const column = useSignal("");
  const kind = useSignal<DashboardFilter["type"]>("select");
  const problems = useSignal<{ label?: string; column?: string; form?: string }>({});
  const status = useSignal<string | null>(null);
  const busy = useSignal(false);
  const labelField = useRef<HTMLInputElement>(null);
  const columnType = props.columns.find((c) => c.name === column.value)?.type ?? "";
  const kinds = FILTER_KINDS.filter((k) => !column.value || k.fits(columnType));

  function reset() {
    editing.value = null;
    label.value = "";
    column.value = "";
    kind.value = "select";
    problems.value = {};
  }

  function edit(f: DashboardFilter) {
    editing.value = f.id;
    label.value = f.label;
    column.value = f.column;
    kind.value = f.type;
    problems.value = {};
    status.value = null;
    labelField.current?.focus();
  }

  /** A column's natural kind: a range for dates and numbers, else one of its values. */
  function chooseColumn(name: string) {
    column.value = name;
    const type = props.columns.find((c) => c.name === name)?.type ?? "";
    kind.value = FILTER_KINDS.find((k) => k.type !== "select" && k.fits(type))?.type ?? "select";
  }

  async function store(next: DashboardFilter[], done: string) {
    busy.value = true;
    status.value = null;
    try {
      await api(`/api/dashboards/${props.dashboardId}`, "PATCH", { filters: next });
      filters.value = next;
      status.value = done;
      reset();
    } catch (e) {
      problems.value = { form: formMessage(e instanceof Error ? e.message : String(e), { filters: "Filters" }) };
    } finally {
      busy.value = false;
    }
  }

  function submit(event: Event) {
    event.preventDefault();
    const name = label.value.trim();
    const found: { label?: string; column?: string } = {};
    if (!name) found.label = "Give the filter a label, such as “Region”";
    else if (name.length > 100) found.label = "Keep the label to 100 characters";
    else if (filters.value.some((f) => f.id !== editing.value && f.label.toLowerCase() === name.toLowerCase())) {
      found.label = `Another filter is called “${name}” already`;
    }
    if (!column.value) found.column = "Choose the column this filter narrows";
    problems.value = found;
    if (found.label || found.column) {
      (found.label ? labelField.current : document.getElementById("filter-column"))?.focus();
      return;
    }
    const taken = new Set(filters.value.filter((f) => f.id !== editing.value).map((f) => f.id));
    const old = filters.value.find((f) => f.id === editing.value);
    const filter: DashboardFilter = {
      id: old?.id ?? filterIdFor(name, taken),
      label: name,
      column: column.value,
      type: kind.value,
      // A default only stays while the filter keeps its kind: a date is no default for a number range.
      ...(old?.default !== undefined && old.type === kind.value ? { default: old.default } : {}),
    };
    const next = old ? filters.value.map((f) => f.id === old.id ? filter : f) : [...filters.value, filter];
    return store(next, old ? `Saved “${name}”` : `Added “${name}”`);
  }

  const kindLabel = (type: string) => FILTER_KINDS.find((k) => k.type === type)?.label ?? type;
  return (
    <section class="card filter-editor" aria-labelledby="filter-editor-title">
      <h2 id="filter-editor-title">Filters</h2>
      <p class="muted small">
        Viewers of the dashboard and its share links narrow every widget whose dataset has the filter's column.
      </p>
      {filters.value.length > 0 && (
        <ul class="filter-list">
          {filters.value.map((f) => (
            <li key={f.id}>
              <span>
                <strong>{f.label}</strong>{" "}
                <span class="muted small">{f.column} · {kindLabel(f.type).toLowerCase()}</span>
              </span>
              <span class="button-row">
                <button type="button" class="button small" disabled={busy.value} onClick={() => edit(f)}>
                  Edit
                </button>
                <button
                  type="button"
                  class="button small danger"
                  disabled={busy.value}
                  onClick={() => store(filters.value.filter((x) => x.id !== f.id), `Removed “${f.label}”`)}
                >
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {props.columns.length === 0
        ? <p class="muted">Add a widget from a dataset first: a filter narrows the columns of the widgets' datasets.</p>
        : (
          <form class="form form-grid" onSubmit={submit} noValidate>
            <label>
              Label
              <input
                ref={labelField}
                type="text"
                name="filter_label"
                value={label.value}
                maxLength={100}
                placeholder="Region"
                aria-invalid={problems.value.label ? "true" : undefined}
                aria-describedby={problems.value.label ? "filter-label-error" : undefined}
                onInput={(e) => label.value = e.currentTarget.value}
              />
              {problems.value.label && <span id="filter-label-error" class="field-error">{problems.value.label}</span>}
            </label>
            <label>
              Column
              <select
                id="filter-column"
                name="filter_column"
                value={column.value}
                aria-invalid={problems.value.column ? "true" : undefined}
                aria-describedby={problems.value.column ? "filter-column-error" : undefined}
                onChange={(e) => chooseColumn(e.currentTarget.value)}
              >
                <option value="">Choose a column</option>
                {props.columns.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
              </select>
              {problems.value.column && (
                <span id="filter-column-error" class="field-error">{problems.value.column}</span>
              )}
            </label>
            <label>
              Viewers pick
              <select
                name="filter_type"
                value={kind.value}
                onChange={(e) => kind.value = e.currentTarget.value as DashboardFilter["type"]}
              >
                {kinds.map((k) => <option key={k.type} value={k.type}>{k.label}</option>)}
              </select>
            </label>
            {problems.value.form && <p class="alert form-wide" role="alert">{problems.value.form}</p>}
            <div class="button-row form-wide">
              <button type="submit" class="button primary" disabled={busy.value}>
                {editing.value ? "Save filter" : "Add filter"}
              </button>
              {editing.value && <button type="button" class="button" onClick={reset}>Cancel</button>}
              <span class="muted small" aria-live="polite">{status.value}</span>
            </div>
          </form>
        )}
    </section>
  );
}

function PreviewSvg(props: { svg: string }) {
  // deno-lint-ignore react-no-danger -- the server's SVG, drawn by Vega, which escapes the text it draws
  return <div class="chart" dangerouslySetInnerHTML={{ __html: props.svg }} />;
}
