/**
 * Planner statistics for PGlite. Embedded PGlite has no autovacuum, so nothing refreshes them:
 * with stale ones a chat of thousands of messages is read by scanning and sorting all of them
 * instead of reading its newest rows off the index.
 * Servers (Postgres, Neon) keep their own statistics.
 */
import { sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import type { Logger } from "../lib/log.ts";

const REFRESH_MS = 30 * 60_000;

/** Refreshes now (without holding up start-up) and then every half hour, for the life of the process. */
export function keepStatisticsFresh(db: Database, log: Logger): { stop(): void } {
  if (db.driver !== "pglite") return { stop() {} };
  const refresh = () =>
    db.orm.execute(sql`analyze`).catch((error) => log.warn("analyze failed", { error: String(error) }));
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  Deno.unrefTimer(timer);
  return { stop: () => clearInterval(timer) };
}
