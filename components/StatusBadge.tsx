/** A status as a coloured badge, one colour per meaning for connectors, syncs, workflows and their steps. */
const TONE: Record<string, string> = {
  ready: "ok",
  succeeded: "ok",
  syncing: "busy",
  running: "busy",
  queued: "busy",
  retrying: "busy",
  error: "bad",
  failed: "bad",
  cancelled: "neutral",
  skipped: "neutral",
};

export function StatusBadge(props: { status: string; testId?: string }) {
  return (
    <span class={`badge ${TONE[props.status] ?? ""}`} data-status={props.status} data-testid={props.testId}>
      {props.status}
    </span>
  );
}
