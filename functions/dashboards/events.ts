/**
 * Live dashboards: which widgets' data changed since the page was drawn. A finished sync sends
 * `NOTIFY dataset_synced` in the transaction that records it; where the driver can hold a
 * connection to hear it (PGlite in process, postgres-js), an open dashboard re-reads its widgets'
 * sync times when a notification comes (and every 30 s regardless); on Neon's HTTP driver, which
 * holds none, it polls every 2 s. The read is the caller's (RLS), and reports the widgets whose
 * dataset has a newer sync.
 */
import type { AppDeps } from "../../lib/deps.ts";
import type { Database } from "../../db/client.ts";
import { notFound } from "../../lib/http/errors.ts";
import { asUser } from "../../db/rls.ts";
import { findDashboard, widgetDataVersions } from "../../db/queries/dashboards.ts";

/** How often an open dashboard checks for new data where the driver cannot listen (Neon). */
export const EVENTS_POLL_MS = 2_000;
/** Where it can listen: a check at least this often, in case a notification was missed (a reconnect). */
export const EVENTS_HEARTBEAT_MS = 30_000;
/** How long one event stream lasts before the client reconnects (and is authorized again). */
export const EVENTS_STREAM_MS = 5 * 60_000;
/** The channel a finished sync notifies on, payload its connector id. */
export const DATA_CHANNEL = "dataset_synced";

/** Per database: the waiters a notification wakes, or undefined where the driver cannot listen. */
const hubs = new WeakMap<Database, Promise<Set<() => void> | undefined>>();

function hubOf(deps: AppDeps): Promise<Set<() => void> | undefined> {
  let hub = hubs.get(deps.db);
  if (!hub) {
    hub = (async () => {
      if (!deps.db.listen) return undefined;
      const waiters = new Set<() => void>();
      await deps.db.listen(DATA_CHANNEL, () => {
        for (const wake of [...waiters]) wake();
      });
      return waiters;
    })().catch((error) => {
      deps.log.warn("cannot listen for finished syncs: dashboards poll instead", { error: String(error) });
      return undefined;
    });
    hubs.set(deps.db, hub);
  }
  return hub;
}

/**
 * Resolves when an open dashboard should look for new data: at the next finished sync where the
 * driver listens (or after EVENTS_HEARTBEAT_MS), after EVENTS_POLL_MS where it cannot, or at once
 * when `signal` aborts (the viewer left).
 */
export async function nextDataCheck(deps: AppDeps, signal: AbortSignal): Promise<void> {
  const waiters = await hubOf(deps);
  await new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      waiters?.delete(wake);
      signal.removeEventListener("abort", wake);
      resolve();
    };
    const timer = setTimeout(wake, waiters ? EVENTS_HEARTBEAT_MS : EVENTS_POLL_MS);
    waiters?.add(wake);
    signal.addEventListener("abort", wake, { once: true });
    if (signal.aborted) wake();
  });
}

/** Widget id → the sync time (ms) of its dataset; 404 when the caller cannot read the dashboard. */
export async function dataVersions(deps: AppDeps, userId: string, dashboardId: string): Promise<Map<string, number>> {
  return await asUser(deps.db, userId, async (tx) => {
    if (!await findDashboard(tx, dashboardId)) throw notFound("Dashboard");
    const rows = await widgetDataVersions(tx, dashboardId);
    return new Map(rows.map((r) => [r.widgetId, r.syncedAt?.getTime() ?? 0]));
  });
}

/** The widgets whose version differs between `before` and `after` (new widgets included). */
export function changedWidgets(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after].filter(([id, at]) => before.get(id) !== at).map(([id]) => id);
}
