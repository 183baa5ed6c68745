/**
 * The layout editor: drag to move and resize (gridstack does the dragging), add a widget with a
 * live preview drawn by the server as the query changes (components/dashboard/AddWidget.tsx),
 * remove one, undo the last layout change, and set the dashboard's filters (FilterEditor.tsx).
 * Every change is saved at once through the API; a refusal is shown as a sentence.
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { useRef } from "preact/hooks";
// Types only: gridstack's ES modules import without file extensions, which Deno cannot load, so the
// library is imported in the browser alone (a chunk of its own, fetched when the editor opens).
import type { GridStack, GridStackNode } from "gridstack";
import type { DashboardFilter } from "../functions/dashboards/schemas.ts";
import { api, sentence } from "../components/dashboard/editor_api.ts";
import { ChartSvg } from "../components/dashboard/ChartSvg.tsx";
import { AddWidget, type EditorSource } from "../components/dashboard/AddWidget.tsx";
import { FilterEditor } from "../components/dashboard/FilterEditor.tsx";

export type { EditorSource };

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

type Place = Pick<EditorWidget, "x" | "y" | "w" | "h">;

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
              {w.svg ? <ChartSvg svg={w.svg} /> : <p class="muted small">{w.summary ?? w.type}</p>}
            </div>
          </div>
        ))}
      </div>
      <AddWidget dashboardId={props.dashboardId} sources={props.sources} />
      <FilterEditor dashboardId={props.dashboardId} filters={props.filters} columns={props.filterColumns} />
    </div>
  );
}
