import { sectionRoute } from "../../../components/section_page.tsx";

const route = sectionRoute("chat", {
  title: "Chat",
  lead: "Ask questions about your data and get answers, charts and tables.",
  icon: "chat",
  empty: "No conversations yet",
  emptyText: "Connect a data source first, then ask anything about it: the assistant can query, chart and summarise.",
});

export const handler = route.handler;
export default route.Page;
