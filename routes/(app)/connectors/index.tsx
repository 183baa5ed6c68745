import { sectionRoute } from "../../../components/section_page.tsx";

const route = sectionRoute("connectors", {
  title: "Connectors",
  lead: "The databases, APIs and files your workspace reads.",
  icon: "connectors",
  empty: "No connectors yet",
  emptyText: "Connect Postgres, a REST/JSON API or a CSV file. Credentials are encrypted and never shown again.",
});

export const handler = route.handler;
export default route.Page;
