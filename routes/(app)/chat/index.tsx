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
import { FirstRunGuide } from "../../../components/FirstRunGuide.tsx";
import { listConnectors } from "../../../db/queries/connectors.ts";

interface Data {
  sessions: ChatSessionRow[];
  configured: boolean;
  /** No connector yet: the first-run guide offers the sample dataset. */
  empty: boolean;
  sampleAdded: boolean;
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
        empty: (await listConnectors(tx, { limit: 1 })).length === 0,
        sampleAdded: ctx.url.searchParams.get("sample") === "added",
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
      guide={data.empty
        ? <FirstRunGuide configured={data.configured} />
        : data.sampleAdded
        ? (
          <p class="notice" role="status" data-testid="sample-added">
            The Seattle weather sample is syncing (a few seconds). Ask about it below, e.g. “Which weather is most
            common in Seattle? Chart it.”, or see it under <a href="/connectors">Connectors</a>.
          </p>
        )
        : undefined}
    />
  );
}
