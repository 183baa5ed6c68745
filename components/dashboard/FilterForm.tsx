/**
 * A dashboard's filters as a plain GET form (`?f.<id>=`), so filtering works with JavaScript off.
 * Locked filters (a share link's) are shown as fixed text, not fields; a refused value is shown
 * with the sentence that says why, and the field keeps what was typed.
 */
import type { DashboardFilter } from "../../functions/dashboards/schemas.ts";
import type { FilterValues } from "../../functions/dashboards/filters.ts";
import { asSentence } from "../format.ts";

function split(value: string | undefined): [string, string] {
  if (!value) return ["", ""];
  const at = value.indexOf("..");
  return at < 0 ? [value, value] : [value.slice(0, at), value.slice(at + 2)];
}

export function FilterForm(props: {
  filters: DashboardFilter[];
  values: FilterValues;
  locked?: FilterValues;
  options: Record<string, string[]>;
  error?: string;
  action: string;
}) {
  const locked = props.locked ?? {};
  const open = props.filters.filter((f) => !(f.id in locked));
  const fixed = props.filters.filter((f) => f.id in locked);
  if (props.filters.length === 0) return null;
  return (
    <form class="filter-form" method="get" action={props.action} role="search" aria-label="Dashboard filters">
      {fixed.map((f) => (
        <p class="filter-fixed" key={f.id}>
          <span class="muted">{f.label}:</span> <strong>{locked[f.id]}</strong>
        </p>
      ))}
      {open.map((f) => {
        const value = props.values[f.id];
        if (f.type === "select") {
          const options = props.options[f.id] ?? [];
          return (
            <label key={f.id} class="filter-field">
              <span>{f.label}</span>
              <select name={`f.${f.id}`}>
                <option value="">All</option>
                {value && !options.includes(value) && <option value={value} selected>{value}</option>}
                {options.map((o) => <option key={o} value={o} selected={o === value}>{o}</option>)}
              </select>
            </label>
          );
        }
        const [from, to] = split(value);
        // Numbers are typed as text, so a refused value stays in its box to be corrected (a number
        // box would show it empty); the server checks them.
        const input = f.type === "date_range" ? { type: "date" } : { type: "text", inputMode: "decimal" as const };
        return (
          <fieldset key={f.id} class="filter-field filter-range">
            <legend>{f.label}</legend>
            <input {...input} name={`f.${f.id}.from`} value={from} aria-label={`${f.label} from`} />
            <span aria-hidden="true">–</span>
            <input {...input} name={`f.${f.id}.to`} value={to} aria-label={`${f.label} to`} />
          </fieldset>
        );
      })}
      {open.length > 0 && <button type="submit" class="button">Apply</button>}
      {open.length > 0 && <a class="button ghost" href={props.action}>Reset</a>}
      {props.error && (
        <p class="form-error" role="alert">{asSentence(props.error)} The dashboard is shown without that filter.</p>
      )}
    </form>
  );
}
