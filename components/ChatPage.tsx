/**
 * The chat pages' frame: the conversation list, the open chat's name with rename and delete, and
 * the conversation. One signal for the open chat is handed to three islands, so a new chat, a
 * rename or the model's name for it shows in the heading, the list and the tab title together.
 */
import type { ComponentChildren } from "preact";
import { signal } from "@preact/signals";
import ChatSessions from "../islands/ChatSessions.tsx";
import ChatTitle from "../islands/ChatTitle.tsx";
import ChatPanel, { type CurrentChat, type StoredMessage } from "../islands/ChatPanel.tsx";
import { ModelMissing } from "./ModelMissing.tsx";

export function ChatPage(props: {
  sessions: { id: string; title: string }[];
  /** The open chat; null on /chat, where the first question creates one. */
  session: { id: string; title: string } | null;
  messages: StoredMessage[];
  streaming: boolean;
  configured: boolean;
  /** Shown above an empty conversation: the first-run guide. */
  guide?: ComponentChildren;
}) {
  const current = signal<CurrentChat>({ id: props.session?.id ?? null, title: props.session?.title ?? "New chat" });
  return (
    <section class="chat-page">
      <ChatSessions sessions={props.sessions.map((s) => ({ id: s.id, title: s.title }))} current={current} />
      <div class="chat-main">
        <header class="chat-header">
          <ChatTitle current={current} />
        </header>
        {!props.configured && <ModelMissing />}
        {props.guide}
        <ChatPanel
          current={current}
          messages={props.messages}
          streaming={props.streaming}
          configured={props.configured}
          hint={!props.guide}
        />
      </div>
    </section>
  );
}
