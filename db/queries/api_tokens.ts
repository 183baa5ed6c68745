/** API tokens for `Authorization: Bearer`: stored hashed, listed by prefix, revocable. */
import { and, desc, eq, isNull } from "drizzle-orm";
import { afterCursor, type PageAfter } from "./pages.ts";
import type { Db } from "../client.ts";
import { apiTokens, users } from "../schema.ts";
import { publicUserColumns } from "./users.ts";

/** A token as its owner sees it in lists: never the secret. */
export interface TokenInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const info = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
};

/** Stores a new token's hash. */
export async function insertApiToken(
  db: Db,
  input: { userId: string; name: string; tokenHash: string; prefix: string },
): Promise<TokenInfo> {
  const [row] = await db.insert(apiTokens).values(input).returning(info);
  return row;
}

/** The caller's live tokens, newest first, one page after `cursor` (a created_at,id pair). */
export async function listApiTokens(
  db: Db,
  userId: string,
  page: { limit: number; after?: PageAfter },
): Promise<TokenInfo[]> {
  return await db.select(info).from(apiTokens)
    .where(and(
      eq(apiTokens.userId, userId),
      isNull(apiTokens.revokedAt),
      afterCursor(apiTokens.createdAt, apiTokens.id, page.after),
    ))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
    .limit(page.limit);
}

/** Revokes a token; false when there is no live token with that id for this user. */
export async function revokeApiToken(db: Db, userId: string, id: string, now: Date): Promise<boolean> {
  const rows = await db.update(apiTokens).set({ revokedAt: now })
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.length > 0;
}

/** The live token with this hash, and its user. */
export async function findLiveApiToken(db: Db, tokenHash: string) {
  const [row] = await db
    .select({ tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt, user: publicUserColumns })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
    .limit(1);
  return row;
}

/** Marks a token as used; callers throttle this so reads do not turn into writes. */
export async function touchApiToken(db: Db, tokenId: string, now: Date): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, tokenId));
}
