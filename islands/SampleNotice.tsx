/**
 * The notice after "Add the sample dataset": says the sample is syncing, follows its connector
 * (GET /api/connectors/:id, every second) and turns into "ready" with the next step, or the
 * reason it failed, without a reload.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

/** The connector statuses the notice can show. */
export type SampleState = "syncing" | "ready" | "error";

const EXAMPLE = "“Which weather is most common in Seattle? Chart it.”";

export default function SampleNotice(props: { connectorId: string; state: SampleState; error: string | null }) {
  const state = useSignal(props.state);
  const error = useSignal(props.error);

  useEffect(() => {
    if (props.state !== "syncing") return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const res = await fetch(`/api/connectors/${props.connectorId}`).catch(() => undefined);
      const body = res?.ok ? await res.json() as { status: string; last_error: string | null } : undefined;
      if (body?.status === "ready" || body?.status === "error") {
        state.value = body.status;
        error.value = body.last_error;
        return;
      }
      timer = setTimeout(tick, 1000);
    };
    timer = setTimeout(tick, 500);
    return () => clearTimeout(timer);
  }, []);

  const connector = <a href={`/connectors/${props.connectorId}`}>Connectors</a>;
  if (state.value === "ready") {
    return (
      <p class="notice" role="status" data-testid="sample-added" data-state="ready">
        <strong>The Seattle weather sample is ready.</strong> Ask a question about it below, e.g.{" "}
        {EXAMPLE}, or see its rows under {connector}.
      </p>
    );
  }
  if (state.value === "error") {
    return (
      <p class="alert" role="alert" data-testid="sample-added" data-state="error">
        The Seattle weather sample could not be synced{error.value ? `: ${error.value.replace(/\.$/, "")}` : ""}. Try
        “Sync now” under {connector}.
      </p>
    );
  }
  return (
    <p class="notice" role="status" data-testid="sample-added" data-state="syncing">
      The Seattle weather sample is syncing (a few seconds)… You can ask about it below once it is ready, e.g. {EXAMPLE}
    </p>
  );
}
