/**
 * One chat turn: admit the request (rate, budget), store the question, load the context, stream the
 * model's answer to the client in the AI SDK UI message stream protocol while logging it, run tool
 * calls as the user, and store the answer when it ends: also when the client has gone away, because
 * the log branch of the stream keeps reading whatever happens to the client's branch.
 *
 *   POST ─ one transaction: limits (system) → session, model settings, question, stream row (user)
 *        ─ streamText ─ UI chunks ─ tee ─→ client (SSE)
 *                                      └→ StreamLog (batched) ─ end → answer row, usage, title
 */
import {
  convertToModelMessages,
  createUIMessageStreamResponse,
  stepCountIs,
  streamText,
  type UIMessage,
  type UIMessageChunk,
} from "ai";
import { and, eq, inArray, lt } from "drizzle-orm";
import type { AppDeps } from "../../lib/deps.ts";
import type { Db } from "../../db/client.ts";
import { ApiError, notFound } from "../../lib/http/errors.ts";
import { postgresCode } from "../../lib/http/error_handler.ts";
import { asSystem, asSystemThenUser } from "../../db/rls.ts";
import { chatMessages, chatSessions, chatStreams } from "../../db/schema.ts";
import {
  type ChatMessageRow,
  type ChatSessionRow,
  insertMessage,
  recentMessages,
  sessionForTurn,
} from "../../db/queries/chat.ts";
import { languageModel, llmNotConfigured, type ModelSettings, resolveModelSettings } from "../../lib/llm/model.ts";
import { allowListFor } from "../../lib/net/outbound.ts";
import { openOverrides } from "../llm_settings.ts";
import { admitChatRequest, recordUsage } from "./limits.ts";
import { endStaleStream, StreamLog } from "./stream_log.ts";
import { chatTools } from "./tools/mod.ts";
import { describeUpstreamError, endingsAsErrors } from "./upstream_errors.ts";
import { systemPrompt } from "./prompt.ts";
import { nameSession, provisionalTitle } from "./title.ts";
import { messageText } from "../../lib/llm/message_text.ts";
import { storableJson, storableText } from "../../lib/text.ts";

/** Messages of history the model sees: enough for a conversation, bounded for long sessions. */
const CONTEXT_MESSAGES = 40;
/** Model calls in one turn (each tool round is one). */
const MAX_STEPS = 8;
/** How long a finished answer's log stays for a follower that arrives late. */
const FINISHED_LOG_KEEP_MS = 10 * 60_000;

/** A question, or a retry of the last one after a failed answer. */
export type TurnInput = { content: string; retry?: false } | { retry: true; content?: undefined };

/** Answers in progress in this process, so a stop request aborts at once. */
const running = new Map<string, AbortController>();

/** Each part the model stream yields (text, reasoning, tool calls and results), made storable (lib/text.ts). */
function storableParts<T>(): TransformStream<T, T> {
  return new TransformStream({ transform: (part, controller) => controller.enqueue(storableJson(part)) });
}

/** Starts a turn and returns the streaming response. Errors before streaming are ApiErrors (4xx/503). */
export async function startChatTurn(
  deps: AppDeps,
  userId: string,
  sessionId: string,
  input: TurnInput,
): Promise<Response> {
  const turn = await asSystemThenUser(
    deps.db,
    userId,
    (tx) => admitChatRequest(deps, tx, userId),
    (tx) => prepareTurn(deps, tx, userId, sessionId, input),
  );
  const controller = new AbortController();
  running.set(turn.streamId, controller);
  const ctx = { deps, userId, workspaceId: turn.session.workspaceId, sessionId };
  const tools = chatTools(ctx);
  const history = turn.history.filter((m) => m.parts.length > 0);
  const timeoutMs = deps.config.llm.timeoutMs;
  let lastError: string | undefined;

  const result = streamText({
    model: languageModel(turn.settings, { fetch: deps.fetch, allow: allowListFor(deps.config) }),
    system: systemPrompt(deps.now()),
    messages: await convertToModelMessages(history, { tools, ignoreIncompleteToolCalls: true }),
    tools,
    stopWhen: stepCountIs(MAX_STEPS),
    // Where the model's text enters: NUL and lone surrogates go before anything streams or is stored.
    experimental_transform: storableParts,
    maxRetries: 1,
    abortSignal: controller.signal,
    timeout: { firstChunkMs: timeoutMs, chunkMs: timeoutMs },
    // The chat shows the error (see onError below); the log gets one line instead of the SDK's dump.
    onError: ({ error }) => {
      lastError = storableText(describeUpstreamError(error, timeoutMs));
      deps.log.warn("model call failed", { session: sessionId, error: lastError });
    },
  });
  let answer: UIMessage | undefined;
  const chunks = result.toUIMessageStream({
    generateMessageId: () => turn.messageId,
    sendReasoning: true,
    // An upstream's error message is text from outside too.
    onError: (error) => storableText(describeUpstreamError(error, timeoutMs)),
    redactToolErrors: false,
    onEnd: ({ responseMessage }) => {
      answer = responseMessage;
    },
  });
  const [toClient, toLog] = endingsAsErrors(chunks, controller.signal, timeoutMs, () => lastError).tee();

  const log = new StreamLog(
    deps,
    { id: turn.streamId, workspaceId: turn.session.workspaceId },
    () => controller.abort(),
  );
  const stored = (async () => {
    let error: string | undefined;
    let stopped = false;
    for await (const chunk of toLog as unknown as AsyncIterable<UIMessageChunk>) {
      log.append(chunk);
      if (chunk.type === "error") error = chunk.errorText;
      if (chunk.type === "abort") stopped = true;
    }
    await log.close();
    const usage = await Promise.resolve(result.totalUsage).catch(() => undefined);
    const ending = {
      parts: answer?.parts ?? [],
      status: error ? "error" as const : stopped ? "stopped" as const : "done" as const,
      error,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
    };
    await storeAnswer(deps, turn, ending).catch(async (failure) => {
      deps.log.error("chat answer could not be stored", { session: sessionId, error: String(failure) });
      // The chat must stay usable: an empty answer marked failed ends the stream, and Retry asks again.
      error = "The answer could not be saved: ask again";
      await storeAnswer(deps, turn, { ...ending, parts: [], status: "error", error });
    });
    if (turn.firstExchange && !error && turn.session.titleSource === "auto") {
      nameSession(deps, turn, answer); // in the background: the title lands a moment later
    }
  })().catch((error) => deps.log.error("chat turn could not be stored", { session: sessionId, error: String(error) }))
    .finally(() => running.delete(turn.streamId));

  // The client's stream ends once the answer is stored, so a reload or the next question right
  // after it finds the answer in place (and no answer in progress).
  const durable = new TransformStream<UIMessageChunk, UIMessageChunk>({ flush: () => stored });
  return createUIMessageStreamResponse({ stream: toClient.pipeThrough(durable) });
}

/** What the transaction before streaming decided. */
export interface PreparedTurn {
  session: ChatSessionRow;
  settings: ModelSettings;
  history: UIMessage[];
  streamId: string;
  messageId: string;
  userId: string;
  /** The question's text, for the provisional title. */
  question: string;
  firstExchange: boolean;
}

async function prepareTurn(
  deps: AppDeps,
  tx: Db,
  userId: string,
  sessionId: string,
  input: TurnInput,
): Promise<PreparedTurn> {
  const found = await sessionForTurn(tx, sessionId);
  if (!found) throw notFound("Chat");
  const { session, active } = found;
  const settings = resolveModelSettings(deps.config.llm, await openOverrides(deps, found.settings));
  if (!settings) throw llmNotConfigured();
  if (active && !await endStaleStream(deps, tx, active)) throw busy();
  let rows = await recentMessages(tx, session.id, CONTEXT_MESSAGES);
  if (input.retry) {
    const lastQuestion = rows.findLastIndex((m) => m.role === "user");
    if (lastQuestion < 0) throw new ApiError(409, "conflict", "There is no question to retry in this chat");
    // The failed answers after the question give way to the new one.
    const failed = rows.slice(lastQuestion + 1).filter((m) => m.status === "error").map((m) => m.id);
    if (failed.length) await tx.delete(chatMessages).where(inArray(chatMessages.id, failed));
    rows = rows.slice(0, lastQuestion + 1);
  }
  const question = input.retry ? undefined : await insertMessage(tx, {
    workspaceId: session.workspaceId,
    sessionId: session.id,
    userId,
    role: "user",
    parts: [{ type: "text", text: input.content }],
  });
  const [stream] = await tx.insert(chatStreams).values({
    workspaceId: session.workspaceId,
    sessionId: session.id,
    messageId: crypto.randomUUID(),
  }).returning().catch((error) => {
    // Two questions at once: the one-active-stream index lets only one through.
    if (postgresCode(error) === "23505") throw busy();
    throw error;
  });
  if (question) rows.push(question);
  const firstExchange = rows.filter((m) => m.role === "user").length === 1 && rows.length === 1;
  return {
    session,
    settings,
    history: rows.map(toUIMessage),
    streamId: stream.id,
    messageId: stream.messageId,
    userId,
    question: messageText(rows.at(-1)),
    firstExchange,
  };
}

const busy = () =>
  new ApiError(409, "conflict", "An answer is still being written in this chat: wait for it, or stop it");

/** A stored message as the AI SDK's UI message. */
export function toUIMessage(row: ChatMessageRow): UIMessage {
  return { id: row.id, role: row.role, parts: row.parts as UIMessage["parts"] };
}

/** Stores the answer, ends its stream and adds its tokens to the user's day, in one transaction. */
async function storeAnswer(
  deps: AppDeps,
  turn: PreparedTurn,
  answer: {
    parts: UIMessage["parts"];
    status: "done" | "stopped" | "error";
    error?: string;
    inputTokens: number;
    outputTokens: number;
  },
): Promise<void> {
  // As the system: the answer is stored even if the user lost access while it was written.
  await asSystem(deps.db, async (tx) => {
    await insertMessage(tx, {
      id: turn.messageId,
      workspaceId: turn.session.workspaceId,
      sessionId: turn.session.id,
      role: "assistant",
      parts: answer.parts,
      status: answer.status,
      error: answer.error ?? null,
      model: turn.settings.model,
      inputTokens: answer.inputTokens,
      outputTokens: answer.outputTokens,
    });
    await tx.update(chatStreams).set({ status: "done" }).where(eq(chatStreams.id, turn.streamId));
    // Logs of finished answers are kept a while for late followers, then dropped.
    await tx.delete(chatStreams).where(and(
      eq(chatStreams.sessionId, turn.session.id),
      eq(chatStreams.status, "done"),
      lt(chatStreams.createdAt, new Date(deps.now().getTime() - FINISHED_LOG_KEEP_MS)),
    ));
    await tx.update(chatSessions).set({
      updatedAt: deps.now(),
      ...(turn.firstExchange && turn.session.titleSource === "auto" ? { title: provisionalTitle(turn.question) } : {}),
    }).where(eq(chatSessions.id, turn.session.id));
    await recordUsage(deps, tx, turn.userId, { inputTokens: answer.inputTokens, outputTokens: answer.outputTokens });
  });
}

/** Asks the session's answer in progress to stop. False when nothing is being written. */
export function stopLocally(streamId: string): boolean {
  const controller = running.get(streamId);
  controller?.abort();
  return Boolean(controller);
}
