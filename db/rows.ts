/** Raw SQL: rows as plain objects, whichever driver answered. */
import type { SQL } from "drizzle-orm";
import type { Db } from "./client.ts";

/** Runs `query` and returns its rows. */
export async function rows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = await db.execute(query) as unknown as { rows?: T[] } | T[];
  return Array.isArray(result) ? [...result] : result.rows ?? [];
}
