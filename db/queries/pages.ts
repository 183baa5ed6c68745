/** Keyset pages, newest first: what comes after a (created_at, id) cursor. */
import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/** A page's position: the last row's sort key. */
export interface PageAfter {
  createdAt: Date;
  id: string;
}

/** The rows after `after` in (created_at desc, id desc) order; no condition on the first page. */
export function afterCursor(createdAt: PgColumn, id: PgColumn, after: PageAfter | undefined): SQL | undefined {
  if (!after) return undefined;
  return or(lt(createdAt, after.createdAt), and(eq(createdAt, after.createdAt), lt(id, after.id)));
}
