/** Browser sessions: a random token in a cookie, its hash in the database, revocable. */
import { and, desc, eq, gt, isNull, ne } from "drizzle-orm";
import type { Db } from "../client.ts";
import { sessions, users } from "../schema.ts";
import { publicUserColumns } from "./users.ts";

/** Stores a new session for a user. */
export async function insertSession(
  db: Db,
  input: { userId: string; tokenHash: string; expiresAt: Date; userAgent?: string; ip?: string },
): Promise<string> {
  const [row] = await db.insert(sessions).values(input).returning({ id: sessions.id });
  return row.id;
}

/** The live session with this token hash, and its user. */
export async function findLiveSession(db: Db, tokenHash: string, now: Date) {
  const [row] = await db
    .select({
      sessionId: sessions.id,
      lastSeenAt: sessions.lastSeenAt,
      user: publicUserColumns,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .limit(1);
  return row;
}

/** Marks a session as seen; callers throttle this so reads do not turn into writes. */
export async function touchSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId));
}

/** Revokes one session; it stops working at once. */
export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** A user's live sessions, most recently used first. */
export async function listLiveSessions(db: Db, userId: string, now: Date) {
  return await db.select({
    id: sessions.id,
    createdAt: sessions.createdAt,
    lastSeenAt: sessions.lastSeenAt,
    userAgent: sessions.userAgent,
  }).from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt));
}

/** Revokes every live session of a user but `keepId`; returns how many ended. */
export async function revokeOtherSessions(db: Db, userId: string, keepId: string, now: Date): Promise<number> {
  const ended = await db.update(sessions).set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keepId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return ended.length;
}
