/**
 * The open chat's name, and renaming it. The rename form sits in a `<details>`, so it opens and
 * posts without JavaScript (POST /chat/:id); with it, the new name is saved with PATCH and shown
 * in the heading and the conversation list at once. A refused name keeps what was typed.
 */
import { type Signal, useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import type { CurrentChat } from "./ChatPanel.tsx";

export default function ChatTitle(props: { current: Signal<CurrentChat> }) {
  const { current } = props;
  const error = useSignal<string | null>(null);
  const saving = useSignal(false);
  const details = useRef<HTMLDetailsElement>(null);
  const chat = current.value;

  async function rename(event: Event) {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem("title") as HTMLInputElement;
    const title = input.value.trim();
    if (!title) {
      error.value = "Give the chat a name, or press Escape to keep the old one.";
      return;
    }
    saving.value = true;
    const res = await fetch(`/api/chat/sessions/${chat.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title }),
    }).catch(() => undefined);
    saving.value = false;
    if (!res?.ok) {
      error.value = res
        ? `The name was not saved (the server answered ${res.status}). Try again.`
        : "The name was not saved: the server could not be reached. Try again.";
      return;
    }
    error.value = null;
    current.value = { ...chat, title };
    document.title = `${title} · Workspace`;
    if (details.current) details.current.open = false;
  }

  return (
    <div class="chat-title-row">
      <h1 class="chat-title" data-testid="chat-title">{chat.title}</h1>
      {chat.id && (
        <details
          class="rename"
          ref={details}
          onKeyDown={(e) => {
            if (e.key === "Escape" && details.current) details.current.open = false;
          }}
        >
          <summary class="button small">Rename</summary>
          <form method="post" action={`/chat/${chat.id}`} class="inline-form rename-form" onSubmit={rename}>
            <input type="hidden" name="action" value="rename" />
            <input type="text" name="title" value={chat.title} maxLength={200} aria-label="Chat name" required />
            <button type="submit" class="button small primary" disabled={saving.value}>
              {saving.value ? "Saving…" : "Save"}
            </button>
            {error.value && <p class="alert" role="alert">{error.value}</p>}
          </form>
        </details>
      )}
    </div>
  );
}
