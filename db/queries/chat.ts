/** Chat sessions, their messages (one row each) and answers in progress. Run inside asUser. */
import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { afterCursor, type PageAfter } from "./pages.ts";
import type { Db } from "../client.ts";
import { chatMessages, chatSessions, chatStreamChunks, chatStreams } from "../schema.ts";

export type ChatSessionRow = typeof chatSessions.$inferSelect;
export type ChatMessageRow = typeof chatMessages.$inferSelect;
export type ChatStreamRow = typeof chatStreams.$inferSelect;

export async function findSession(db: Db, id: string): Promise<ChatSessionRow | undefined> {
  const [row] = await db.select().from(chatSessions).where(eq(chatSessions.id, id));
  return row;
}

/** Sessions, most recently active first. */
export async function listSessions(
  db: Db,
  page: { limit: number; workspaceId?: string; after?: PageAfter },
): Promise<ChatSessionRow[]> {
  return await db.select().from(chatSessions).where(and(
    page.workspaceId ? eq(chatSessions.workspaceId, page.workspaceId) : undefined,
    afterCursor(chatSessions.updatedAt, chatSessions.id, page.after),
  )).orderBy(desc(chatSessions.updatedAt), desc(chatSessions.id)).limit(page.limit);
}

/** The newest `limit` messages in time order: what a page shows and what the model sees. */
export async function recentMessages(db: Db, sessionId: string, limit: number): Promise<ChatMessageRow[]> {
  const newestFirst = await db.select().from(chatMessages)
    .where(eq(chatMessages.sessionId, sessionId))
    .orderBy(desc(chatMessages.createdAt), desc(chatMessages.id))
    .limit(limit);
  return newestFirst.reverse();
}

/** Messages older than `before`, newest first, for scrolling back through a long session. */
export async function messagesBefore(
  db: Db,
  sessionId: string,
  before: PageAfter,
  limit: number,
): Promise<ChatMessageRow[]> {
  return await db.select().from(chatMessages)
    .where(and(eq(chatMessages.sessionId, sessionId), afterCursor(chatMessages.createdAt, chatMessages.id, before)))
    .orderBy(desc(chatMessages.createdAt), desc(chatMessages.id))
    .limit(limit);
}

export async function insertMessage(db: Db, values: typeof chatMessages.$inferInsert): Promise<ChatMessageRow> {
  const [row] = await db.insert(chatMessages).values(values).returning();
  return row;
}

/** Marks a session as active now (lists sort by it). */
export async function touchSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db.update(chatSessions).set({ updatedAt: now }).where(eq(chatSessions.id, sessionId));
}

export async function activeStream(db: Db, sessionId: string): Promise<ChatStreamRow | undefined> {
  const [row] = await db.select().from(chatStreams)
    .where(and(eq(chatStreams.sessionId, sessionId), eq(chatStreams.status, "active")));
  return row;
}

export async function findStream(db: Db, id: string): Promise<ChatStreamRow | undefined> {
  const [row] = await db.select().from(chatStreams).where(eq(chatStreams.id, id));
  return row;
}

/** Logged chunks after `afterSeq`, in order. */
export async function chunksAfter(db: Db, streamId: string, afterSeq: number) {
  return await db.select({ seq: chatStreamChunks.seq, chunks: chatStreamChunks.chunks }).from(chatStreamChunks)
    .where(and(eq(chatStreamChunks.streamId, streamId), gt(chatStreamChunks.seq, afterSeq)))
    .orderBy(asc(chatStreamChunks.seq));
}

/** Ends a stream: its chunks are no longer needed once the message is stored. */
export async function finishStream(db: Db, streamId: string): Promise<void> {
  await db.update(chatStreams).set({ status: "done" }).where(eq(chatStreams.id, streamId));
  await db.delete(chatStreamChunks).where(eq(chatStreamChunks.streamId, streamId));
}

/** Active streams in a session whose heartbeat is older than `staleBefore`: cut off mid-answer. */
export async function staleStream(db: Db, sessionId: string, staleBefore: Date): Promise<ChatStreamRow | undefined> {
  const [row] = await db.select().from(chatStreams).where(and(
    eq(chatStreams.sessionId, sessionId),
    eq(chatStreams.status, "active"),
    lt(chatStreams.heartbeatAt, staleBefore),
  ));
  return row;
}

/** Asks the process generating a session's answer to stop; false when nothing is generating. */
export async function requestStop(db: Db, sessionId: string): Promise<ChatStreamRow | undefined> {
  const [row] = await db.update(chatStreams).set({ stopRequested: true })
    .where(and(eq(chatStreams.sessionId, sessionId), eq(chatStreams.status, "active")))
    .returning();
  return row;
}

/** Messages in a session: cheap with the (session_id, created_at) index. */
export async function countMessages(db: Db, sessionId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(chatMessages)
    .where(eq(chatMessages.sessionId, sessionId));
  return row.n;
}
