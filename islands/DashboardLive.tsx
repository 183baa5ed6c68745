/**
 * Keeps an open dashboard current: listens to /api/dashboards/:id/events and, when a sync changes
 * widgets' data, fetches this page again and swaps in its grid (charts are drawn on the server),
 * keeping the scroll position and the filters in the URL. Without JavaScript the page is the same,
 * only not live.
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { formatWhen } from "../components/format.ts";

export default function DashboardLive(props: { dashboardId: string }) {
  const state = useSignal<"connecting" | "live" | "updating" | "offline">("connecting");
  const updatedAt = useSignal<string | null>(null);

  useSignalEffect(() => {
    const events = new EventSource(`/api/dashboards/${props.dashboardId}/events`);
    let connected = false;
    // The server ends a stream every few minutes and the browser reconnects: a sync finished in
    // between is caught by refreshing once on each reconnect.
    events.addEventListener("ready", () => {
      if (connected) refresh();
      else state.value = "live";
      connected = true;
    });
    events.addEventListener("error", () => {
      if (events.readyState === EventSource.CLOSED) state.value = "offline";
    });
    events.addEventListener("widget-data", refresh);
    async function refresh() {
      state.value = "updating";
      try {
        const res = await fetch(location.href, { headers: { accept: "text/html" }, cache: "no-store" });
        const next = new DOMParser().parseFromString(await res.text(), "text/html");
        for (const selector of [".dashboard-grid", ".data-as-of"]) {
          const fresh = next.querySelector(selector);
          if (fresh) document.querySelector(selector)?.replaceWith(document.importNode(fresh, true));
        }
        updatedAt.value = formatWhen(new Date());
      } finally {
        state.value = "live";
      }
    }
    return () => events.close();
  });

  const text = {
    connecting: "Connecting…",
    live: updatedAt.value ? `Live · updated ${updatedAt.value}` : "Live",
    updating: "Updating…",
    offline: "Not live: reload to see new data",
  }[state.value];
  return <span class="live-status muted small" data-state={state.value} aria-live="polite">{text}</span>;
}
