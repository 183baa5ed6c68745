/** Tokens and requests per user and UTC day, for the daily budget. System role only. */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { llmUsageDaily } from "../schema.ts";

/** The UTC day of `at`, as Postgres writes a date. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Tokens (in and out) a user has spent on `day`. */
export async function tokensOn(db: Db, userId: string, day: string): Promise<number> {
  const [row] = await db.select({
    n: sql<number>`(${llmUsageDaily.inputTokens} + ${llmUsageDaily.outputTokens})::float8`,
  })
    .from(llmUsageDaily).where(and(eq(llmUsageDaily.userId, userId), eq(llmUsageDaily.day, day)));
  return row?.n ?? 0;
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
