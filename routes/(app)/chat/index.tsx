/** /chat: the conversations, and a new one. Without a model it says how to configure one. */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { asUser } from "../../../db/rls.ts";
import { listSessions } from "../../../db/queries/chat.ts";
import { writableWorkspace } from "../../../db/queries/connectors.ts";
import { effectiveModel } from "../../../functions/llm_settings.ts";
import { createSession } from "../../../functions/chat/sessions.ts";
import { ChatSidebar, ModelMissing } from "../../../components/ChatSidebar.tsx";
import { EmptyState } from "../../../components/EmptyState.tsx";
import type { ChatSessionRow } from "../../../db/queries/chat.ts";

interface Data {
  sessions: ChatSessionRow[];
  configured: boolean;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    const { deps, user } = ctx.state;
    return await asUser(deps.db, user!.id, async (tx) => {
      const workspace = await writableWorkspace(tx, user!.id);
      return {
        sessions: await listSessions(tx, { limit: 50 }),
        configured: workspace ? Boolean(await effectiveModel(deps, tx, workspace.id)) : false,
      };
    });
  },
  async POST(ctx: FreshContext<PageState>) {
    const session = await createSession(ctx.state.deps, ctx.state.user!.id, {});
    return ctx.redirect(`/chat/${session.id}`);
  },
};

export default function ChatIndex({ data }: PageProps<Data>) {
  return (
    <section class="chat-page">
      <ChatSidebar sessions={data.sessions} />
      <div class="chat-main">
        <header class="section-header">
          <div>
            <h1>Chat</h1>
            <p class="muted">Ask questions about your data and get answers, charts and tables.</p>
          </div>
        </header>
        {!data.configured && <ModelMissing />}
        <EmptyState icon="chat" title={data.sessions.length ? "Pick a conversation" : "No conversations yet"}>
          Start a new chat and ask about your data: the assistant can list datasets, run queries, and make charts,
          tables and documents.
        </EmptyState>
      </div>
    </section>
  );
}
