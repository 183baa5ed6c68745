/** A connector's or sync's status as a coloured badge. */
const TONE: Record<string, string> = {
  ready: "ok",
  succeeded: "ok",
  syncing: "busy",
  running: "busy",
  queued: "busy",
  error: "bad",
  failed: "bad",
  cancelled: "neutral",
};

export function StatusBadge(props: { status: string }) {
  return <span class={`badge ${TONE[props.status] ?? ""}`} data-status={props.status}>{props.status}</span>;
}
