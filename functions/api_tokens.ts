/** API tokens: made, listed and revoked by their owner, inside RLS. */
import type { AppDeps, RequestMeta } from "../lib/deps.ts";
import { notFound } from "../lib/http/errors.ts";
import { API_TOKEN_PREFIX, hashToken, newToken } from "../lib/auth/secret_tokens.ts";
import { asUser } from "../db/rls.ts";
import { insertApiToken, listApiTokens, revokeApiToken, type TokenInfo } from "../db/queries/api_tokens.ts";
import { recordAudit } from "../db/queries/audit.ts";

/** Makes a token; the secret is returned here once and never again. */
export async function createApiToken(
  deps: AppDeps,
  userId: string,
  name: string,
  meta: RequestMeta,
): Promise<TokenInfo & { token: string }> {
  const token = newToken(API_TOKEN_PREFIX);
  const created = await asUser(deps.db, userId, async (tx) => {
    const row = await insertApiToken(tx, {
      userId,
      name,
      tokenHash: await hashToken(token),
      prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
    });
    await recordAudit(tx, {
      action: "api_token.create",
      userId,
      targetType: "api_token",
      targetId: row.id,
      details: { name },
    }, meta);
    return row;
  });
  return { ...created, token };
}

/** One page of the caller's tokens. */
export function listTokens(
  deps: AppDeps,
  userId: string,
  page: { limit: number; after?: { createdAt: Date; id: string } },
): Promise<TokenInfo[]> {
  return asUser(deps.db, userId, (tx) => listApiTokens(tx, userId, page));
}

/** Revokes a token; 404 when the caller has no such token. */
export async function revokeToken(deps: AppDeps, userId: string, id: string, meta: RequestMeta): Promise<void> {
  await asUser(deps.db, userId, async (tx) => {
    if (!await revokeApiToken(tx, userId, id, deps.now())) throw notFound("Token");
    await recordAudit(tx, {
      action: "api_token.revoke",
      userId,
      targetType: "api_token",
      targetId: id,
    }, meta);
  });
}
