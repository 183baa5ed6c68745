/**
 * A local server that speaks OpenAI's chat-completions wire format (streamed chunks, tool calls,
 * usage, HTTP errors, slow and broken streams), scripted by tests. The app under test talks to it
 * through the real `ai` + `@ai-sdk/openai` client: only the remote service is fake.
 */

/** What the app sent, as the fake read it. */
export interface FakeRequest {
  model: string;
  messages: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
  stream: boolean;
  authorization: string | null;
}

/** One scripted answer. */
export interface Reply {
  /** Streamed in pieces of `pieceSize` characters. */
  text?: string;
  pieceSize?: number;
  toolCalls?: { name: string; arguments: unknown }[];
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Before the first chunk: the upstream's own time to first token. */
  firstTokenDelayMs?: number;
  /** Between chunks. */
  chunkDelayMs?: number;
  /** Answer with this HTTP status and an OpenAI error body instead of a stream. */
  status?: number;
  errorMessage?: string;
  /** Drop the connection after this many content chunks. */
  breakAfterChunks?: number;
  /** Stop sending (but keep the connection open) after this many content chunks. */
  hangAfterChunks?: number;
}

export type Script = (request: FakeRequest, index: number) => Reply;

/** A running fake. */
export interface FakeOpenAI {
  /** The base URL to give OPENAI_BASE_URL (ends in /v1). */
  url: string;
  port: number;
  requests: FakeRequest[];
  /** Replaces the script for the requests that follow. */
  script(fn: Script): void;
  /** Milliseconds from each request's arrival to its first content chunk, by its last user message. */
  firstTokenMs: Map<string, number>;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The last user message's text, for scripts that answer by content. */
export function lastUserText(request: FakeRequest): string {
  const user = request.messages.findLast((m) => m.role === "user");
  if (!user) return "";
  if (typeof user.content === "string") return user.content;
  return (user.content as { type: string; text?: string }[]).map((p) => p.text ?? "").join("");
}

/** True when the request's last message is a tool result: the model's second step. */
export function afterToolResult(request: FakeRequest): boolean {
  return request.messages.at(-1)?.role === "tool";
}

/** The tool results of the current turn (after the last user message), parsed. */
export function toolResults(request: FakeRequest): unknown[] {
  const question = request.messages.findLastIndex((m) => m.role === "user");
  return request.messages.slice(question + 1).filter((m) => m.role === "tool").map((m) => {
    try {
      return JSON.parse(String(m.content));
    } catch {
      return m.content;
    }
  });
}

/** Starts the fake on a free port; by default it answers every request with a short text. */
export function startFakeOpenAI(initial: Script = () => ({ text: "Hello from the fake model." })): FakeOpenAI {
  let script = initial;
  const requests: FakeRequest[] = [];
  const firstTokenMs = new Map<string, number>();

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
      return Response.json({ error: { message: `No route ${url.pathname}` } }, { status: 404 });
    }
    const arrived = performance.now();
    const body = await req.json();
    const request: FakeRequest = {
      model: body.model,
      messages: body.messages,
      tools: body.tools,
      stream: body.stream === true,
      authorization: req.headers.get("authorization"),
    };
    const reply = script(request, requests.length);
    requests.push(request);
    if (reply.status) {
      return Response.json(
        { error: { message: reply.errorMessage ?? "Upstream failure", type: "server_error", code: null } },
        { status: reply.status },
      );
    }
    if (!request.stream) return Response.json(completion(request.model, reply));
    const onFirstToken = () => firstTokenMs.set(lastUserText(request), performance.now() - arrived);
    return new Response(streamChunks(request.model, reply, onFirstToken), {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  });

  const port = (server.addr as Deno.NetAddr).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    script: (fn) => script = fn,
    firstTokenMs,
    close: () => server.shutdown(),
  };
}

function completion(model: string, reply: Reply) {
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: reply.text ?? "", tool_calls: toolCallsOf(reply) },
      finish_reason: reply.toolCalls?.length ? "tool_calls" : "stop",
    }],
    usage: usageOf(reply),
  };
}

function toolCallsOf(reply: Reply) {
  return reply.toolCalls?.map((call, i) => ({
    id: `call_${i}_${crypto.randomUUID().slice(0, 8)}`,
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
}

function usageOf(reply: Reply) {
  const usage = reply.usage ?? { prompt_tokens: 50, completion_tokens: Math.ceil((reply.text ?? "").length / 4) };
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}

/** The SSE body: role, content pieces, tool call pieces, finish, usage, [DONE]. */
function streamChunks(model: string, reply: Reply, onFirstToken: () => void): ReadableStream {
  const id = `chatcmpl-${crypto.randomUUID().slice(0, 12)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    encoder.encode(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`,
    );
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: d, finish_reason: finish }]);

  const pieces: Uint8Array[] = [];
  const size = reply.pieceSize ?? 4;
  const text = reply.text ?? "";
  for (let i = 0; i < text.length; i += size) pieces.push(delta({ content: text.slice(i, i + size) }));
  for (const [index, call] of (toolCallsOf(reply) ?? []).entries()) {
    pieces.push(delta({
      tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }],
    }));
    const args = call.function.arguments;
    for (let i = 0; i < args.length; i += 40) {
      pieces.push(delta({ tool_calls: [{ index, function: { arguments: args.slice(i, i + 40) } }] }));
    }
  }

  return new ReadableStream({
    async start(controller) {
      try {
        if (reply.firstTokenDelayMs) await sleep(reply.firstTokenDelayMs);
        controller.enqueue(delta({ role: "assistant", content: text ? "" : null }));
        for (const [n, piece] of pieces.entries()) {
          if (n === reply.breakAfterChunks) return controller.error(new Error("connection dropped by the fake"));
          if (n === reply.hangAfterChunks) return; // never closes: the client must time out
          if (n === 0) onFirstToken();
          controller.enqueue(piece);
          if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
        }
        controller.enqueue(delta({}, reply.toolCalls?.length ? "tool_calls" : "stop"));
        controller.enqueue(chunk([], { usage: usageOf(reply) }));
        controller.enqueue(encoder.encode("data: [DONE]\n\n"));
        controller.close();
      } catch {
        // The client went away; nothing to send it.
      }
    },
  });
}
