/**
 * Rate limits: sliding-window counters in Postgres, so every process and isolate shares them. A
 * bucket is a string such as `login:email:a@b.c`; each admitted event is a row, pruned after its
 * window passes.
 *
 * `takeSlot` is the one primitive every limit uses (sign-in, chat, share links, webhooks): it takes
 * the bucket's slot atomically BEFORE the work, so 40 requests at once can never all pass a limit
 * of 20 (a count followed by an insert, without the lock, lets every one of them count the same
 * rows: OWASP's "race condition" class of limit bypass).
 */
import { sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { rows } from "../rows.ts";

/**
 * The first key of every rate-limit advisory lock, so `hashtext(bucket)` (the second key) cannot
 * collide with another feature's advisory locks: the two-int4 key space is the rate limits' own.
 */
const LOCK_NAMESPACE = 0x726c; // "rl"

/** The longest window a limit may have: older events are swept whatever their bucket. */
export const MAX_WINDOW_MS = 24 * 60 * 60_000;
const SWEEP_CHANCE = 1 / 1000;

/** What `takeSlot` needs: the bucket, its limit of events per window, and the time now. */
export interface SlotRequest {
  bucket: string;
  /** Events admitted per window; the limit+1st is refused. */
  limit: number;
  windowMs: number;
  now: Date;
  /** Prune the bucket's expired rows on about one call in this many (1: every call). */
  pruneEvery?: number;
}

/** The answer of `takeSlot`: admitted (its row is written), or refused with seconds to wait. */
export type Slot =
  | { admitted: true; /** events in the window, this one included */ count: number }
  | { admitted: false; count: number; /** whole seconds, at least 1, until a slot frees */ retryAfter: number };

/**
 * Takes one slot in `bucket` if fewer than `limit` events fall in the sliding window ending `now`,
 * and says so; refuses (writing nothing) otherwise, with the seconds until the oldest event leaves.
 *
 * MUST run inside a transaction (`asSystem`, or the caller's own): a transaction-scoped advisory
 * lock on the bucket serialises takers, and the count that follows is a new statement, so under
 * READ COMMITTED it sees every slot committed by those who held the lock before. The lock is held
 * until the transaction ends, so keep what follows short; roll the transaction back and the slot
 * is given back with it (chat takes its slot inside the turn's transaction for that reason).
 * `rate_limit_events` is owner-only: run as the system role.
 *
 * @example
 *   const slot = await asSystem(db, (tx) => takeSlot(tx, { bucket: `share:ip:${ip}`, limit: 60, windowMs: 60_000, now }));
 *   if (!slot.admitted) throw new ApiError(429, "rate_limited", "…", { retryAfter: slot.retryAfter });
 */
export async function takeSlot(tx: Db, request: SlotRequest): Promise<Slot> {
  const { bucket, limit, windowMs, now } = request;
  if (windowMs > MAX_WINDOW_MS) throw new Error(`Cannot rate-limit over ${windowMs} ms: windows are at most a day`);
  await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${bucket}))`);
  const since = new Date(now.getTime() - windowMs).toISOString();
  // Count and, when under the limit, insert: one round trip under the lock.
  const [counted] = await rows<{ n: number; oldest: string | null }>(
    tx,
    sql`with counted as (
        select count(*)::int as n, min(at) as oldest from rate_limit_events
        where bucket = ${bucket} and at > ${since}::timestamptz
      ), taken as (
        insert into rate_limit_events (bucket, at)
        select ${bucket}, ${now.toISOString()}::timestamptz from counted where n < ${limit}
      )
      select n, oldest from counted`,
  );
  const pruneEvery = request.pruneEvery ?? 1;
  if (pruneEvery <= 1 || Math.random() * pruneEvery < 1) {
    await tx.execute(sql`delete from rate_limit_events where bucket = ${bucket} and at <= ${since}::timestamptz`);
  }
  // Buckets nobody takes again (a mistyped email, a passing address) are swept now and then.
  if (Math.random() < SWEEP_CHANCE) {
    const dayAgo = new Date(now.getTime() - MAX_WINDOW_MS).toISOString();
    await tx.execute(sql`delete from rate_limit_events where at < ${dayAgo}::timestamptz`);
  }
  if (counted.n < limit) return { admitted: true, count: counted.n + 1 };
  const retryAfter = Math.max(1, secondsUntilFree(counted.oldest ?? now, windowMs, now));
  return { admitted: false, count: counted.n, retryAfter };
}

/**
 * Gives back one slot `takeSlot` took at `at` in `bucket` (a sign-in that succeeded is not a
 * failure). Deletes one row only, so two slots taken in the same millisecond stay two.
 */
export async function releaseSlot(db: Db, bucket: string, at: Date): Promise<void> {
  await db.execute(sql`delete from rate_limit_events where ctid in (
    select ctid from rate_limit_events where bucket = ${bucket} and at = ${at.toISOString()}::timestamptz limit 1)`);
}

/** Whole seconds until an event at `oldest` leaves a window of `windowMs`; 0 once it has. */
export function secondsUntilFree(oldest: Date | string, windowMs: number, now: Date): number {
  return Math.max(0, Math.ceil((new Date(oldest).getTime() + windowMs - now.getTime()) / 1000));
}
