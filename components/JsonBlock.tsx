/** A JSON value as people read it: pretty-printed, wrapped, scrolling within its own box, with a Copy button. */
import CopyButton from "../islands/CopyButton.tsx";

export function JsonBlock(props: { value: unknown; label: string; testId?: string }) {
  const text = JSON.stringify(props.value, null, 2) ?? "null";
  return (
    <div class="json-block" data-testid={props.testId}>
      <pre class="json" aria-label={props.label} tabIndex={0}>{text}</pre>
      <CopyButton value={text} label={`Copy ${props.label.toLowerCase()}`} />
    </div>
  );
}
