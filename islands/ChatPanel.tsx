/**
 * The conversation: messages (components/ChatMessage.tsx), the composer, stop and retry. The AI
 * SDK's chat (lib/client/preact_chat.ts) sends questions and reads the streamed answers; a page
 * opened while an answer is being written resumes it from the server's log. A new chat exists
 * only once its first question is sent: the island creates it then and moves the address to it.
 * A refused question (lib/client/chat_errors.ts) goes back into the box with a sentence saying why.
 */
import { useEffect, useMemo, useRef } from "preact/hooks";
import { type Signal, useSignal } from "@preact/signals";
import { DefaultChatTransport, type UIMessage } from "ai";
import { PreactChat } from "../lib/client/preact_chat.ts";
import {
  answerFailureSentence,
  lengthStatus,
  Refusal,
  refusalSentence,
  refusingFetch,
} from "../lib/client/chat_errors.ts";
import { messageText } from "../lib/llm/message_text.ts";
import { type ChatMeta, MessageView } from "../components/ChatMessage.tsx";
import { chatPageTitle, tabTitle } from "../components/page_title.ts";

/** A stored message as the page hands it over. */
export interface StoredMessage {
  id: string;
  role: "system" | "user" | "assistant";
  parts: UIMessage["parts"];
  status: "done" | "stopped" | "error";
  error: string | null;
}

/** The chat the page is on, shared with the conversation list so a new name shows there at once. */
export interface CurrentChat {
  id: string | null;
  title: string;
}

type Message = UIMessage<ChatMeta>;

function toMessage(m: StoredMessage): Message {
  return { id: m.id, role: m.role, parts: m.parts, metadata: { status: m.status, error: m.error } };
}

interface Props {
  /** `id: null` on /chat: the chat is created when the first question is sent. */
  current: Signal<CurrentChat>;
  messages: StoredMessage[];
  streaming: boolean;
  configured: boolean;
  /** The example question under an empty conversation; off when a guide above already gives one. */
  hint?: boolean;
}

export default function ChatPanel(props: Props) {
  const { current } = props;
  const hydrated = useSignal(false);
  const draft = useSignal("");
  /** The question on its way, so a refusal can put it back. */
  const pending = useSignal<string | null>(null);
  const refusal = useSignal<string | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const composer = useRef<HTMLFormElement>(null);
  const base = () => `/api/chat/sessions/${current.value.id}`;

  const chat = useMemo(() =>
    new PreactChat<Message>({
      id: current.value.id ?? crypto.randomUUID(),
      messages: props.messages.map(toMessage),
      transport: new DefaultChatTransport<Message>({
        fetch: refusingFetch,
        prepareSendMessagesRequest: async ({ messages, trigger }) => {
          if (!current.value.id) await createChat(messageText(messages.at(-1)));
          return {
            api: `${base()}/messages`,
            body: trigger === "regenerate-message" ? { retry: true } : { content: messageText(messages.at(-1)) },
          };
        },
        prepareReconnectToStreamRequest: () => ({ api: `${base()}/stream` }),
      }),
      onError: (error) => {
        if (!(error instanceof Refusal)) return;
        refusal.value = error.message;
        // Nothing was stored: the question leaves the conversation and goes back into the box.
        const text = pending.value;
        if (text !== null && chat.messages.at(-1)?.role === "user") {
          chat.messages = chat.messages.slice(0, -1);
          if (!draft.value.trim()) draft.value = text;
        }
        pending.value = null;
        box.current?.focus();
      },
      onFinish: ({ messages, isError }) => {
        pending.value = null;
        // The model names a chat after its first exchange; show the name when it lands.
        if (!isError && messages.filter((m) => m.role === "user").length === 1) void followTitle();
      },
    }), []);

  /** Creates the chat on its first question and moves the address to it, without a reload. */
  async function createChat(question: string) {
    const res = await refusingFetch("/api/chat/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const session = await res.json() as { id: string };
    // The server names the chat after the question's first line until the model names it.
    showTitle(session.id, question.trim().split("\n")[0].slice(0, 80) || "New chat");
    history.replaceState(null, "", `/chat/${session.id}`);
  }

  function showTitle(id: string, title: string) {
    current.value = { id, title };
    document.title = tabTitle(chatPageTitle(title));
  }

  /** After the first answer: shows the server's title, then follows it for 15 s while the model names the chat. */
  async function followTitle() {
    let seen: string | undefined;
    for (let i = 0; i < 16; i++) {
      const res = await fetch(base()).catch(() => undefined);
      if (!res?.ok) return;
      const title = ((await res.json()) as { session: { title: string } }).session.title;
      if (title !== current.value.title) showTitle(current.value.id!, title);
      if (seen !== undefined && title !== seen) return;
      seen = title;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  useEffect(() => {
    hydrated.value = true;
    if (props.streaming) void chat.resumeStream().then(catchUp);
  }, []);

  /**
   * The answer the page was rendered during may have ended before the resume reached the server
   * (it then answers 204): read the stored conversation instead of leaving the question unanswered.
   */
  async function catchUp() {
    if (chat.messages.at(-1)?.role !== "user" || chat.status !== "ready") return;
    const res = await fetch(base()).catch(() => undefined);
    if (!res?.ok) return;
    const stored = ((await res.json()) as { messages: StoredMessage[] }).messages;
    chat.messages = stored.map(toMessage);
  }

  const messages = chat.messages;
  const busy = chat.status === "submitted" || chat.status === "streaming";
  const last = messages.at(-1);
  const answerError = chat.error && !(chat.error instanceof Refusal) ? chat.error.message : undefined;
  const failed = answerError ?? (last?.metadata?.status === "error" ? last.metadata.error ?? "" : undefined);
  useEffect(() => {
    // The composer sticks to the bottom of the window: the conversation's end scrolls to just above it.
    if (bottom.current) bottom.current.style.scrollMarginBottom = `${composer.current?.offsetHeight ?? 0}px`;
    bottom.current?.scrollIntoView({ block: "end" });
  }, [messages.length, messageText(last), failed]);

  const length = lengthStatus(draft.value);
  const empty = !draft.value.trim();
  const blocked = !props.configured
    ? "Sending is off until a language model is configured (see the notice above)."
    : length.over
    ? refusalSentence(413, undefined).replace("Your question was not sent: it", "This question")
    : null;

  function send(event?: Event) {
    event?.preventDefault();
    const text = draft.value.trim();
    if (!text || busy || blocked || !hydrated.value) return;
    refusal.value = null;
    pending.value = text;
    draft.value = "";
    void chat.sendMessage({ text });
  }

  async function stop() {
    await Promise.all([chat.stop(), current.value.id ? fetch(`${base()}/stop`, { method: "POST" }) : undefined]);
  }

  return (
    <div class="chat">
      <div class="chat-log" aria-live="polite">
        {messages.length === 0 && props.hint !== false && (
          <p class="muted chat-hint">
            Ask about your data: “Which weather is most common in Seattle? Chart it.” The assistant can list datasets,
            run queries, and make charts, tables and documents you can keep.
          </p>
        )}
        {messages.map((m) => <MessageView key={m.id} message={m} rich={hydrated.value} />)}
        {failed !== undefined && !busy && (
          // Under the question it answers, the same before and after a reload (an empty answer shows nothing).
          <div class="alert chat-error" role="alert" data-testid="chat-error">
            <span>{answerFailureSentence(failed)}</span>
            <button type="button" class="button" onClick={() => chat.regenerate()}>Retry</button>
          </div>
        )}
        <div ref={bottom} />
      </div>
      <form ref={composer} class="composer" onSubmit={send} aria-busy={busy}>
        {refusal.value && <p class="alert composer-alert" role="alert" data-testid="composer-error">{refusal.value}</p>}
        <div class="composer-row">
          <textarea
            ref={box}
            name="content"
            rows={2}
            aria-label="Your question"
            aria-describedby="composer-count"
            placeholder={props.configured ? "Ask about your data…" : ""}
            disabled={!props.configured}
            value={draft.value}
            onInput={(e) => draft.value = (e.currentTarget as HTMLTextAreaElement).value}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
            }}
          />
          {busy ? <button type="button" class="button" onClick={stop} data-testid="stop">Stop</button> : (
            <button
              type="submit"
              class="button primary"
              data-testid="send"
              disabled={Boolean(blocked) || empty || !hydrated.value}
              title={blocked ?? (empty ? "Write a question first" : undefined)}
            >
              Send
            </button>
          )}
        </div>
        <p class="composer-foot small">
          <span class={length.over ? "composer-reason danger-text" : "composer-reason muted"} data-testid="send-reason">
            {blocked ??
              (busy ? "Answering… Stop keeps what is written so far." : "Enter sends · Shift+Enter for a new line")}
          </span>
          <span
            id="composer-count"
            class={length.over ? "composer-count danger-text" : length.near ? "composer-count" : "composer-count muted"}
            data-testid="composer-count"
          >
            {length.count}
          </span>
        </p>
      </form>
    </div>
  );
}
