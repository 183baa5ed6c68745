/**
 * The chat pages' list of conversations, newest activity first, with a link for a new one. It
 * shares the open chat's signal with the conversation, so a chat created by its first question
 * appears here, and a name the model or a rename gives it shows at once, without a reload.
 */
import type { Signal } from "@preact/signals";
import type { CurrentChat } from "./ChatPanel.tsx";

export default function ChatSessions(
  props: { sessions: { id: string; title: string }[]; current: Signal<CurrentChat> },
) {
  const current = props.current.value;
  const listed = current.id && !props.sessions.some((s) => s.id === current.id)
    ? [{ id: current.id, title: current.title }, ...props.sessions]
    : props.sessions;
  return (
    <aside class="chat-sessions" aria-label="Conversations">
      <a href="/chat" class="button primary" data-testid="new-chat">New chat</a>
      {listed.length > 0 && (
        <ul class="plain-list" data-testid="chat-list">
          {listed.map((s) => (
            <li key={s.id}>
              <a
                href={`/chat/${s.id}`}
                class={s.id === current.id ? "chat-session active" : "chat-session"}
                aria-current={s.id === current.id ? "page" : undefined}
              >
                {s.id === current.id ? current.title : s.title}
              </a>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
