import { sectionRoute } from "../../../components/section_page.tsx";

const route = sectionRoute("workflows", {
  title: "Workflows",
  lead: "Steps that run on a schedule, on demand, or when a signed webhook arrives.",
  icon: "workflows",
  empty: "No workflows yet",
  emptyText: "Chain queries, LLM calls and HTTP requests, and trigger them from outside with a webhook.",
});

export const handler = route.handler;
export default route.Page;
