/** A query result as a table (server pages and islands alike): a header per column, at most `limit` rows. */
export function ResultTable(
  props: { columns: { name: string; type?: string }[]; rows: unknown[][]; limit?: number; class?: string },
) {
  const shown = props.limit === undefined ? props.rows : props.rows.slice(0, props.limit);
  return (
    <div class="table-wrap">
      <table class={props.class ? `table ${props.class}` : "table"}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.name}>
                {c.name} {c.type && <span class="muted small">{c.type}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, r) => (
            <tr key={r}>
              {row.map((value, i) => <td key={i}>{value === null ? <span class="muted">null</span> : String(value)}
              </td>)}
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
