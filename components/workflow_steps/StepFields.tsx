/**
 * The fields of one workflow step, drawn from its type's FieldSpecs (forms.ts): lines, code boxes,
 * JSON boxes, pickers for connectors, datasets and later steps, the query step's query form
 * (QueryFields, from the chosen dataset's columns), and the http step's header rows with a
 * "secret" toggle (a stored secret shows as saved, never its value). Each field's message,
 * if any, sits under it; what the user typed stays in the field.
 */
import type { JSX } from "preact";
import { FIELDS, type FieldSpec, type HeaderRow, SECRET_MASK, type StepForm, type StepTypeName } from "./forms.ts";
import type { QueryColumn } from "../query_form.ts";
import { QueryFields, QueryJsonNote } from "./QueryFields.tsx";
import { type Invalid, Select } from "./Select.tsx";

export interface Connector {
  id: string;
  name: string;
}

/** A synced dataset of a connector, as GET /api/connectors/:id/datasets lists it. */
export interface Dataset {
  name: string;
  columns: QueryColumn[];
}

/** What the fields need besides the form: where to pick from. */
export interface FieldContext {
  /** An id prefix unique to the step (for label and message ids). */
  uid: string;
  /** Connectors to pick from; null while loading, empty when there are none or they could not be listed. */
  connectors: Connector[] | null;
  /** Datasets of a connector: null while loading, undefined when not asked (no connector chosen). */
  datasets: (connectorId: string) => Dataset[] | null | undefined;
  /** The ids of the steps after this one (a condition may go to them). */
  laterSteps: string[];
}

interface Props extends FieldContext {
  type: StepTypeName;
  form: StepForm;
  errors: Record<string, string>;
  onChange: (form: StepForm) => void;
}

/** Every field of a step of `type`. */
export function StepFields(props: Props) {
  const set = (name: string, value: string) =>
    props.onChange({ ...props.form, fields: { ...props.form.fields, [name]: value } });
  return (
    <div class="step-fields">
      {FIELDS[props.type].map((spec) => {
        const error = props.errors[spec.name];
        const id = `${props.uid}-${spec.name}`;
        const described = [spec.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
        const invalid = {
          id,
          "aria-invalid": error ? "true" as const : undefined,
          "aria-describedby": described || undefined,
        };
        const message = error && <span id={`${id}-error`} class="field-error">{error}</span>;
        if (spec.kind === "query" && props.form.query) {
          return (
            <QueryFields
              key={spec.name}
              uid={id}
              rows={props.form.query}
              {...columnsOf(props)}
              errors={partErrors(props.errors, spec.name)}
              onChange={(query) => props.onChange({ ...props.form, query })}
            />
          );
        }
        if (spec.kind === "headers") {
          return (
            <fieldset
              key={spec.name}
              id={id}
              tabIndex={-1}
              class="step-field step-headers"
              aria-describedby={invalid["aria-describedby"]}
            >
              <legend>{spec.label}</legend>
              <Headers
                rows={props.form.headers}
                onChange={(headers) => props.onChange({ ...props.form, headers })}
              />
              {message}
            </fieldset>
          );
        }
        const size = spec.kind === "code" || spec.kind === "json" || spec.kind === "body" || spec.kind === "query"
          ? " wide"
          : spec.kind === "method"
          ? " narrow"
          : spec.name === "url"
          ? " grow"
          : "";
        return (
          <div key={spec.name} class={`step-field${size}`}>
            <div class="step-field-label">
              <label for={id}>{spec.label}</label>
              {spec.hint && <span id={`${id}-hint`} class="muted small">· {spec.hint}</span>}
            </div>
            {control(spec, props.form.fields[spec.name] ?? "", (v) => set(spec.name, v), invalid, props)}
            {message}
          </div>
        );
      })}
    </div>
  );
}

/** A query's messages by part ("limit", "filters.1"), "" for those on the query as a whole. */
function partErrors(errors: Record<string, string>, name: string): Record<string, string> {
  const parts = Object.entries(errors).filter(([field]) => field.startsWith(`${name}.`))
    .map(([field, text]) => [field.slice(name.length + 1), text]);
  return Object.fromEntries(errors[name] ? [...parts, ["", errors[name]]] : parts);
}

/** The chosen dataset's columns, or a note saying why there are none to pick from. */
function columnsOf(ctx: Props): { columns?: QueryColumn[]; note?: string } {
  const { connector_id = "", dataset = "" } = ctx.form.fields;
  const list = ctx.datasets(connector_id);
  if (!connector_id || !dataset) return { note: "Choose a dataset to pick from its columns." };
  if (list === null) return { note: "Loading the dataset's columns…" };
  const columns = list?.find((d) => d.name === dataset)?.columns;
  return columns ? { columns } : { note: "The dataset's columns are not listed: type their names." };
}

function control(spec: FieldSpec, value: string, set: (v: string) => void, attrs: Invalid, ctx: Props): JSX.Element {
  const onInput = (e: { currentTarget: { value: string } }) => set(e.currentTarget.value);
  switch (spec.kind) {
    case "query":
      return (
        <>
          {control({ ...spec, kind: "json" }, value, set, attrs, ctx)}
          <QueryJsonNote
            text={value}
            onRows={(query) => ctx.onChange({ ...ctx.form, query, fields: { ...ctx.form.fields, query: "" } })}
          />
        </>
      );
    case "code":
    case "json":
    case "body":
      return (
        <textarea
          {...attrs}
          class="code"
          rows={Math.min(12, Math.max(spec.kind === "code" ? 2 : 3, value.split("\n").length))}
          spellcheck={false}
          value={value}
          onInput={onInput}
          placeholder={spec.placeholder}
        />
      );
    case "method":
      return <Select attrs={attrs} value={value} set={set} options={["GET", "POST", "PUT", "PATCH", "DELETE"]} />;
    case "artifact-type":
      return <Select attrs={attrs} value={value} set={set} options={["document", "table", "chart"]} />;
    case "target":
      return (
        <Select
          attrs={attrs}
          value={value}
          set={set}
          options={[["", "the next step"], ...ctx.laterSteps.map((s) => [s, `step “${s}”`]), ["end", "end the run"]]}
        />
      );
    case "connector":
      if (!ctx.connectors) return <Select attrs={attrs} value="" set={set} options={[["", "Loading connectors…"]]} />;
      if (!ctx.connectors.length) {
        return <input {...attrs} type="text" value={value} onInput={onInput} placeholder="No connectors yet: an id" />;
      }
      return (
        <Select
          attrs={attrs}
          value={value}
          set={set}
          options={[["", "Choose a connector"], ...ctx.connectors.map((c) => [c.id, c.name])]}
        />
      );
    case "dataset": {
      const list = ctx.datasets(ctx.form.fields.connector_id ?? "");
      if (list === null) return <Select attrs={attrs} value="" set={set} options={[["", "Loading datasets…"]]} />;
      const names = list?.map((d) => d.name);
      if (!names?.length) return <input {...attrs} type="text" value={value} onInput={onInput} />;
      return <Select attrs={attrs} value={value} set={set} options={[["", "Choose a dataset"], ...names]} />;
    }
    default:
      return <input {...attrs} type="text" value={value} onInput={onInput} placeholder={spec.placeholder} />;
  }
}

/** Header rows: name, value, and whether the value is a secret (sealed on the server). */
function Headers(props: { rows: HeaderRow[]; onChange: (rows: HeaderRow[]) => void }) {
  const change = (index: number, row: Partial<HeaderRow>) =>
    props.onChange(props.rows.map((r, i) => (i === index ? { ...r, ...row } : r)));
  return (
    <>
      {props.rows.map((row, index) => {
        const kept = row.secret && row.stored && row.value === SECRET_MASK;
        const n = index + 1;
        return (
          <div class="header-row" key={index} data-testid="header-row">
            <input
              type="text"
              aria-label={`Header ${n} name`}
              placeholder="Name"
              value={row.name}
              onInput={(e) => change(index, { name: e.currentTarget.value })}
            />
            <input
              type={row.secret ? "password" : "text"}
              aria-label={`Header ${n} value`}
              placeholder={kept ? "Saved (hidden)" : "Value"}
              title={kept ? "Saved and hidden: type a new value to replace it" : undefined}
              autocomplete="off"
              value={kept ? "" : row.value}
              onInput={(e) => {
                const value = e.currentTarget.value;
                change(index, { value: !value && row.stored && row.secret ? SECRET_MASK : value });
              }}
            />
            <label class="check">
              <input
                type="checkbox"
                checked={row.secret}
                onChange={(e) => {
                  const secret = e.currentTarget.checked;
                  // A stored secret's value cannot come back: made plain, it must be typed again.
                  const value = secret
                    ? (row.stored && !row.value ? SECRET_MASK : row.value)
                    : (row.value === SECRET_MASK ? "" : row.value);
                  change(index, { secret, value });
                }}
              />
              Secret
            </label>
            <button
              type="button"
              class="button small"
              aria-label={`Remove header ${n}`}
              onClick={() => props.onChange(props.rows.filter((_, i) => i !== index))}
            >
              ✕
            </button>
          </div>
        );
      })}
      <button
        type="button"
        class="button small"
        onClick={() => props.onChange([...props.rows, { name: "", value: "", secret: false, stored: false }])}
      >
        Add header
      </button>
    </>
  );
}
