/** Chat sessions, their messages (one row each) and answers in progress. Run inside asUser. */
import { and, asc, desc, eq, gt } from "drizzle-orm";
import { afterCursor, type PageAfter } from "./pages.ts";
import type { Db } from "../client.ts";
import { chatMessages, chatSessions, chatStreamChunks, chatStreams, workspaceLlmSettings } from "../schema.ts";
import type { LlmSettingsRow } from "./llm_settings.ts";

export type ChatSessionRow = typeof chatSessions.$inferSelect;
export type ChatMessageRow = typeof chatMessages.$inferSelect;
export type ChatStreamRow = typeof chatStreams.$inferSelect;

export async function findSession(db: Db, id: string): Promise<ChatSessionRow | undefined> {
  const [row] = await db.select().from(chatSessions).where(eq(chatSessions.id, id));
  return row;
}

/**
 * What a chat turn needs to know first, in one query: the session, its workspace's model settings
 * and the answer being written in it, if any.
 */
export async function sessionForTurn(db: Db, id: string): Promise<
  { session: ChatSessionRow; settings: LlmSettingsRow | null; active: ChatStreamRow | null } | undefined
> {
  const [row] = await db.select({ session: chatSessions, settings: workspaceLlmSettings, active: chatStreams })
    .from(chatSessions)
    .leftJoin(workspaceLlmSettings, eq(workspaceLlmSettings.workspaceId, chatSessions.workspaceId))
    .leftJoin(chatStreams, and(eq(chatStreams.sessionId, chatSessions.id), eq(chatStreams.status, "active")))
    .where(eq(chatSessions.id, id));
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

/** Asks the process generating a session's answer to stop; false when nothing is generating. */
export async function requestStop(db: Db, sessionId: string): Promise<ChatStreamRow | undefined> {
  const [row] = await db.update(chatStreams).set({ stopRequested: true })
    .where(and(eq(chatStreams.sessionId, sessionId), eq(chatStreams.status, "active")))
    .returning();
  return row;
}
