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
