/**
 * Sliding-window counters in Postgres, so every process and isolate shares them. A bucket is a
 * string such as `login:email:a@b.c`; each event is a row, pruned after the window passes.
 */
import { and, gt, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { rateLimitEvents } from "../schema.ts";

/** For each bucket at or over `limit` in the window: seconds until it drops under. 0 if none. */
export async function retryAfterSeconds(db: Db, buckets: string[], limit: number, windowMs: number, now: Date) {
  const since = new Date(now.getTime() - windowMs);
  const rows = await db
    .select({
      bucket: rateLimitEvents.bucket,
      n: sql<number>`count(*)::int`,
      oldest: sql<string>`min(${rateLimitEvents.at})`,
    })
    .from(rateLimitEvents)
    .where(and(inArray(rateLimitEvents.bucket, buckets), gt(rateLimitEvents.at, since)))
    .groupBy(rateLimitEvents.bucket);
  let wait = 0;
  for (const row of rows) {
    if (row.n >= limit) wait = Math.max(wait, secondsUntilFree(row.oldest, windowMs, now));
  }
  return wait;
}

/** Whole seconds until an event at `oldest` leaves a window of `windowMs`; 0 once it has. */
export function secondsUntilFree(oldest: Date | string, windowMs: number, now: Date): number {
  return Math.max(0, Math.ceil((new Date(oldest).getTime() + windowMs - now.getTime()) / 1000));
}

/**
 * Records one event in each bucket and prunes those buckets' expired events; `pruneEvery` > 1
 * prunes on about one call in that many, for hot paths (expired rows are never counted anyway).
 */
export async function recordEvents(
  db: Db,
  buckets: string[],
  windowMs: number,
  now: Date,
  pruneEvery = 1,
): Promise<void> {
  await db.insert(rateLimitEvents).values(buckets.map((bucket) => ({ bucket, at: now })));
  if (pruneEvery > 1 && Math.random() * pruneEvery >= 1) return;
  await db.delete(rateLimitEvents).where(
    and(inArray(rateLimitEvents.bucket, buckets), lt(rateLimitEvents.at, new Date(now.getTime() - windowMs))),
  );
}
