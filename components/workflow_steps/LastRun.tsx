/**
 * A step's last output and input (from its latest finished run), folded away until opened: text
 * shows as text, anything else as indented JSON, each in a box that scrolls inside itself.
 */

export interface LastRunData {
  input: unknown;
  output: unknown;
  error: string | null;
  status: string;
}

function Value(props: { label: string; value: unknown }) {
  const text = typeof props.value === "string" ? props.value : JSON.stringify(props.value ?? null, null, 2);
  return (
    <div class="last-run-value">
      <p class="small muted">{props.label}</p>
      <pre class="json">{text}</pre>
    </div>
  );
}

/** The collapsible last run of one step, or a line saying it has not run. */
export function LastRun(props: { run: LastRunData | undefined }) {
  const run = props.run;
  if (!run) return <p class="small muted last-run-none">Not run yet: its last input and output will show here.</p>;
  return (
    <details class="last-run" data-testid="last-run">
      <summary>Last run: {run.status}</summary>
      {run.error && <p class="alert">{run.error}</p>}
      <div class="last-run-values">
        <Value label="Output" value={run.output} />
        <Value label="Input" value={run.input} />
      </div>
    </details>
  );
}
