/** The chat pages' list of conversations, newest activity first, with a button for a new one. */
import type { ChatSessionRow } from "../db/queries/chat.ts";

export function ChatSidebar(props: { sessions: ChatSessionRow[]; current?: string }) {
  return (
    <aside class="chat-sessions" aria-label="Conversations">
      <form method="post" action="/chat">
        <button type="submit" class="button primary" data-testid="new-chat">New chat</button>
      </form>
      <ul class="plain-list">
        {props.sessions.map((s) => (
          <li>
            <a
              href={`/chat/${s.id}`}
              class={s.id === props.current ? "chat-session active" : "chat-session"}
              aria-current={s.id === props.current ? "page" : undefined}
            >
              {s.title}
            </a>
          </li>
        ))}
      </ul>
    </aside>
  );
}

/** What to do while no model is configured, said where the chat would be. */
export function ModelMissing() {
  return (
    <div class="notice" role="note" data-testid="llm-missing">
      <strong>No language model is configured.</strong> Set <code>OPENAI_API_KEY</code> (and{" "}
      <code>OPENAI_BASE_URL</code> for another OpenAI-compatible server such as Ollama, with{" "}
      <code>LLM_MODEL</code>) and restart, or add a model for this workspace in <a href="/settings#model">Settings</a>.
    </div>
  );
}
