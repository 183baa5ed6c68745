/**
 * The AI SDK's own client pieces reading our chat API: `DefaultChatTransport` sends and reconnects
 * (as the chat island does), `readUIMessageStream` assembles the message from the chunks.
 */
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from "ai";
import { ORIGIN, type TestApp } from "./test_app.ts";
import { messageText } from "../../lib/llm/message_text.ts";

/** What one streamed answer looked like to the client. */
export interface StreamedAnswer {
  chunks: UIMessageChunk[];
  message: UIMessage | undefined;
  /** Concatenated text parts. */
  text: string;
}

/** A transport whose requests go to the in-process app with `cookie`. */
export function chatTransport(t: TestApp, cookie: string, sessionId: string, onResponse?: (res: Response) => void) {
  return new DefaultChatTransport<UIMessage>({
    api: `${ORIGIN}/api/chat/sessions/${sessionId}/messages`,
    headers: { cookie, origin: ORIGIN },
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await t.fetch(new Request(input, init), {
        remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 },
      });
      onResponse?.(res);
      return res;
    }) as typeof fetch,
    prepareSendMessagesRequest: ({ messages }) => ({
      body: { content: textOf(messages.at(-1)) },
    }),
    prepareReconnectToStreamRequest: () => ({ api: `${ORIGIN}/api/chat/sessions/${sessionId}/stream` }),
  });
}

/** The text of a message, as tests compare it. */
export const textOf = messageText;

/** Reads a chunk stream to its end. */
export async function readAnswer(stream: ReadableStream<UIMessageChunk>): Promise<StreamedAnswer> {
  const chunks: UIMessageChunk[] = [];
  const counted = stream.pipeThrough(
    new TransformStream<UIMessageChunk, UIMessageChunk>({
      transform(chunk, controller) {
        chunks.push(chunk);
        controller.enqueue(chunk);
      },
    }),
  );
  let message: UIMessage | undefined;
  for await (const m of readUIMessageStream({ stream: counted, terminateOnError: false })) message = m;
  return { chunks, message, text: textOf(message) };
}

/**
 * Sends `content` and reads the whole answer. The server ends the stream only once the answer is
 * stored, so callers can read it back at once. Throws with the API's error when it is refused.
 */
export async function ask(t: TestApp, cookie: string, sessionId: string, content: string): Promise<StreamedAnswer> {
  const stream = await chatTransport(t, cookie, sessionId).sendMessages({
    chatId: sessionId,
    messages: [{ id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: content }] }],
    abortSignal: undefined,
    trigger: "submit-message",
    messageId: undefined,
  });
  return await readAnswer(stream);
}

/** Creates a chat and returns its id. */
export async function newChat(t: TestApp, cookie: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.call("/api/chat/sessions", { body, cookie });
  if (res.status !== 201) throw new Error(`Cannot create a chat: ${res.status} ${res.text}`);
  return (res.body as { id: string }).id;
}

/** A chat as GET /api/chat/sessions/:id returns it. */
export interface ChatView {
  session: { id: string; title: string; workspace_id: string };
  messages: {
    id: string;
    role: string;
    parts: { type: string; text?: string; output?: unknown; errorText?: string; state?: string }[];
    status: string;
    error: string | null;
    usage: { input_tokens: number; output_tokens: number } | null;
  }[];
  next_cursor: string | null;
  streaming: boolean;
}

export async function getChat(t: TestApp, cookie: string, sessionId: string, query = ""): Promise<ChatView> {
  const res = await t.call(`/api/chat/sessions/${sessionId}${query}`, { cookie });
  if (res.status !== 200) throw new Error(`Cannot read the chat: ${res.status} ${res.text}`);
  return res.body as ChatView;
}

/** Polls `fn` until it returns a truthy value (or fails after `ms`). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error("Condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}
