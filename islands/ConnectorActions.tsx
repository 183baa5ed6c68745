/**
 * Test the connection, upload a CSV, and sync with a live progress bar. Progress comes from the
 * server as server-sent events (the sync row lives in Postgres, so any process can report it).
 * When a sync succeeds the page reloads to show the new datasets; when it fails or is cancelled, the
 * header (status, last sync, the outcome said once) and the history are brought up to date from the
 * server in place, and the progress line gives way to the header. A sync that starts clears the
 * previous one's outcome from the header at once.
 */
import { useSignal } from "@preact/signals";
import { refreshRegions } from "../lib/client/live_regions.ts";
import { cancelledBy, syncEndSentence } from "../components/sync_outcome.ts";
import { BusyButton } from "../components/BusyButton.tsx";

interface Progress {
  status: string;
  rows: number;
  error: string | null;
}

async function errorMessage(res: Response): Promise<string> {
  const body = await res.json().catch(() => undefined) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? `The server answered ${res.status}`;
}

export default function ConnectorActions(props: { connectorId: string; acceptsUpload: boolean }) {
  const base = `/api/connectors/${props.connectorId}`;
  const busy = useSignal(false);
  /** Which request is on its way, so that its button shows it. */
  const working = useSignal<"test" | "sync" | "upload" | null>(null);
  const message = useSignal<{ ok: boolean; text: string } | null>(null);
  const progress = useSignal<Progress | null>(null);
  const syncId = useSignal<string | null>(null);

  async function test() {
    busy.value = true;
    working.value = "test";
    message.value = null;
    try {
      const res = await fetch(`${base}/test`, { method: "POST" });
      const body = await res.json() as { ok: boolean; message: string };
      message.value = res.ok ? { ok: body.ok, text: body.message } : { ok: false, text: await errorMessage(res) };
    } finally {
      busy.value = false;
      working.value = null;
    }
  }

  async function sync() {
    busy.value = true;
    working.value = "sync";
    message.value = null;
    const res = await fetch(`${base}/sync`, { method: "POST" });
    working.value = null;
    if (!res.ok) {
      message.value = { ok: false, text: await errorMessage(res) };
      busy.value = false;
      return;
    }
    const { sync_id } = await res.json() as { sync_id: string };
    syncId.value = sync_id;
    progress.value = { status: "queued", rows: 0, error: null };
    // The header shows "syncing" and drops the last sync's failure; the history shows the new row.
    void refreshRegions(["connector-header", "sync-history-card"]);
    const events = new EventSource(`${base}/syncs/${sync_id}/events`);
    events.addEventListener("sync", (event) => {
      const next = JSON.parse((event as MessageEvent).data) as Progress;
      progress.value = next;
      if (next.status === "succeeded" || next.status === "failed") {
        events.close();
        busy.value = false;
        if (next.status === "succeeded") location.reload();
        else {
          // The header says how it ended, once; the progress line stays only if the header cannot be fetched.
          void refreshRegions(["connector-header", "sync-history-card"]).then((fresh) => {
            if (fresh && progress.value === next) progress.value = null;
          });
        }
      }
    });
    events.onerror = () => {
      events.close();
      busy.value = false;
      // The stream broke before the end: show the sync as the server has it, not a bar that never stops.
      void refreshRegions(["connector-header", "sync-history-card"]);
      if (progress.value?.status === "running" || progress.value?.status === "queued") {
        progress.value = null;
        message.value = { ok: false, text: "Lost contact with the sync: its state below is the server's latest." };
      }
    };
  }

  /** Stops the running sync; its event stream then brings the "Cancelled by …" outcome. */
  async function cancel() {
    if (!syncId.value) return;
    const res = await fetch(`${base}/syncs/${syncId.value}/cancel`, { method: "POST" });
    if (!res.ok && res.status !== 409) message.value = { ok: false, text: await errorMessage(res) };
  }

  async function upload(event: Event) {
    event.preventDefault();
    const file = (event.currentTarget as HTMLFormElement).querySelector("input[type=file]") as HTMLInputElement;
    if (busy.value) return;
    if (!file.files?.[0]) {
      message.value = { ok: false, text: "Choose a CSV file first, then press Upload and sync." };
      file.focus();
      return;
    }
    busy.value = true;
    working.value = "upload";
    message.value = { ok: true, text: `Uploading ${file.files[0].name}…` };
    const res = await fetch(`${base}/upload?filename=${encodeURIComponent(file.files[0].name)}`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: file.files[0],
    }).finally(() => working.value = null);
    busy.value = false;
    if (!res.ok) {
      message.value = { ok: false, text: await errorMessage(res) };
      return;
    }
    await sync();
  }

  const p = progress.value;
  return (
    <div class="card actions">
      <div class="inline-form">
        <BusyButton
          class="button"
          onClick={test}
          disabled={busy.value}
          busy={working.value === "test"}
          busyLabel="Testing…"
        >
          Test connection
        </BusyButton>
        <BusyButton
          class="button primary"
          onClick={sync}
          disabled={busy.value}
          busy={working.value === "sync"}
          busyLabel="Starting sync…"
        >
          Sync now
        </BusyButton>
      </div>
      {props.acceptsUpload && (
        <p class="muted small upload-hint">
          Uploading a file replaces this connector's file and its dataset; the dataset keeps its name, so chats that use
          it keep working.
        </p>
      )}
      {props.acceptsUpload && (
        <form class="inline-form" onSubmit={upload}>
          <input type="file" accept=".csv,text/csv" aria-label="CSV file" />
          <BusyButton
            type="submit"
            class="button"
            disabled={busy.value}
            busy={working.value === "upload"}
            busyLabel="Uploading…"
          >
            Upload and sync
          </BusyButton>
        </form>
      )}
      {p && (
        <div
          class={p.status === "failed" && cancelledBy(p.error) === undefined
            ? "sync-progress danger-text"
            : "sync-progress"}
          role="status"
          aria-live="polite"
        >
          {p.status === "failed"
            ? null
            : <progress max={1} value={p.status === "succeeded" ? 1 : undefined} aria-label="Sync progress" />}
          <span data-testid="sync-status">
            {p.status === "running" || p.status === "queued"
              ? `Syncing… ${p.rows.toLocaleString("en-US")} rows so far`
              : p.status === "failed"
              ? syncEndSentence(p)
              : `Synced ${p.rows.toLocaleString("en-US")} rows.`}
          </span>
          {(p.status === "running" || p.status === "queued") && (
            <button type="button" class="button" onClick={cancel} data-testid="cancel-sync">Cancel sync</button>
          )}
        </div>
      )}
      {message.value && (
        <p
          class={message.value.ok ? "notice" : "alert"}
          role={message.value.ok ? "status" : "alert"}
          data-testid="action-message"
        >
          {message.value.text}
        </p>
      )}
    </div>
  );
}
