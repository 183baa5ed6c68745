/**
 * Live dashboards: which widgets' data changed since the page was drawn. Every driver can poll
 * (PGlite has one connection, Neon's HTTP driver none that stays open), so this reads the sync
 * times of the datasets behind a dashboard's widgets every few seconds, as the caller (RLS), and
 * reports the widgets whose dataset has a newer sync.
 */
import type { AppDeps } from "../../lib/deps.ts";
import { notFound } from "../../lib/http/errors.ts";
import { asUser } from "../../db/rls.ts";
import { findDashboard, widgetDataVersions } from "../../db/queries/dashboards.ts";

/** How often an open dashboard checks for new data. */
export const EVENTS_POLL_MS = 2_000;

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
