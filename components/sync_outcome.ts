/**
 * How a sync's end reads. The API keeps a cancelled sync's status `failed` (its status enum has no
 * `cancelled`, docs/api.md) with the error "Cancelled by <name>" (functions/sync_control.ts); pages
 * and the live progress show it as cancelled, neutral, from that error.
 */
import { plural } from "./format.ts";

const CANCELLED_BY = "Cancelled by ";

/** The error a sync cancelled by `name` is stored with. */
export function cancelledError(name: string): string {
  return `${CANCELLED_BY}${name}`;
}

/** Who cancelled a sync ended with `error`, or undefined when it was not cancelled. */
export function cancelledBy(error: string | null | undefined): string | undefined {
  return error?.startsWith(CANCELLED_BY) ? error.slice(CANCELLED_BY.length) : undefined;
}

/** What a sync row shows as its status: `cancelled` for a cancelled one, else the stored status. */
export function shownSyncStatus(sync: { status: string; error: string | null }): string {
  return sync.status === "failed" && cancelledBy(sync.error) !== undefined ? "cancelled" : sync.status;
}

/** One sentence for a sync that ended without succeeding: "Sync cancelled by Ada after 120 rows." */
export function syncEndSentence(sync: { rows: number; error: string | null }): string {
  const by = cancelledBy(sync.error);
  const rows = plural(sync.rows, "row");
  if (by !== undefined) return `Sync cancelled by ${by} after ${rows}.`;
  const reason = (sync.error ?? "").trim().replace(/\.+$/, "");
  return reason ? `The last sync failed after ${rows}: ${reason}.` : `The last sync failed after ${rows}.`;
}

/** A long error cut to its first `max` characters for a table cell (the full text goes in a tooltip). */
export function shortError(error: string | null, max = 60): string {
  if (!error) return "";
  const by = cancelledBy(error);
  if (by !== undefined) return `by ${by}`;
  return error.length > max ? `${error.slice(0, max - 1).trimEnd()}…` : error;
}
