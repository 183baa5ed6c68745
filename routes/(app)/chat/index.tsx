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
import { findConnector, listConnectors } from "../../../db/queries/connectors.ts";
import SampleNotice, { type SampleState } from "../../../islands/SampleNotice.tsx";
import { isUuid } from "../../../lib/http/ids.ts";

interface Data {
  sessions: ChatSessionRow[];
  configured: boolean;
  /** No connector yet: the first-run guide offers the sample dataset. */
  empty: boolean;
  /** The sample connector just added (?sample=<its id>), and how its first sync stands. */
  sample?: { id: string; state: SampleState; error: string | null };
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
        sample: await sampleConnector(tx, ctx.url.searchParams.get("sample")),
        pageTitle: "New chat",
      };
    });
  },
};

async function sampleConnector(tx: Parameters<typeof findConnector>[0], id: string | null): Promise<Data["sample"]> {
  const connector = id && isUuid(id) ? await findConnector(tx, id) : undefined;
  if (!connector) return undefined;
  const state = connector.status === "ready" || connector.status === "error" ? connector.status : "syncing";
  return { id: connector.id, state, error: connector.lastError };
}

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
        : data.sample
        ? <SampleNotice connectorId={data.sample.id} state={data.sample.state} error={data.sample.error} />
        : undefined}
    />
  );
}
