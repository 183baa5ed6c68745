/**
 * What a chat message may cost: a per-user request rate (sliding minute) and a daily token budget.
 * Both live in Postgres, so every process and isolate counts the same requests.
 */
import type { AppDeps } from "../../lib/deps.ts";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { takeSlot } from "../../db/queries/rate_limits.ts";
import { addUsage, tokensUsed, utcDay } from "../../db/queries/llm_usage.ts";

const MINUTE_MS = 60_000;

/**
 * Admits one chat request for `userId`, counting it, or throws 429 with Retry-After. Runs as the
 * system role (inside the turn's own transaction, so a request refused later, by the budget or
 * the turn, gives its slot back).
 */
export async function admitChatRequest(deps: AppDeps, tx: Db, userId: string): Promise<void> {
  const { requestsPerMinute, dailyTokenBudget } = deps.config.chat;
  const now = deps.now();
  // The slot is taken first, under the bucket's lock, so concurrent messages cannot all pass.
  const slot = await takeSlot(tx, {
    bucket: `chat:user:${userId}`,
    limit: requestsPerMinute,
    windowMs: MINUTE_MS,
    now,
    pruneEvery: 16,
  });
  if (!slot.admitted) {
    throw new ApiError(
      429,
      "rate_limited",
      `Too many messages: at most ${requestsPerMinute} a minute. Try again in ${slot.retryAfter} s`,
      { retryAfter: slot.retryAfter },
    );
  }
  if (dailyTokenBudget === 0) return;
  const used = await tokensUsed(tx, userId, utcDay(now));
  if (used >= dailyTokenBudget) {
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const retryAfter = Math.ceil((midnight - now.getTime()) / 1000);
    throw new ApiError(
      429,
      "rate_limited",
      `You have used today's budget of ${dailyTokenBudget.toLocaleString("en-US")} tokens; it renews at 00:00 UTC`,
      { retryAfter, details: { used, budget: dailyTokenBudget } },
    );
  }
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
