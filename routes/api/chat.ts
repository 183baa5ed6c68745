/** /api/chat: sessions, their messages, and answers streamed in the AI SDK UI message stream protocol. */
import { createRoute, z } from "@hono/zod-openapi";
import { UI_MESSAGE_STREAM_HEADERS } from "ai";
import type { AppDeps } from "../../lib/deps.ts";
import {
  apiRouter,
  callerId,
  decodeCursor,
  encodeCursor,
  errorResponses,
  ErrorSchema,
  jsonContent,
  keysetPage,
  notFoundResponse,
  pageOf,
  PageQuery,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import type { ChatMessageRow, ChatSessionRow } from "../../db/queries/chat.ts";
import {
  createSession,
  deleteSession,
  listSessionsOf,
  openSession,
  renameSession,
  stopSession,
  streamToFollow,
} from "../../functions/chat/sessions.ts";
import { startChatTurn } from "../../functions/chat/turn.ts";
import { followStream } from "../../functions/chat/stream_log.ts";
import { IdParam } from "./schemas.ts";
import { MAX_MESSAGE_CHARS } from "../../lib/llm/limits.ts";

const SessionSchema = z.object({
  id: z.uuid(),
  workspace_id: z.uuid(),
  title: z.string(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
}).openapi("ChatSession");

const MessageSchema = z.object({
  id: z.uuid(),
  role: z.enum(["system", "user", "assistant"]),
  parts: z.array(z.record(z.string(), z.unknown())).openapi({ description: "AI SDK UI message parts" }),
  status: z.enum(["done", "stopped", "error"]),
  error: z.string().nullable(),
  model: z.string().nullable(),
  usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }).nullable(),
  created_at: z.iso.datetime(),
}).openapi("ChatMessage");

const title = z.string().trim().min(1).max(200);
const CreateBody = z.object({ title: title.optional(), workspace_id: z.uuid().optional() }).strict()
  .openapi("CreateChatSessionRequest");
const PatchBody = z.object({ title }).strict().openapi("UpdateChatSessionRequest");
const MessageBody = z.union([
  z.object({
    content: z.string().trim().min(1, "Write a message").max(MAX_MESSAGE_CHARS),
    retry: z.literal(false).optional(),
  })
    .strict(),
  z.object({ retry: z.literal(true) }).strict(),
]).openapi("ChatMessageRequest", { description: "A question, or `{retry: true}` to answer the last one again" });
const MessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().max(200).optional().openapi({ description: "The next_cursor of a previous page: older messages" }),
});

export function sessionJson(s: ChatSessionRow) {
  return {
    id: s.id,
    workspace_id: s.workspaceId,
    title: s.title,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

export function messageJson(m: ChatMessageRow) {
  return {
    id: m.id,
    role: m.role,
    parts: m.parts as Record<string, unknown>[],
    status: m.status,
    error: m.error,
    model: m.model,
    usage: m.inputTokens === null ? null : { input_tokens: m.inputTokens, output_tokens: m.outputTokens ?? 0 },
    created_at: m.createdAt.toISOString(),
  };
}

const route = signedInRoute("Chat");
const notFound = notFoundResponse("No such chat");
const eventStream = { "text/event-stream": { schema: z.string() } };

const routes = {
  create: createRoute({
    ...route("post", "/sessions", "Start a chat"),
    request: { body: { content: jsonContent(CreateBody), required: true } },
    responses: { 201: { description: "Created", content: jsonContent(SessionSchema) }, ...errorResponses },
  }),
  list: createRoute({
    ...route("get", "/sessions", "Chats, most recently active first"),
    request: { query: PageQuery.extend({ workspace_id: z.uuid().optional() }) },
    responses: {
      200: {
        description: "One page",
        content: jsonContent(pageOf(SessionSchema)),
      },
      ...errorResponses,
    },
  }),
  get: createRoute({
    ...route("get", "/sessions/{id}", "A chat with its newest messages (oldest first)"),
    request: { params: IdParam, query: MessagesQuery },
    responses: {
      200: {
        description: "The chat",
        content: jsonContent(z.object({
          session: SessionSchema,
          messages: z.array(MessageSchema),
          next_cursor: z.string().nullable(),
          streaming: z.boolean().openapi({ description: "An answer is being written: GET …/stream follows it" }),
        })),
      },
      ...notFound,
      ...errorResponses,
    },
  }),
  patch: createRoute({
    ...route("patch", "/sessions/{id}", "Rename a chat"),
    request: { params: IdParam, body: { content: jsonContent(PatchBody), required: true } },
    responses: {
      200: { description: "Renamed", content: jsonContent(SessionSchema) },
      ...notFound,
      ...errorResponses,
    },
  }),
  delete: createRoute({
    ...route("delete", "/sessions/{id}", "Delete a chat and its messages"),
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...notFound, ...errorResponses },
  }),
  send: createRoute({
    ...route("post", "/sessions/{id}/messages", "Ask; the answer streams back as a UI message stream"),
    request: { params: IdParam, body: { content: jsonContent(MessageBody), required: true } },
    responses: {
      200: { description: "Server-sent events, header x-vercel-ai-ui-message-stream: v1", content: eventStream },
      409: { description: "An answer is already being written", content: jsonContent(ErrorSchema) },
      429: { description: "Rate limit or daily token budget reached", content: jsonContent(ErrorSchema) },
      503: { description: "No model configured (llm_not_configured)", content: jsonContent(ErrorSchema) },
      ...notFound,
      ...errorResponses,
    },
  }),
  stream: createRoute({
    ...route("get", "/sessions/{id}/stream", "Replay and follow the answer being written"),
    request: { params: IdParam },
    responses: {
      200: { description: "The answer from its start, then live", content: eventStream },
      204: { description: "Nothing is being written" },
      ...notFound,
      ...errorResponses,
    },
  }),
  stop: createRoute({
    ...route("post", "/sessions/{id}/stop", "Stop the answer being written; what it wrote is kept"),
    request: { params: IdParam },
    responses: {
      200: { description: "Whether an answer was stopped", content: jsonContent(z.object({ stopped: z.boolean() })) },
      ...notFound,
      ...errorResponses,
    },
  }),
};

export function chatRoutes(deps: AppDeps) {
  const app = apiRouter();
  const userId = callerId;

  app.openapi(
    routes.create,
    async (c) => c.json(sessionJson(await createSession(deps, userId(c), c.req.valid("json"))), 201),
  );
  app.openapi(routes.list, async (c) => {
    const { limit, cursor, workspace_id } = c.req.valid("query");
    const found = await listSessionsOf(deps, userId(c), {
      limit: limit + 1,
      workspaceId: workspace_id,
      after: decodeCursor(cursor),
    });
    return c.json(keysetPage(found, limit, sessionJson, (s) => ({ at: s.updatedAt, id: s.id })), 200);
  });
  app.openapi(routes.get, async (c) => {
    const { limit, before } = c.req.valid("query");
    const opened = await openSession(deps, userId(c), c.req.valid("param").id, { limit, before: decodeCursor(before) });
    const oldest = opened.messages[0];
    return c.json({
      session: sessionJson(opened.session),
      messages: opened.messages.map(messageJson),
      next_cursor: opened.hasMore && oldest ? encodeCursor(oldest.createdAt, oldest.id) : null,
      streaming: Boolean(opened.active),
    }, 200);
  });
  app.openapi(routes.patch, async (c) => {
    const renamed = await renameSession(deps, userId(c), c.req.valid("param").id, c.req.valid("json").title);
    return c.json(sessionJson(renamed), 200);
  });
  app.openapi(routes.delete, async (c) => {
    await deleteSession(deps, userId(c), c.req.valid("param").id);
    return c.body(null, 204);
  });
  app.openapi(routes.send, async (c) => {
    const body = c.req.valid("json");
    const input = "content" in body && body.content !== undefined
      ? { content: body.content }
      : { retry: true as const };
    return await startChatTurn(deps, userId(c), c.req.valid("param").id, input) as never;
  });
  app.openapi(routes.stream, async (c) => {
    const active = await streamToFollow(deps, userId(c), c.req.valid("param").id);
    if (!active) return c.body(null, 204);
    const body = followStream(deps, userId(c), active.id).pipeThrough(new TextEncoderStream());
    return new Response(body, { headers: UI_MESSAGE_STREAM_HEADERS }) as never;
  });
  app.openapi(routes.stop, async (c) => {
    return c.json({ stopped: await stopSession(deps, userId(c), c.req.valid("param").id) }, 200);
  });
  return app;
}
