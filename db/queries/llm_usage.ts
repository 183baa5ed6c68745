/** Tokens and requests per user and UTC day, for the daily budget. System role only. */
import { sql } from "drizzle-orm";
import { rows } from "../rows.ts";
import type { Db } from "../client.ts";
import { llmUsageDaily } from "../schema.ts";

/** The UTC day of `at`, as Postgres writes a date. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The tokens (in and out) a user has spent on `day`. */
export async function tokensUsed(db: Db, userId: string, day: string): Promise<number> {
  const [row] = await rows<{ used: number }>(
    db,
    sql`select coalesce(sum(input_tokens + output_tokens), 0)::float8 as used from llm_usage_daily
      where user_id = ${userId}::uuid and day = ${day}::date`,
  );
  return row.used;
}

/**
 * In one round trip: a user's requests in `bucket` since `since`, the oldest of them, and the
 * tokens they have spent on `day`.
 * @deprecated Counting a bucket and then recording into it races (40 requests at once all count
 * the same rows): take the slot with `takeSlot` (db/queries/rate_limits.ts) and read the tokens
 * with `tokensUsed`. Kept while branches that call it merge.
 */
export async function admissionCounts(
  db: Db,
  input: { userId: string; bucket: string; since: Date; day: string },
): Promise<{ recent: number; oldest: string | null; used: number }> {
  const [counts] = await rows<{ recent: number; oldest: string | null; used: number }>(
    db,
    sql`select count(*)::int as recent, min(at) as oldest,
      (select coalesce(sum(input_tokens + output_tokens), 0)::float8 from llm_usage_daily
        where user_id = ${input.userId}::uuid and day = ${input.day}::date) as used
      from rate_limit_events where bucket = ${input.bucket} and at > ${input.since.toISOString()}::timestamptz`,
  );
  return counts;
}

/** Adds to a user's tally for `day`. */
export async function addUsage(
  db: Db,
  userId: string,
  day: string,
  used: { inputTokens: number; outputTokens: number; requests: number },
): Promise<void> {
  await db.insert(llmUsageDaily).values({ userId, day, ...used }).onConflictDoUpdate({
    target: [llmUsageDaily.userId, llmUsageDaily.day],
    set: {
      inputTokens: sql`${llmUsageDaily.inputTokens} + ${used.inputTokens}`,
      outputTokens: sql`${llmUsageDaily.outputTokens} + ${used.outputTokens}`,
      requests: sql`${llmUsageDaily.requests} + ${used.requests}`,
    },
  });
}
