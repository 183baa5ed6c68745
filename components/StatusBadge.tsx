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

/**
 * An execution's status as pages show it: one queued again after it had started is waiting out a
 * retry's backoff (or a crashed worker's lease), which "queued", as if it had never run, misstates.
 */
export function executionStatus(status: string, startedAt: Date | string | null): string {
  return status === "queued" && startedAt ? "retrying" : status;
}
