/**
 * A query result as a table (server pages and islands alike): a header per column with its type
 * beneath the name (or, for a dashboard's readers, `headings` alone: "sum of amount", no types),
 * numbers right-aligned, at most `limit` rows. Long values are cut to
 * CELL_CHARS with an ellipsis (the full value is in the download): one 2 MB cell must not make a
 * page 2 MB. The table scrolls sideways inside its own box, never the page.
 */

import { plainNumber } from "../lib/number_text.ts";

/** Characters a cell shows before it is cut. */
export const CELL_CHARS = 200;

const NUMERIC = new Set(["integer", "number", "decimal", "bigint", "float", "numeric"]);

/** A value as a cell shows it: numbers without an exponent, cut with "…" past `max` characters. */
export function cellText(value: unknown, max = CELL_CHARS): string {
  const text = typeof value === "string"
    ? value
    : typeof value === "number"
    ? plainNumber(value)
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  return text.length > max ? text.slice(0, max) + "…" : text;
}

export function ResultTable(
  props: {
    columns: { name: string; type?: string }[];
    rows: unknown[][];
    limit?: number;
    class?: string;
    headings?: string[];
  },
) {
  const shown = props.limit === undefined ? props.rows : props.rows.slice(0, props.limit);
  const numeric = props.columns.map((c) => NUMERIC.has(c.type ?? ""));
  return (
    <div class="table-wrap">
      <table class={props.class ? `table ${props.class}` : "table"}>
        <thead>
          <tr>
            {props.columns.map((c, i) => (
              <th key={c.name} class={numeric[i] ? "num" : undefined} scope="col">
                <span class="col-name">{props.headings?.[i] ?? c.name}</span>
                {c.type && !props.headings && <span class="col-type">{c.type}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, r) => (
            <tr key={r}>
              {row.map((value, i) => (
                <td key={i} class={numeric[i] ? "num" : undefined}>
                  {value === null || value === undefined ? <span class="muted">null</span> : cellText(value)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length < props.rows.length && (
        <p class="muted small">Showing {shown.length} of {props.rows.length} rows; the CSV download has them all.</p>
      )}
    </div>
  );
}
