/**
 * Where queries run. `asUser` is the normal path: a transaction as the `workspace_app` role with
 * the user set, so Row Level Security decides what is visible. `asSystem` runs as the connecting
 * (owning) role and is kept for what has no user yet: sign-in, session lookup, migrations.
 */
import { sql } from "drizzle-orm";
import type { Database, Db } from "./client.ts";

/** The role requests run as: owns nothing, is not a superuser. */
export const APP_ROLE = "workspace_app";

/** Runs `fn` in a transaction where RLS applies as `userId`. */
export function asUser<T>(db: Database, userId: string, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.orm.transaction(async (tx) => {
    // One round trip; both settings end with the transaction.
    await tx.execute(sql`select set_config('app.user_id', ${userId}, true), set_config('role', ${APP_ROLE}, true)`);
    return await fn(tx as unknown as Db);
  });
}

/** Runs `fn` in a transaction as the owning role, bypassing RLS. Keep its uses few and obvious. */
export function asSystem<T>(db: Database, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.orm.transaction((tx) => fn(tx as unknown as Db));
}

/**
 * One transaction that first runs `system` as the owning role (for owner-only tables such as rate
 * limits), then switches to `userId` under RLS for `fn`. Both commit or neither does, so a refused
 * request leaves no trace in either part.
 */
export function asSystemThenUser<S, T>(
  db: Database,
  userId: string,
  system: (tx: Db) => Promise<S>,
  fn: (tx: Db, fromSystem: S) => Promise<T>,
): Promise<T> {
  return db.orm.transaction(async (tx) => {
    const fromSystem = await system(tx as unknown as Db);
    await tx.execute(sql`select set_config('app.user_id', ${userId}, true), set_config('role', ${APP_ROLE}, true)`);
    return await fn(tx as unknown as Db, fromSystem);
  });
}
