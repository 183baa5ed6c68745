/**
 * The editor's add-widget form, with a live preview the server draws as the query changes, or a
 * text widget's markdown (sanitized when the dashboard shows it). An incomplete query or empty text
 * is caught in the form, next to its field, before anything is sent; a refusal from the server is
 * shown once, as a sentence, and the form keeps what was typed.
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { useRef } from "preact/hooks";
import { BusyButton } from "../BusyButton.tsx";
import { api, sentence } from "./editor_api.ts";
import { ChartSvg } from "./ChartSvg.tsx";
import { MEASURE_FNS, measureColumns, NEEDS_COLUMN } from "../query_form.ts";

/** A dataset a widget can be made from, with its columns. */
export interface EditorSource {
  connector_id: string;
  connector: string;
  dataset: string;
  columns: { name: string; type: string }[];
}

const TYPES = ["bar", "line", "area", "pie", "scatter", "table", "metric", "text"] as const;
const MARKDOWN_CHARS = 20_000;
/** The add-widget form, with a preview the server draws as the choices change (complete ones only). */
export function AddWidget(props: { dashboardId: string; sources: EditorSource[] }) {
  // Without a dataset, text is the one widget there is to add.
  const type = useSignal<string>(props.sources.length ? "bar" : "text");
  const markdown = useSignal("");
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
  const textField = useRef<HTMLTextAreaElement>(null);
  const src = props.sources[source.value];

  const isText = type.value === "text";

  /** What the form still needs before it can be sent, said next to its field; null when complete. */
  const missing = (): string | null => {
    if (type.value === "text") return markdown.value.trim() ? null : "Write the text the widget shows.";
    return fn.value !== "count" && !column.value ? NEEDS_COLUMN[fn.value] : null;
  };

  const body = () =>
    type.value === "text"
      ? {
        type: "text",
        title: title.value || null,
        config: { markdown: markdown.value },
        position_x: 0,
        position_y: 1000,
        width: 6,
        height: 2,
      }
      : ({
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
    // Text is shown as written (sanitized markdown) once added; only charts have a server preview.
    if (!src || type.value === "text") {
      preview.value = null;
      return;
    }
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
      (type.value === "text" ? textField.current : ofField.current)?.focus();
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
          {TYPES.filter((t) => src || t === "text").map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </label>
      {!src && <p class="muted form-wide">Sync a connector to add charts and tables from its datasets.</p>}
      {isText && (
        <label class="form-wide">
          Text (Markdown: **bold**, lists, [links](https://example.com))
          <textarea
            ref={textField}
            rows={5}
            maxLength={MARKDOWN_CHARS}
            value={markdown.value}
            aria-invalid={need && tried.value ? "true" : undefined}
            aria-describedby={need && tried.value ? "add-widget-text-error" : undefined}
            onInput={(e) => markdown.value = e.currentTarget.value}
          />
          {need && tried.value && <span id="add-widget-text-error" class="field-error" role="alert">{need}</span>}
        </label>
      )}
      {src && !isText && (
        <>
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
                {measureColumns(fn.value, src.columns).map((c) => (
                  <option key={c.name} value={c.name}>{c.name}</option>
                ))}
              </select>
              {need && (
                <span id="add-widget-of-error" class="field-error" role={tried.value ? "alert" : undefined}>
                  {need}
                </span>
              )}
            </label>
          )}
        </>
      )}
      <div class="preview" aria-live="polite">
        {preview.value?.error && <p class="widget-error">{preview.value.error}</p>}
        {preview.value?.svg && <ChartSvg svg={preview.value.svg} />}
        {preview.value?.row_count !== undefined && <p class="muted small">{preview.value.row_count} rows</p>}
      </div>
      {error.value && <p class="alert form-wide" role="alert">{error.value}</p>}
      <div>
        <BusyButton type="submit" class="button primary" busy={adding.value} busyLabel="Adding…">Add widget</BusyButton>
      </div>
    </form>
  );
}
