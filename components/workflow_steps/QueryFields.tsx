/**
 * A query step's structured query as a form: columns to group by, measures (an aggregate and its
 * column), filters (column, comparison, value), sorts and a limit, picked from the chosen
 * dataset's columns (typed when they are not known). Each row's message sits under it. A query the
 * rows cannot hold exactly (query_form.ts rowsOf) is edited as JSON instead: QueryJsonNote.
 */
import {
  FILTER_OPS,
  MEASURE_FNS,
  measureColumns,
  type QueryColumn,
  type QueryRows,
  rowsOf,
  sortNames,
  takesOf,
} from "../query_form.ts";
import { type Invalid, Select } from "./Select.tsx";
import type { JSX } from "preact";

interface Props {
  /** The fieldset's id; a row's control is `<uid>.<part>.<n>` (`step-3-query.filters.1`), the limit's `<uid>.limit`. */
  uid: string;
  rows: QueryRows;
  /** The dataset's columns; undefined when they are not known (no dataset chosen, or not listed): then typed. */
  columns?: QueryColumn[];
  /** Says why the columns are not offered, when they are not. */
  note?: string;
  /** Messages by part (`limit`, `filters.1`), "" for the query as a whole. */
  errors: Record<string, string>;
  onChange: (rows: QueryRows) => void;
}

/** The query's rows, in the order the query is read: group, measure, filter, sort, limit. */
export function QueryFields(props: Props) {
  const { rows, columns, uid, errors } = props;
  const set = <K extends keyof QueryRows>(key: K, value: QueryRows[K]) => props.onChange({ ...rows, [key]: value });
  const names = columns?.map((c) => c.name);
  const limitError = errors.limit;
  return (
    <fieldset id={uid} tabIndex={-1} class="step-field step-query">
      <legend>Query</legend>
      {props.note && <p class="muted small query-note">{props.note}</p>}
      <Part
        uid={uid}
        part="dimensions"
        title="Group by"
        noun="column"
        errors={errors}
        rows={rows.dimensions}
        blank=""
        set={(v) => set("dimensions", v)}
        row={(column, change, n, attrs) => (
          <Column
            attrs={{ ...attrs, "aria-label": `Group by column ${n}` }}
            names={names}
            value={column}
            set={change}
          />
        )}
      />
      <Part
        uid={uid}
        part="measures"
        title="Measures"
        noun="measure"
        errors={errors}
        rows={rows.measures}
        blank={{ fn: "count", column: "" }}
        set={(v) => set("measures", v)}
        row={(m, change, n, attrs) => (
          <>
            <Select
              attrs={{ "aria-label": `Measure ${n} function` }}
              value={m.fn}
              options={MEASURE_FNS}
              set={(fn) => {
                const fits = !columns || !m.column || measureColumns(fn, columns).some((c) => c.name === m.column);
                change({ fn, column: fits ? m.column : "" });
              }}
            />
            <Column
              attrs={{ ...attrs, "aria-label": `Measure ${n} column` }}
              names={columns && measureColumns(m.fn, columns).map((c) => c.name)}
              value={m.column}
              none={m.fn === "count" ? "of all rows" : undefined}
              set={(column) => change({ ...m, column })}
            />
          </>
        )}
      />
      <Part
        uid={uid}
        part="filters"
        title="Filters"
        noun="filter"
        errors={errors}
        rows={rows.filters}
        blank={{ column: "", op: "eq", value: "" }}
        set={(v) => set("filters", v)}
        row={(f, change, n, attrs) => {
          const takes = takesOf(f.op);
          return (
            <>
              <Column
                attrs={takes === "none"
                  ? { ...attrs, "aria-label": `Filter ${n} column` }
                  : { "aria-label": `Filter ${n} column` }}
                names={names}
                value={f.column}
                set={(column) => change({ ...f, column })}
              />
              <Select
                attrs={{ "aria-label": `Filter ${n} comparison` }}
                value={f.op}
                options={FILTER_OPS.map((o) => [o.op, o.words])}
                set={(op) => change({ ...f, op })}
              />
              {takes !== "none" && (
                <input
                  {...attrs}
                  type="text"
                  aria-label={`Filter ${n} value`}
                  value={f.value}
                  placeholder={takes === "list" ? "East, West" : takes === "two" ? "from, to" : "value"}
                  onInput={(e) => change({ ...f, value: e.currentTarget.value })}
                />
              )}
            </>
          );
        }}
      />
      <Part
        uid={uid}
        part="order_by"
        title="Sort"
        noun="sort"
        errors={errors}
        rows={rows.order}
        blank={{ column: "", dir: "asc" as const }}
        set={(v) => set("order", v)}
        row={(o, change, n, attrs) => (
          <>
            <Column
              attrs={{ ...attrs, "aria-label": `Sort ${n} by` }}
              names={columns && sortNames(rows, columns)}
              value={o.column}
              set={(column) => change({ ...o, column })}
            />
            <Select
              attrs={{ "aria-label": `Sort ${n} order` }}
              value={o.dir}
              options={[["asc", "ascending"], ["desc", "descending"]]}
              set={(dir) => change({ ...o, dir: dir === "desc" ? "desc" : "asc" })}
            />
          </>
        )}
      />
      <div class="query-limit">
        <label for={`${uid}.limit`}>Limit</label>
        <input
          id={`${uid}.limit`}
          type="text"
          inputMode="numeric"
          size={7}
          value={rows.limit}
          placeholder="1000"
          aria-invalid={limitError ? "true" : undefined}
          aria-describedby={`${uid}.limit-hint${limitError ? ` ${uid}.limit-error` : ""}`}
          onInput={(e) => set("limit", e.currentTarget.value)}
        />
        <span id={`${uid}.limit-hint`} class="muted small">rows, at most 10,000</span>
        {limitError && <span id={`${uid}.limit-error`} class="field-error">{limitError}</span>}
      </div>
      {errors[""] && <span class="field-error">{errors[""]}</span>}
    </fieldset>
  );
}

/**
 * One repeated part of the query: its rows, each with a remove button and its message, and a
 * button to add one. `attrs` carry the row's id and message wiring to the control that needs it.
 */
function Part<T>(props: {
  uid: string;
  part: string;
  title: string;
  noun: string;
  rows: T[];
  blank: T;
  errors: Record<string, string>;
  set: (rows: T[]) => void;
  row: (item: T, change: (item: T) => void, n: number, attrs: Invalid) => JSX.Element;
}) {
  const { rows, part, noun } = props;
  return (
    <fieldset class="query-part">
      <legend>{props.title}</legend>
      {rows.map((item, i) => {
        const id = `${props.uid}.${part}.${i}`;
        const error = props.errors[`${part}.${i}`];
        const attrs: Invalid = {
          id,
          "aria-invalid": error ? "true" : undefined,
          "aria-describedby": error ? `${id}-error` : undefined,
        };
        const change = (next: T) => props.set(rows.map((r, j) => (j === i ? next : r)));
        return (
          <div key={i} class="query-row" data-testid={`query-${part}`}>
            <div class="query-controls">{props.row(item, change, i + 1, attrs)}</div>
            <button
              type="button"
              class="button small"
              aria-label={`Remove ${noun} ${i + 1}`}
              onClick={() => props.set(rows.filter((_, j) => j !== i))}
            >
              ✕
            </button>
            {error && <span id={`${id}-error`} class="field-error">{error}</span>}
          </div>
        );
      })}
      <button type="button" class="button small" onClick={() => props.set([...rows, props.blank])}>
        Add {noun}
      </button>
    </fieldset>
  );
}

/** A column: picked from `names` when they are known, else typed. `none` names the empty choice when it is one. */
function Column(
  props: {
    attrs: Invalid & { "aria-label": string };
    names: string[] | undefined;
    value: string;
    set: (v: string) => void;
    none?: string;
  },
) {
  if (!props.names) {
    return (
      <input
        {...props.attrs}
        type="text"
        value={props.value}
        placeholder={props.none ?? "column"}
        onInput={(e) => props.set(e.currentTarget.value)}
      />
    );
  }
  return (
    <Select
      attrs={props.attrs}
      value={props.value}
      set={props.set}
      options={[["", props.none ?? "Choose a column"], ...props.names]}
    />
  );
}

/**
 * Under the JSON box of a query the rows cannot hold: why it is JSON, and once the JSON can be
 * rows (the parts they cannot hold were taken out), a button to go back to them.
 */
export function QueryJsonNote(props: { text: string; onRows: (rows: QueryRows) => void }) {
  let rows: QueryRows | undefined;
  try {
    rows = rowsOf(props.text.trim() ? JSON.parse(props.text) : {});
  } catch {
    rows = undefined;
  }
  return (
    <p class="muted small query-note">
      {rows
        ? "The form can show this query now. "
        : "This query has parts the form cannot show (such as date buckets or named measures), so it is edited as JSON: dimensions, measures, filters, order_by, limit. "}
      {rows && (
        <button type="button" class="button small" onClick={() => props.onRows(rows)}>
          Edit with the form
        </button>
      )}
    </p>
  );
}
