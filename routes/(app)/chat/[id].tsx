/** /chat/:id: one conversation, beside the list of conversations; POST renames or deletes it. */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { asUser } from "../../../db/rls.ts";
import { type ChatSessionRow, listSessions } from "../../../db/queries/chat.ts";
import { effectiveModel } from "../../../functions/llm_settings.ts";
import { deleteSession, openSession, renameSession } from "../../../functions/chat/sessions.ts";
import { ChatPage } from "../../../components/ChatPage.tsx";
import { chatPageTitle } from "../../../components/page_title.ts";
import type { StoredMessage } from "../../../islands/ChatPanel.tsx";

/** Messages a page opens with; older ones stay in the API's pages. */
const PAGE_MESSAGES = 100;

interface Data {
  session: ChatSessionRow;
  sessions: ChatSessionRow[];
  messages: StoredMessage[];
  streaming: boolean;
  configured: boolean;
  pageTitle: string;
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
      pageTitle: chatPageTitle(opened.session.title),
    };
  },
  /** Without JavaScript: the rename form and the delete confirmation post here. */
  async POST(ctx: FreshContext<PageState>) {
    const { deps, user } = ctx.state;
    const form = await ctx.req.formData();
    if (form.get("action") === "delete") {
      await deleteSession(deps, user!.id, ctx.params.id);
      return ctx.redirect("/chat");
    }
    const title = String(form.get("title") ?? "").trim().slice(0, 200);
    if (form.get("action") === "rename" && title) await renameSession(deps, user!.id, ctx.params.id, title);
    return ctx.redirect(`/chat/${ctx.params.id}`);
  },
};

export default function ChatSessionPage({ data }: PageProps<Data>) {
  return (
    <ChatPage
      sessions={data.sessions}
      session={data.session}
      messages={data.messages}
      streaming={data.streaming}
      configured={data.configured}
    />
  );
}
