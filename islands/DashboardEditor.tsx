/**
 * The layout editor: drag to move and resize (gridstack does the dragging), add a widget with a
 * live preview drawn by the server as the query changes, remove one, and undo the last layout
 * change. Every change is saved at once through the API; refusals show the server's sentence.
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { BusyButton } from "../components/BusyButton.tsx";
import { useRef } from "preact/hooks";
// Types only: gridstack's ES modules import without file extensions, which Deno cannot load, so the
// library is imported in the browser alone (a chunk of its own, fetched when the editor opens).
import type { GridStack, GridStackNode } from "gridstack";

export interface EditorWidget {
  id: string;
  title: string;
  type: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface EditorSource {
  connector_id: string;
  connector: string;
  dataset: string;
  columns: { name: string; type: string }[];
}

type Place = Pick<EditorWidget, "x" | "y" | "w" | "h">;
const TYPES = ["bar", "line", "area", "pie", "scatter", "table", "metric"] as const;
const FNS = ["count", "count_distinct", "sum", "avg", "min", "max"] as const;

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

export default function DashboardEditor(
  props: { dashboardId: string; widgets: EditorWidget[]; sources: EditorSource[] },
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
      error.value = e instanceof Error ? e.message : String(e);
      status.value = null;
    }
  }

  useSignalEffect(() => {
    if (!gridEl.current) return;
    let g: GridStack | null = null;
    let gone = false;
    import("gridstack").then(({ GridStack }) => {
      if (gone || !gridEl.current) return;
      g = GridStack.init(
        { column: 12, cellHeight: 80, margin: 6, columnOpts: { breakpoints: [{ w: 700, c: 1 }] } },
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
      error.value = e instanceof Error ? e.message : String(e);
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
              <p class="muted small">{w.type}</p>
            </div>
          </div>
        ))}
      </div>
      <AddWidget dashboardId={props.dashboardId} sources={props.sources} />
    </div>
  );
}

/** The add-widget form, with a preview the server draws as the choices change. */
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
  const src = props.sources[source.value];

  const body = () => ({
    type: type.value,
    title: title.value || null,
    connector_id: src?.connector_id,
    dataset: src?.dataset,
    data_query: {
      dimensions: type.value === "metric" || !dimension.value ? [] : [dimension.value],
      measures: [{ fn: fn.value, ...(fn.value === "count" ? {} : { column: column.value }), as: "value" }],
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
    const timer = setTimeout(() => {
      api(`/api/dashboards/${props.dashboardId}/preview`, "POST", JSON.parse(payload))
        .then((p) => {
          preview.value = p as typeof preview.value;
          error.value = null;
        })
        .catch((e) => preview.value = { error: e instanceof Error ? e.message : String(e) });
    }, 250);
    return () => clearTimeout(timer);
  });

  async function add(event: Event) {
    event.preventDefault();
    if (adding.value) return;
    adding.value = true;
    try {
      await api(`/api/dashboards/${props.dashboardId}/widgets`, "POST", body());
      location.reload(); // busy until the page comes back with the widget
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
      adding.value = false;
    }
  }

  if (!src) return <p class="muted">Sync a connector to add charts from its datasets.</p>;
  const numeric = src.columns.filter((c) => ["integer", "number", "decimal"].includes(c.type));
  return (
    <form class="card form form-grid add-widget" onSubmit={add}>
      <h2>Add a widget</h2>
      {error.value && <p class="alert" role="alert">{error.value}</p>}
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
        <select value={source.value} onChange={(e) => source.value = Number(e.currentTarget.value)}>
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
          {FNS.map((f) => <option key={f} value={f}>{f}</option>)}
        </select>
      </label>
      {fn.value !== "count" && (
        <label>
          Of
          <select value={column.value} onChange={(e) => column.value = e.currentTarget.value}>
            <option value="">Choose a column</option>
            {(fn.value === "sum" || fn.value === "avg" ? numeric : src.columns).map((c) => (
              <option key={c.name} value={c.name}>{c.name}</option>
            ))}
          </select>
        </label>
      )}
      <div class="preview" aria-live="polite">
        {preview.value?.error && <p class="widget-error">{preview.value.error}</p>}
        {preview.value?.svg && <PreviewSvg svg={preview.value.svg} />}
        {preview.value?.row_count !== undefined && <p class="muted small">{preview.value.row_count} rows</p>}
      </div>
      <div>
        <BusyButton type="submit" class="button primary" busy={adding.value} busyLabel="Adding…">Add widget</BusyButton>
      </div>
    </form>
  );
}

function PreviewSvg(props: { svg: string }) {
  // deno-lint-ignore react-no-danger -- the server's SVG, drawn by Vega, which escapes the text it draws
  return <div class="chart" dangerouslySetInnerHTML={{ __html: props.svg }} />;
}
