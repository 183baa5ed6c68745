/**
 * Housekeeping the database does not do by itself. Planner statistics for PGlite: embedded PGlite
 * has no autovacuum, so nothing refreshes them, and with stale ones a chat of thousands of messages
 * is read by scanning and sorting all of them instead of reading its newest rows off the index
 * (servers keep their own). And, on every driver, the pieces of uploads a crash left behind.
 */
import { sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import type { Logger } from "../lib/log.ts";

const REFRESH_MS = 30 * 60_000;

/**
 * Refreshes `firstInMs` after start-up (PGlite has one connection: an ANALYZE of large datasets
 * right away would hold up the first requests behind it) and then every half hour, for the life
 * of the process.
 */
export function keepStatisticsFresh(db: Database, log: Logger, firstInMs = 0): { stop(): void } {
  if (db.driver !== "pglite") return { stop() {} };
  const refresh = () =>
    db.orm.execute(sql`analyze`).catch((error) => log.warn("analyze failed", { error: String(error) }));
  const first = setTimeout(refresh, firstInMs);
  const timer = setInterval(refresh, REFRESH_MS);
  Deno.unrefTimer(first);
  Deno.unrefTimer(timer);
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}

/** How long an upload may take before its pieces count as abandoned (a crash mid-upload). */
export const ABANDONED_UPLOAD_MS = 24 * 3600_000;
const SWEEP_MS = 60 * 60_000;

/**
 * Deletes the pieces of uploads no connector points at that started more than a day ago: what a
 * process that died mid-upload leaves behind (uploads that finish or fail clean up after
 * themselves). Upload ids are UUIDv7, so their first 48 bits say when they started; ids of
 * another version (written before that) are swept once they are not the connector's file.
 * Runs as the owning role, across workspaces. Returns how many pieces went.
 */
export async function sweepAbandonedUploads(db: Database, now = Date.now()): Promise<number> {
  const cutoff = now - ABANDONED_UPLOAD_MS;
  const gone = await db.orm.execute(sql`delete from connector_files f using connectors c
    where c.id = f.connector_id
      and f.upload_id::text is distinct from c.config #>> '{upload,id}'
      and (substr(f.upload_id::text, 15, 1) <> '7'
        or ('x' || translate(substr(f.upload_id::text, 1, 13), '-', ''))::bit(48)::bigint < ${cutoff}::bigint)
    returning 1`);
  return Array.isArray(gone) ? gone.length : (gone as { rows?: unknown[] }).rows?.length ?? 0;
}

/** Sweeps abandoned uploads now (in the background) and every hour, for the life of the process. */
export function keepUploadsTidy(db: Database, log: Logger): { stop(): void } {
  const sweep = () =>
    sweepAbandonedUploads(db).then(
      (pieces) => pieces && log.info("abandoned upload pieces deleted", { pieces }),
      (error) => log.warn("upload sweep failed", { error: String(error) }),
    );
  sweep();
  const timer = setInterval(sweep, SWEEP_MS);
  Deno.unrefTimer(timer);
  return { stop: () => clearInterval(timer) };
}
