/**
 * /chat: a new conversation, not yet saved: the first question creates it (so "New chat" leaves
 * nothing empty behind), beside the list of conversations. Without a model it says how to add one.
 */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { asUser } from "../../../db/rls.ts";
import { type ChatSessionRow, listSessions } from "../../../db/queries/chat.ts";
import { writableWorkspace } from "../../../db/queries/connectors.ts";
import { effectiveModel } from "../../../functions/llm_settings.ts";
import { ChatPage } from "../../../components/ChatPage.tsx";

interface Data {
  sessions: ChatSessionRow[];
  configured: boolean;
  pageTitle: string;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    const { deps, user } = ctx.state;
    return await asUser(deps.db, user!.id, async (tx) => {
      const workspace = await writableWorkspace(tx, user!.id);
      return {
        sessions: await listSessions(tx, { limit: 50 }),
        configured: workspace ? Boolean(await effectiveModel(deps, tx, workspace.id)) : false,
        pageTitle: "New chat",
      };
    });
  },
};

export default function ChatIndex({ data }: PageProps<Data>) {
  return (
    <ChatPage
      sessions={data.sessions}
      session={null}
      messages={[]}
      streaming={false}
      configured={data.configured}
    />
  );
}
