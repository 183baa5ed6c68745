/** Tokens and requests per user and UTC day, for the daily budget. System role only. */
import { sql } from "drizzle-orm";
import { rows } from "../rows.ts";
import type { Db } from "../client.ts";
import { llmUsageDaily } from "../schema.ts";

/** The UTC day of `at`, as Postgres writes a date. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * In one round trip (it runs before every answer's first token): a user's requests in `bucket`
 * since `since`, the oldest of them, and the tokens they have spent on `day`.
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
