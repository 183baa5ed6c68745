/**
 * The conversation: messages (markdown, tool calls, artifacts), the composer, stop and retry. The
 * AI SDK's chat (lib/client/preact_chat.ts) sends questions and reads the streamed answers; a page
 * opened while an answer is being written resumes it from the server's log.
 */
import { useEffect, useMemo, useRef } from "preact/hooks";
import { useSignal } from "@preact/signals";
import { DefaultChatTransport, type UIMessage } from "ai";
import { PreactChat } from "../lib/client/preact_chat.ts";
import { Markdown } from "../components/Markdown.tsx";
import { messageText } from "../lib/llm/message_text.ts";
import { ResultTable } from "../components/ResultTable.tsx";

/** A stored message as the page hands it over. */
export interface StoredMessage {
  id: string;
  role: "system" | "user" | "assistant";
  parts: UIMessage["parts"];
  status: "done" | "stopped" | "error";
  error: string | null;
}

interface Meta {
  status?: StoredMessage["status"];
  error?: string | null;
}

type Message = UIMessage<Meta>;

interface Props {
  sessionId: string;
  title: string;
  messages: StoredMessage[];
  streaming: boolean;
  configured: boolean;
}

export default function ChatPanel(props: Props) {
  const hydrated = useSignal(false);
  const title = useSignal(props.title);
  const draft = useSignal("");
  const bottom = useRef<HTMLDivElement>(null);
  const base = `/api/chat/sessions/${props.sessionId}`;

  const chat = useMemo(() =>
    new PreactChat<Message>({
      id: props.sessionId,
      messages: props.messages.map((m) => ({
        id: m.id,
        role: m.role,
        parts: m.parts,
        metadata: { status: m.status, error: m.error },
      })),
      transport: new DefaultChatTransport<Message>({
        api: `${base}/messages`,
        prepareSendMessagesRequest: ({ messages, trigger }) => ({
          body: trigger === "regenerate-message" ? { retry: true } : { content: messageText(messages.at(-1)) },
        }),
        prepareReconnectToStreamRequest: () => ({ api: `${base}/stream` }),
      }),
      onFinish: ({ messages }) => {
        // The model names a chat after its first exchange; show the name when it lands.
        if (messages.filter((m) => m.role === "user").length === 1) setTimeout(refreshTitle, 1500);
      },
    }), []);

  async function refreshTitle() {
    const res = await fetch(base);
    if (res.ok) title.value = ((await res.json()) as { session: { title: string } }).session.title;
  }

  useEffect(() => {
    hydrated.value = true;
    if (props.streaming) chat.resumeStream();
  }, []);

  const messages = chat.messages;
  const busy = chat.status === "submitted" || chat.status === "streaming";
  useEffect(() => bottom.current?.scrollIntoView({ block: "end" }), [messages.length, messageText(messages.at(-1))]);

  function send(event?: Event) {
    event?.preventDefault();
    const text = draft.value.trim();
    if (!text || busy) return;
    draft.value = "";
    chat.sendMessage({ text });
  }

  async function stop() {
    await Promise.all([chat.stop(), fetch(`${base}/stop`, { method: "POST" })]);
  }

  const last = messages.at(-1);
  const failed = chat.error?.message ?? (last?.metadata?.status === "error" ? last.metadata.error : undefined);

  return (
    <div class="chat">
      <h1 class="chat-title">{title.value}</h1>
      <div class="chat-log" aria-live="polite">
        {messages.length === 0 && (
          <p class="muted chat-hint">
            Ask about your data: “Which weather is most common in Seattle? Chart it.” The assistant can list datasets,
            run queries, and make charts, tables and documents you can keep.
          </p>
        )}
        {messages.map((m) => <MessageView key={m.id} message={m} rich={hydrated.value} />)}
        {failed && !busy && (
          <div class="alert chat-error" role="alert" data-testid="chat-error">
            <span>{failed}</span>
            <button type="button" class="button" onClick={() => chat.regenerate()}>Retry</button>
          </div>
        )}
        <div ref={bottom} />
      </div>
      <form class="composer" onSubmit={send}>
        <textarea
          name="content"
          rows={2}
          placeholder={props.configured ? "Ask about your data…" : "Configure a model first (see above)"}
          disabled={!props.configured}
          value={draft.value}
          onInput={(e) => draft.value = (e.currentTarget as HTMLTextAreaElement).value}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) send(e);
          }}
        />
        {busy
          ? <button type="button" class="button" onClick={stop} data-testid="stop">Stop</button>
          : <button type="submit" class="button primary" disabled={!props.configured || !hydrated.value}>Send</button>}
      </form>
    </div>
  );
}

function MessageView({ message, rich }: { message: Message; rich: boolean }) {
  const stopped = message.metadata?.status === "stopped";
  return (
    <article class={`message message-${message.role}`} data-testid={`message-${message.role}`}>
      {message.parts.map((part, i) => <PartView key={i} part={part} rich={rich} />)}
      {stopped && <p class="muted small">Stopped.</p>}
    </article>
  );
}

function PartView({ part, rich }: { part: Message["parts"][number]; rich: boolean }) {
  if (part.type === "text") return part.text ? <Markdown text={part.text} rich={rich} /> : null;
  if (part.type === "reasoning") {
    return (
      <details class="reasoning">
        <summary>Reasoning</summary>
        <p class="muted">{part.text}</p>
      </details>
    );
  }
  if (part.type.startsWith("tool-")) {
    const tool = part as { type: string; state: string; input?: unknown; output?: unknown; errorText?: string };
    const name = tool.type.slice("tool-".length);
    const artifact = tool.state === "output-available" ? artifactOf(tool.output) : undefined;
    return (
      <>
        <details class="tool-call" data-testid="tool-call">
          <summary>
            <code>{name}</code> <span class="muted small">{TOOL_STATES[tool.state] ?? tool.state}</span>
          </summary>
          <pre>{JSON.stringify(tool.input, null, 2)}</pre>
          {tool.errorText && <p class="alert">{tool.errorText}</p>}
          {tool.output !== undefined && <pre>{JSON.stringify(tool.output, null, 2)}</pre>}
        </details>
        {artifact && <ArtifactCard artifact={artifact} rich={rich} />}
      </>
    );
  }
  return null;
}

const TOOL_STATES: Record<string, string> = {
  "input-streaming": "preparing…",
  "input-available": "running…",
  "output-available": "done",
  "output-error": "failed",
};

interface ArtifactRef {
  artifact_id: string;
  version: number;
  type: string;
  name: string;
}

function artifactOf(output: unknown): ArtifactRef | undefined {
  const o = output as Partial<ArtifactRef> | undefined;
  return o?.artifact_id && o.version && o.type ? o as ArtifactRef : undefined;
}

/** An artifact made in the chat, shown where it was made; the full view is on its own page. */
function ArtifactCard({ artifact, rich }: { artifact: ArtifactRef; rich: boolean }) {
  const content = useSignal<
    { columns?: { name: string; type?: string }[]; rows?: unknown[][]; markdown?: string } | null
  >(null);
  const url = `/api/artifacts/${artifact.artifact_id}`;
  useEffect(() => {
    if (artifact.type === "chart") return;
    fetch(`${url}?version=${artifact.version}`).then((r) => r.ok ? r.json() : null).then((a) => {
      content.value = a?.data ?? null;
    });
  }, [artifact.artifact_id, artifact.version]);
  const data = content.value;
  return (
    <figure class="artifact card" data-testid="artifact">
      <figcaption>
        <strong>{artifact.name}</strong> <span class="muted small">{artifact.type} · v{artifact.version}</span>
        <a class="small" href={`/artifacts/${artifact.artifact_id}?version=${artifact.version}`}>Open</a>
        {(artifact.type === "chart" || artifact.type === "table") && (
          <a class="small" href={`/artifacts/${artifact.artifact_id}#pin`}>Pin to dashboard</a>
        )}
      </figcaption>
      {artifact.type === "chart" && (
        <img
          src={`${url}/chart.svg?version=${artifact.version}`}
          alt={artifact.name}
          data-testid="artifact-chart"
          loading="lazy"
        />
      )}
      {data?.markdown !== undefined && <Markdown text={data.markdown} rich={rich} />}
      {data?.rows && <ResultTable columns={data.columns ?? []} rows={data.rows} limit={10} />}
    </figure>
  );
}
