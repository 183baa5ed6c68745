/** /chat/:id: one conversation, in the ChatPanel island, beside the list of conversations. */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { asUser } from "../../../db/rls.ts";
import { type ChatSessionRow, listSessions } from "../../../db/queries/chat.ts";
import { effectiveModel } from "../../../functions/llm_settings.ts";
import { openSession } from "../../../functions/chat/sessions.ts";
import { ChatSidebar, ModelMissing } from "../../../components/ChatSidebar.tsx";
import ChatPanel, { type StoredMessage } from "../../../islands/ChatPanel.tsx";

/** Messages a page opens with; older ones stay in the API's pages. */
const PAGE_MESSAGES = 100;

interface Data {
  session: ChatSessionRow;
  sessions: ChatSessionRow[];
  messages: StoredMessage[];
  streaming: boolean;
  configured: boolean;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    const { deps, user } = ctx.state;
    const opened = await openSession(deps, user!.id, ctx.params.id, { limit: PAGE_MESSAGES });
    const { sessions, configured } = await asUser(deps.db, user!.id, async (tx) => ({
      sessions: await listSessions(tx, { limit: 50 }),
      configured: Boolean(await effectiveModel(deps, tx, opened.session.workspaceId)),
    }));
    return {
      session: opened.session,
      sessions,
      messages: opened.messages.map((m) => ({
        id: m.id,
        role: m.role,
        parts: m.parts as StoredMessage["parts"],
        status: m.status,
        error: m.error,
      })),
      streaming: Boolean(opened.active),
      configured,
    };
  },
};

export default function ChatSessionPage({ data }: PageProps<Data>) {
  return (
    <section class="chat-page">
      <ChatSidebar sessions={data.sessions} current={data.session.id} />
      <div class="chat-main">
        {!data.configured && <ModelMissing />}
        <ChatPanel
          sessionId={data.session.id}
          title={data.session.title}
          messages={data.messages}
          streaming={data.streaming}
          configured={data.configured}
        />
      </div>
    </section>
  );
}
