/**
 * The open chat's name, renaming it, and deleting it. The rename form sits in a `<details>`, so it
 * opens and posts without JavaScript (POST /chat/:id); with it, the new name is saved with PATCH
 * and shown in the heading, the tab title and the conversation list at once. A refused name keeps
 * what was typed. Rename and Delete… appear as soon as the chat exists: on /chat, when its first
 * question creates it, without a reload.
 */
import { type Signal, useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import type { CurrentChat } from "./ChatPanel.tsx";
import ConfirmButton from "./ConfirmButton.tsx";
import { deleteChat } from "../components/confirm_builders_chat.ts";
import { chatPageTitle, tabTitle } from "../components/page_title.ts";

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
    document.title = tabTitle(chatPageTitle(title));
    if (details.current) details.current.open = false;
  }

  // A fragment: the island's element lays out as its contents, so Delete… sits at the header's end.
  return (
    <>
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
      {chat.id && (
        <ConfirmButton
          label="Delete…"
          confirmation={deleteChat({ id: chat.id, title: chat.title })}
          class="button small danger"
          testId="delete-chat"
        />
      )}
    </>
  );
}
