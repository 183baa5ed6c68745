/** The dashboard editor's filters card: what viewers of the dashboard and its share links can narrow by. */
import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import { formMessage } from "../form_errors.ts";
import type { DashboardFilter } from "../../functions/dashboards/schemas.ts";
import { api } from "./editor_api.ts";
import { isNumeric } from "../query_form.ts";

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
export function FilterEditor(
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
