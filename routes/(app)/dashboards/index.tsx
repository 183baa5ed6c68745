import { sectionRoute } from "../../../components/section_page.tsx";

const route = sectionRoute("dashboards", {
  title: "Dashboards",
  lead: "Charts and tables from your sources, shareable with a link.",
  icon: "dashboards",
  empty: "No dashboards yet",
  emptyText: "Pin a chart from a chat, or build a dashboard from scratch.",
});

export const handler = route.handler;
export default route.Page;
