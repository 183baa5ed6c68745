/**
 * An execution's steps as a timeline; while it is queued or running it reads the API each second.
 * A finished one can be run again, from the start or from its failed step (earlier steps' outputs
 * reused: POST /api/executions/:id/rerun), and the page moves to the new run.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { executionStatus, StatusBadge } from "../components/StatusBadge.tsx";
import { JsonBlock } from "../components/JsonBlock.tsx";
import { formatDuration, formatWhen } from "../components/format.ts";
import { BusyButton } from "../components/BusyButton.tsx";

export interface ExecutionView {
  id: string;
  workflow_id: string;
  status: string;
  trigger: string;
  /** The execution this one re-ran, when it is a re-run. */
  rerun_of: string | null;
  started_at: string | null;
  error: string | null;
  duplicates_suppressed: number;
  created_at: string;
  duration_ms: number | null;
  results: unknown;
  steps: {
    id: string;
    status: string;
    attempts: number;
    reused: boolean;
    output: unknown;
    error: string | null;
    started_at: string | null;
    finished_at: string | null;
  }[];
}

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/** The artifact an artifact step saved (its output is `{artifact_id, name, …}`), if `output` is one. */
function artifactOf(output: unknown): { id: string; name: string } | undefined {
  const o = output as { artifact_id?: unknown; name?: unknown } | null;
  return typeof o?.artifact_id === "string" && typeof o.name === "string"
    ? { id: o.artifact_id, name: o.name }
    : undefined;
}

/** `Step "http1" failed…` as the rest of the app quotes a name: `Step “http1” failed…`. */
function curlyStepName(error: string): string {
  return error.replace(/^Step "([^"]*)"/, "Step “$1”");
}

/**
 * The timeline. `testEvent`: the delivery came from the editor's "Send test event", so its trigger
 * reads "test event" rather than "webhook" (the API keeps "webhook").
 */
export default function ExecutionTimeline(props: { initial: ExecutionView; testEvent?: boolean }) {
  const execution = useSignal(props.initial);
  const problem = useSignal<string | null>(null);
  /** The step a new run is being started from ("" for the start), while its request is out. */
  const rerunning = useSignal<string | null>(null);

  useEffect(() => {
    if (FINISHED.has(props.initial.status)) return;
    let stopped = false;
    const tick = async () => {
      if (stopped) return;
      const res = await fetch(`/api/executions/${props.initial.id}`).catch(() => undefined);
      if (res?.ok) {
        execution.value = await res.json();
        problem.value = null;
      } else problem.value = "Cannot reach the server right now; the timeline will catch up when it can.";
      if (!FINISHED.has(execution.value.status)) setTimeout(tick, 1000);
    };
    const timer = setTimeout(tick, 500);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  async function cancel() {
    const res = await fetch(`/api/executions/${execution.value.id}/cancel`, { method: "POST" });
    if (!res.ok) problem.value = "It could not be cancelled: it may have finished already. Reload to see.";
  }

  async function rerun(fromStep: string) {
    rerunning.value = fromStep;
    problem.value = null;
    const res = await fetch(`/api/executions/${execution.value.id}/rerun`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fromStep ? { from_step: fromStep } : {}),
    }).catch(() => undefined);
    const body = await res?.json().catch(() => undefined);
    if (res?.ok && body?.execution_id) {
      location.href = `/workflows/executions/${body.execution_id}`;
      return;
    }
    rerunning.value = null;
    problem.value = body?.error?.message
      ? `It could not be run again: ${body.error.message}`
      : "It could not be run again: the server did not answer. Try again in a moment.";
  }

  const e = execution.value;
  const finished = FINISHED.has(e.status);
  return (
    <div>
      <p data-testid="execution-summary">
        <StatusBadge status={executionStatus(e.status, e.started_at)} testId="execution-status" />{" "}
        {props.testEvent && e.trigger === "webhook" ? "test event" : e.trigger} · {formatWhen(e.created_at)}
        {e.duration_ms !== null && (
          <>
            {" · "}
            <span class="duration">{formatDuration(e.duration_ms)}</span>
          </>
        )}
        {e.duplicates_suppressed > 0 && ` · ${e.duplicates_suppressed} duplicate delivery suppressed`}
        {e.rerun_of && (
          <>
            {" · "}
            <a href={`/workflows/executions/${e.rerun_of}`}>re-run of an earlier execution</a>
          </>
        )}
      </p>
      {!finished && <button type="button" class="button danger small" onClick={cancel}>Cancel</button>}
      {finished && (
        <BusyButton
          class="button small"
          busy={rerunning.value === ""}
          busyLabel="Starting…"
          disabled={rerunning.value !== null}
          onClick={() => void rerun("")}
        >
          Run again
        </BusyButton>
      )}
      {e.error && <p class="alert" role="alert">{curlyStepName(e.error)}</p>}
      {problem.value && <p class="alert">{problem.value}</p>}
      <ol class="timeline" data-testid="timeline">
        {e.steps.map((s) => (
          <li key={s.id} class="card">
            <strong>{s.id}</strong> <StatusBadge status={s.status} />
            {s.reused ? " · reused from the earlier run" : ` · ${s.attempts} attempt${s.attempts === 1 ? "" : "s"}`}
            {s.error && (e.error && s.status === "failed"
              ? (
                <p class="muted small">
                  Failed{s.attempts > 1 ? ` after ${s.attempts} attempts` : ""}. The reason is above.
                </p>
              )
              : <p class="alert">{curlyStepName(s.error)}</p>)}
            {finished && s.status === "failed" && (
              <p>
                <BusyButton
                  class="button small"
                  busy={rerunning.value === s.id}
                  busyLabel="Starting…"
                  disabled={rerunning.value !== null}
                  onClick={() => void rerun(s.id)}
                >
                  Retry from this step
                </BusyButton>{" "}
                <span class="muted small">Earlier steps' outputs are reused.</span>
              </p>
            )}
            {artifactOf(s.output) && (
              <p>
                <a href={`/artifacts/${artifactOf(s.output)!.id}`}>Open “{artifactOf(s.output)!.name}”</a>
              </p>
            )}
            {s.output !== null && (
              <details>
                <summary>Output</summary>
                <JsonBlock value={s.output} label="Output" />
              </details>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
