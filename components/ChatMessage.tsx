/** A chat message as the conversation shows it: markdown, reasoning, tool calls folded, artifacts inline. */
import { useEffect } from "preact/hooks";
import { useSignal } from "@preact/signals";
import type { UIMessage } from "ai";
import { Markdown } from "./Markdown.tsx";
import { ResultTable } from "./ResultTable.tsx";

/** What the chat keeps beside a message: how its answer ended. */
export interface ChatMeta {
  status?: "done" | "stopped" | "error";
  error?: string | null;
}

type Message = UIMessage<ChatMeta>;

/** One message of the conversation. */
export function MessageView({ message, rich }: { message: Message; rich: boolean }) {
  const stopped = message.metadata?.status === "stopped";
  // An answer that failed before its first word is no bubble: the failure shows under the question.
  if (message.role === "assistant" && !stopped && !message.parts.some(visible)) return null;
  return (
    <article class={`message message-${message.role}`} data-testid={`message-${message.role}`}>
      {message.parts.map((part, i) => <PartView key={i} part={part} rich={rich} />)}
      {stopped && <p class="muted small">Stopped.</p>}
    </article>
  );
}

/** Whether a part shows anything (step markers and empty text do not). */
function visible(part: Message["parts"][number]): boolean {
  if (part.type === "text" || part.type === "reasoning") return part.text.trim() !== "";
  return part.type.startsWith("tool-");
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
