/**
 * What a chat message may cost: a per-user request rate (sliding minute) and a daily token budget.
 * Both live in Postgres, so every process and isolate counts the same requests.
 */
import type { AppDeps } from "../../lib/deps.ts";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { recordEvents, secondsUntilFree } from "../../db/queries/rate_limits.ts";
import { addUsage, admissionCounts, utcDay } from "../../db/queries/llm_usage.ts";

const MINUTE_MS = 60_000;

/**
 * Admits one chat request for `userId`, counting it, or throws 429 with Retry-After. Runs as the
 * system role (inside the turn's own transaction, so a request refused later is not counted).
 */
export async function admitChatRequest(deps: AppDeps, tx: Db, userId: string): Promise<void> {
  const { requestsPerMinute, dailyTokenBudget } = deps.config.chat;
  const now = deps.now();
  const bucket = `chat:user:${userId}`;
  const counts = await admissionCounts(tx, {
    userId,
    bucket,
    since: new Date(now.getTime() - MINUTE_MS),
    day: utcDay(now),
  });
  if (counts.recent >= requestsPerMinute && counts.oldest) {
    const wait = Math.max(1, secondsUntilFree(counts.oldest, MINUTE_MS, now));
    throw new ApiError(
      429,
      "rate_limited",
      `Too many messages: at most ${requestsPerMinute} a minute. Try again in ${wait} s`,
      { retryAfter: wait },
    );
  }
  if (dailyTokenBudget > 0 && counts.used >= dailyTokenBudget) {
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const retryAfter = Math.ceil((midnight - now.getTime()) / 1000);
    throw new ApiError(
      429,
      "rate_limited",
      `You have used today's budget of ${dailyTokenBudget.toLocaleString("en-US")} tokens; it renews at 00:00 UTC`,
      { retryAfter, details: { used: counts.used, budget: dailyTokenBudget } },
    );
  }
  await recordEvents(tx, [bucket], MINUTE_MS, now, 16);
}

/** Adds a finished answer's tokens to the user's day. */
export async function recordUsage(
  deps: AppDeps,
  tx: Db,
  userId: string,
  usage: { inputTokens: number; outputTokens: number },
): Promise<void> {
  await addUsage(tx, userId, utcDay(deps.now()), { ...usage, requests: 1 });
}
