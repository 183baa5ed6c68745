/**
 * The layout editor: drag to move and resize (gridstack does the dragging), add a widget with a
 * live preview drawn by the server as the query changes (components/dashboard/AddWidget.tsx),
 * remove one (after the app's confirmation dialog), undo the last change (a move, a resize or a
 * removal: a removed widget is added again as it was, and the page reloads to draw it), and set the
 * dashboard's filters (FilterEditor.tsx). Every change is saved at once through the API; a
 * refusal is shown as a sentence. Where the dashboard shows one column (a phone), the editor shows
 * the widgets as the dashboard does there, stacked in reading order with their phone drawings,
 * and says that arranging them works on a wider screen; remove, add and filters still work.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
// Types only: gridstack's ES modules import without file extensions, which Deno cannot load, so the
// library is imported in the browser alone (a chunk of its own, fetched when the editor opens).
import type { GridStack, GridStackNode } from "gridstack";
import type { DashboardFilter } from "../functions/dashboards/schemas.ts";
import { api, sentence } from "../components/dashboard/editor_api.ts";
import { ChartSvg } from "../components/dashboard/ChartSvg.tsx";
import { AddWidget, type EditorSource } from "../components/dashboard/AddWidget.tsx";
import { FilterEditor } from "../components/dashboard/FilterEditor.tsx";
import { removeWidget } from "../components/confirm_builders_widget.ts";
import ConfirmButton from "./ConfirmButton.tsx";

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
  /** A wide chart drawn again at a phone's width, as the dashboard shows it on a phone. */
  phoneSvg?: string;
  /** What the tile says instead of a chart: a metric's value, a table's size, an error. */
  summary?: string;
}

type Place = Pick<EditorWidget, "x" | "y" | "w" | "h">;

/** What Undo takes back: widgets' places before a move, or a removed widget's definition. */
type Undoable = { places: Map<string, Place> } | { removed: Record<string, unknown>; name: string };

/** Where Undo leaves its sentence across the reload that draws a restored widget. */
const RESTORED_KEY = "dashboard-editor-status";

/** The fields of a widget (GET /api/dashboards/:id) that POST …/widgets takes to make it again. */
const DEFINITION = [
  "type",
  "title",
  "connector_id",
  "dataset",
  "data_query",
  "config",
  "position_x",
  "position_y",
  "width",
  "height",
];

/** Where the dashboard shows one column of widgets (static/styles.css, `.dashboard-grid`). */
const ONE_COLUMN = "(max-width: 760px)";

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
  const widgets = useSignal(props.widgets);
  const places = useRef(new Map(props.widgets.map((w) => [w.id, { x: w.x, y: w.y, w: w.w, h: w.h } as Place])));
  const undo = useSignal<Undoable | null>(null);
  const status = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  // Known once in the browser; the server draws the grid.
  const narrow = useSignal(false);

  useEffect(() => {
    const restored = sessionStorage.getItem(RESTORED_KEY);
    if (restored) {
      sessionStorage.removeItem(RESTORED_KEY);
      status.value = restored;
    }
    const query = matchMedia(ONE_COLUMN);
    const follow = () => narrow.value = query.matches;
    follow();
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, []);

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

  // Gridstack runs on the grid, which is drawn only where the dashboard has columns (not loaded on a phone).
  useEffect(() => {
    if (narrow.value || matchMedia(ONE_COLUMN).matches || !gridEl.current) return;
    let g: GridStack | null = null;
    let gone = false;
    import("gridstack").then(({ GridStack }) => {
      if (gone || !gridEl.current) return;
      // The dashboard page's geometry (functions/dashboards/render.ts chartSize): rows 80 px with
      // 12 px gaps. Gridstack puts the gap inside a row (a 6 px margin each side), so a row here is
      // 92 px and a tile is as tall as its cell there: its chart is shown at the size it was drawn.
      // A press on Remove or in its dialog (both inside the tile) is a click, not a drag.
      g = GridStack.init(
        { column: 12, cellHeight: 92, margin: 6, draggable: { cancel: "a, dialog" } },
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
      grid.current = null;
    };
  }, [narrow.value]);

  /**
   * Saves the places of `nodes` that moved since they were saved, and returns where those were.
   * Gridstack's own "change" event misses moves made by update() in a batch (an undo), so undo
   * reads the grid's nodes itself.
   */
  function record(nodes: GridStackNode[]): Map<string, Place> {
    const before = new Map<string, Place>();
    const after = new Map<string, Place>();
    for (const n of nodes) {
      const id = String(n.id);
      const next = { x: n.x ?? 0, y: n.y ?? 0, w: n.w ?? 1, h: n.h ?? 1 };
      const old = places.current.get(id);
      if (old && old.x === next.x && old.y === next.y && old.w === next.w && old.h === next.h) continue;
      if (old) before.set(id, old);
      after.set(id, next);
      places.current.set(id, next);
    }
    if (after.size) void save(after);
    return before;
  }

  function listen(g: GridStack) {
    g.on("change", (_event: Event, nodes: GridStackNode[]) => {
      const before = record(nodes);
      if (before.size) undo.value = { places: before };
    });
  }

  async function undoLast() {
    const undoable = undo.value;
    if (!undoable) return;
    undo.value = null;
    if ("removed" in undoable) {
      error.value = null;
      status.value = "Adding it back…";
      try {
        await api(`/api/dashboards/${props.dashboardId}/widgets`, "POST", undoable.removed);
      } catch (e) {
        error.value = sentence(e);
        status.value = null;
        undo.value = undoable;
        return;
      }
      // The server draws the widget's chart; the page shows it when it loads again, and says so.
      sessionStorage.setItem(RESTORED_KEY, `Added “${undoable.name}” back`);
      location.reload();
      return;
    }
    const last = undoable.places;
    const g = grid.current;
    if (!g) {
      // No grid on a phone: the places are saved as they were, and the grid shows them when it is back.
      for (const [id, p] of last) places.current.set(id, p);
      void save(last);
    } else {
      g.batchUpdate();
      for (const [id, p] of last) {
        const el = gridEl.current?.querySelector<HTMLElement>(`[gs-id="${id}"]`);
        if (el) g.update(el, p);
      }
      g.batchUpdate(false);
      record(g.engine.nodes);
    }
  }

  /** Removes a widget the user confirmed removing, keeping its definition so Undo can add it back. */
  async function remove(w: EditorWidget) {
    error.value = null;
    status.value = "Removing…";
    let removed: Record<string, unknown> | undefined;
    try {
      const dashboard = await api(`/api/dashboards/${props.dashboardId}`, "GET") as {
        widgets: Record<string, unknown>[];
      };
      const stored = dashboard.widgets.find((x) => x.id === w.id);
      removed = stored && Object.fromEntries(DEFINITION.filter((k) => stored[k] != null).map((k) => [k, stored[k]]));
      await api(`/api/widgets/${w.id}`, "DELETE");
    } catch (e) {
      error.value = sentence(e);
      status.value = null;
      return;
    }
    // Gridstack lets go of the tile first (quietly: no layout change to save or undo), then Preact removes it.
    const el = gridEl.current?.querySelector<HTMLElement>(`[gs-id="${w.id}"]`);
    if (el) grid.current?.removeWidget(el, false, false);
    places.current.delete(w.id);
    widgets.value = widgets.value.filter((x) => x.id !== w.id);
    if (removed) undo.value = { removed, name: nameOf(w) };
    status.value = `Removed “${nameOf(w)}”`;
  }

  const header = (w: EditorWidget) => (
    <header class="widget-header">
      <h2>{nameOf(w)}</h2>
      <ConfirmButton
        label="Remove"
        class="button small danger"
        testId="remove-widget"
        confirmation={removeWidget({ id: w.id, dashboardId: props.dashboardId, title: nameOf(w) })}
        onConfirm={() => void remove(w)}
      />
    </header>
  );
  const summary = (w: EditorWidget) => <p class="muted small">{w.summary ?? w.type}</p>;

  return (
    <div class="dashboard-editor">
      {narrow.value && (
        // The page's header says how to drag on wider screens (and hides that here, by the same width).
        <p class="muted editor-hint">
          The widgets in the order a phone shows them. Moving and resizing them works on a wider screen; here you can
          remove widgets, add them and set the filters.
        </p>
      )}
      <div class="editor-bar">
        <button type="button" class="button" disabled={!undo.value} onClick={() => void undoLast()}>
          Undo last change
        </button>
        <span class="muted small" aria-live="polite">{status.value}</span>
        <a class="button" href={`/dashboards/${props.dashboardId}`}>Done</a>
      </div>
      {error.value && <p class="alert" role="alert">{error.value}</p>}
      {narrow.value
        ? (
          // As the dashboard page draws a phone's column (components/dashboard/DashboardGrid.tsx).
          <div class="dashboard-grid editor-stack" data-testid="editor-stack">
            {readingOrder(widgets.value, places.current).map((w) => (
              <article key={w.id} class="widget" data-widget-id={w.id}>
                {header(w)}
                <div class="widget-body">
                  {w.svg
                    ? (
                      <>
                        <ChartSvg class={w.phoneSvg ? "chart chart-wide" : "chart"} svg={w.svg} />
                        {w.phoneSvg && <ChartSvg class="chart chart-phone" svg={w.phoneSvg} />}
                      </>
                    )
                    : summary(w)}
                </div>
              </article>
            ))}
          </div>
        )
        : (
          <div class="grid-stack" ref={gridEl}>
            {widgets.value.map((w) => {
              const p = places.current.get(w.id) ?? w;
              return (
                <div key={w.id} class="grid-stack-item" gs-id={w.id} gs-x={p.x} gs-y={p.y} gs-w={p.w} gs-h={p.h}>
                  <div class="grid-stack-item-content widget">
                    {header(w)}
                    {w.svg ? <ChartSvg svg={w.svg} /> : summary(w)}
                  </div>
                </div>
              );
            })}
          </div>
        )}
      <AddWidget dashboardId={props.dashboardId} sources={props.sources} />
      <FilterEditor dashboardId={props.dashboardId} filters={props.filters} columns={props.filterColumns} />
    </div>
  );
}

/** A widget's name as its tile shows it: its title, else its type. */
const nameOf = (w: EditorWidget) => w.title || w.type;

/** The widgets as the dashboard lists them (top to bottom, then left to right), at their latest places. */
function readingOrder(widgets: EditorWidget[], places: Map<string, Place>): EditorWidget[] {
  const at = (w: EditorWidget) => places.get(w.id) ?? w;
  return [...widgets].sort((a, b) => at(a).y - at(b).y || at(a).x - at(b).x);
}
