/** Chat sessions as users manage them: create, list, open (with messages), rename, delete, stop. */
import { eq } from "drizzle-orm";
import type { AppDeps } from "../../lib/deps.ts";
import { notFound } from "../../lib/http/errors.ts";
import { asSystem, asUser } from "../../db/rls.ts";
import { chatSessions } from "../../db/schema.ts";
import type { PageAfter } from "../../db/queries/pages.ts";
import { writableWorkspace } from "../../db/queries/connectors.ts";
import {
  activeStream,
  type ChatMessageRow,
  type ChatSessionRow,
  type ChatStreamRow,
  findSession,
  listSessions,
  messagesBefore,
  recentMessages,
  requestStop,
} from "../../db/queries/chat.ts";
import { stopLocally } from "./turn.ts";
import { endStaleStream } from "./stream_log.ts";

export async function createSession(
  deps: AppDeps,
  userId: string,
  input: { title?: string; workspace_id?: string },
): Promise<ChatSessionRow> {
  return await asUser(deps.db, userId, async (tx) => {
    const workspace = await writableWorkspace(tx, userId, input.workspace_id);
    if (!workspace) throw notFound("Workspace");
    const [row] = await tx.insert(chatSessions).values({
      workspaceId: workspace.id,
      userId,
      ...(input.title ? { title: input.title, titleSource: "user" as const } : {}),
    }).returning();
    return row;
  });
}

export async function listSessionsOf(
  deps: AppDeps,
  userId: string,
  page: { limit: number; workspaceId?: string; after?: PageAfter },
): Promise<ChatSessionRow[]> {
  return await asUser(deps.db, userId, (tx) => listSessions(tx, page));
}

/** A session with its newest messages (or those before `before`), oldest first, and any answer in progress. */
export async function openSession(
  deps: AppDeps,
  userId: string,
  sessionId: string,
  page: { limit: number; before?: PageAfter },
): Promise<{ session: ChatSessionRow; messages: ChatMessageRow[]; hasMore: boolean; active?: ChatStreamRow }> {
  const read = () =>
    asUser(deps.db, userId, async (tx) => {
      const session = await findSession(tx, sessionId);
      if (!session) throw notFound("Chat");
      const found = page.before
        ? (await messagesBefore(tx, session.id, page.before, page.limit + 1)).reverse()
        : await recentMessages(tx, session.id, page.limit + 1);
      const hasMore = found.length > page.limit;
      return {
        session,
        messages: hasMore ? found.slice(1) : found,
        hasMore,
        active: page.before ? undefined : await activeStream(tx, session.id),
      };
    });
  const opened = await read();
  // A writer that died mid-answer: keep what it wrote as a retryable error. As the system, because
  // a viewer may be the one who notices, and the answer must be kept all the same.
  const active = opened.active;
  if (active && await asSystem(deps.db, (tx) => endStaleStream(deps, tx, active))) return await read();
  return opened;
}

export async function renameSession(deps: AppDeps, userId: string, sessionId: string, title: string) {
  const [row] = await asUser(
    deps.db,
    userId,
    (tx) =>
      tx.update(chatSessions).set({ title, titleSource: "user", updatedAt: deps.now() })
        .where(eq(chatSessions.id, sessionId)).returning(),
  );
  if (!row) throw notFound("Chat");
  return row;
}

export async function deleteSession(deps: AppDeps, userId: string, sessionId: string): Promise<void> {
  const deleted = await asUser(
    deps.db,
    userId,
    (tx) => tx.delete(chatSessions).where(eq(chatSessions.id, sessionId)).returning({ id: chatSessions.id }),
  );
  if (!deleted.length) throw notFound("Chat");
}

/**
 * Stops the answer being written in a session: at once when this process writes it, else at the
 * writer's next heartbeat. False when nothing is being written.
 */
export async function stopSession(deps: AppDeps, userId: string, sessionId: string): Promise<boolean> {
  const stream = await asUser(deps.db, userId, async (tx) => {
    if (!await findSession(tx, sessionId)) throw notFound("Chat");
    return await requestStop(tx, sessionId);
  });
  if (stream) stopLocally(stream.id);
  return Boolean(stream);
}

/** The active stream of a session the caller can read, for replaying it. */
export async function streamToFollow(deps: AppDeps, userId: string, sessionId: string) {
  return await asUser(deps.db, userId, async (tx) => {
    if (!await findSession(tx, sessionId)) throw notFound("Chat");
    return await activeStream(tx, sessionId);
  });
}
